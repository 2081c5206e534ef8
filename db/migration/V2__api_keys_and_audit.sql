-- API keys for the HTTP API, and an audit log of who did what (HTTP API and admin CLI).

-- Only the SHA-256 of a key is stored (lower-case hex); the key itself is shown once, when created.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name         text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    key_hash     text        NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    role         text        NOT NULL CHECK (role IN ('ADMIN', 'SOURCE_WRITER', 'READ_ONLY')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz
);

-- One row per audited action: actor "apikey:<name>" or "cli:<os user>", action such as
-- "POST /api/queue/requeue" or "admin municipality add". Never a key, a password or a plate.
CREATE TABLE audit_log (
    id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text        NOT NULL,
    action    text        NOT NULL,
    target    text,
    outcome   text        NOT NULL,
    client_ip text,
    detail    text
);
CREATE INDEX audit_log_at ON audit_log (at);
