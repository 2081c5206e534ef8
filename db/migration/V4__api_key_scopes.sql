-- A SOURCE_WRITER key may be limited to some municipalities' cameras and to some cameras by serial. A scoped key
-- with no scope rows left (its municipality deleted) writes for no camera: scoping never falls back to "all".
ALTER TABLE api_keys ADD COLUMN scoped boolean NOT NULL DEFAULT false;
CREATE TABLE api_key_scopes (
    api_key_id      uuid NOT NULL REFERENCES api_keys (id),
    municipality_id uuid REFERENCES municipalities (id) ON DELETE CASCADE,
    camera_serial   text,
    CHECK ((municipality_id IS NULL) <> (camera_serial IS NULL))
);
CREATE UNIQUE INDEX api_key_scopes_unique ON api_key_scopes (api_key_id, coalesce(municipality_id::text, ''), coalesce(camera_serial, ''));
