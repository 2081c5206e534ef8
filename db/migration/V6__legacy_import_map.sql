-- What 'admin import-legacy' copied from an old TattileSender (Python) database: one row per old row, so a second run
-- imports nothing twice and a run stopped half-way resumes. source names the old database (host:port/name), so two
-- old installations can be imported into one database (a consortium taking over several municipalities' servers).
CREATE TABLE legacy_import_map (
    source      text        NOT NULL,
    entity      text        NOT NULL CHECK (entity IN ('municipality', 'endpoint', 'certificate', 'camera', 'reading', 'queue')),
    old_id      integer     NOT NULL,
    new_id      uuid,                   -- null: looked at and deliberately not imported (a duplicate, a SUCCESS row)
    note        text,
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, entity, old_id)
);
