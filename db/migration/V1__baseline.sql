-- tattile-sender baseline schema. Column names keep the original product's names.

CREATE TABLE certificates (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text        NOT NULL UNIQUE,
    type          text        NOT NULL CHECK (type IN ('PEM', 'PKCS12')),
    cert_path     text,                 -- PEM certificate or chain
    key_path      text,                 -- PEM private key
    pfx_path      text,                 -- PKCS#12 file
    password_path text,                 -- file holding the PKCS#12 password (never the password itself)
    subject       text,
    fingerprint_sha256 text,
    valid_from    timestamptz,
    valid_to      timestamptz,
    active        boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (type <> 'PEM' OR (cert_path IS NOT NULL AND key_path IS NOT NULL)),
    CHECK (type <> 'PKCS12' OR pfx_path IS NOT NULL)
);

CREATE TABLE endpoints (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name             text        NOT NULL UNIQUE,
    url              text        NOT NULL,
    timeout_ms       integer     NOT NULL DEFAULT 30000 CHECK (timeout_ms > 0),
    retry_max        integer     CHECK (retry_max >= 0),           -- null: SENDER_DEFAULT_RETRY_MAX
    retry_backoff_ms integer     CHECK (retry_backoff_ms > 0),     -- null: SENDER_DEFAULT_BACKOFF_MS
    soap_action      text,
    active           boolean     NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE municipalities (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name           text        NOT NULL UNIQUE,
    code           text,
    certificate_id uuid REFERENCES certificates (id),
    endpoint_id    uuid REFERENCES endpoints (id),
    active         boolean     NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cameras (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    serial_number   text        NOT NULL UNIQUE,      -- = DEVICE_SN
    codigo_lector   text,
    description     text,
    municipality_id uuid        NOT NULL REFERENCES municipalities (id),
    endpoint_id     uuid REFERENCES endpoints (id),      -- override of the municipality's
    certificate_id  uuid REFERENCES certificates (id),   -- override of the municipality's
    coord_x         double precision,
    coord_y         double precision,
    utm_x           double precision,
    utm_y           double precision,
    timezone        text,                                 -- null: CAMERA_TIMEZONE
    active          boolean     NOT NULL DEFAULT true,
    last_sent_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cameras_municipality ON cameras (municipality_id);

CREATE TABLE alpr_readings (
    id             uuid PRIMARY KEY,
    plate          text        NOT NULL,
    timestamp_utc  timestamptz NOT NULL,
    device_sn      text        NOT NULL,
    device_name    text,
    direction      text,
    lane_id        integer,
    lane_descr     text,
    ocr_score      numeric(7, 3),
    country_code   text,
    country        text,
    bbox_min_x     integer,
    bbox_min_y     integer,
    bbox_max_x     integer,
    bbox_max_y     integer,
    char_height    integer,
    has_image_ocr  boolean     NOT NULL,
    has_image_ctx  boolean     NOT NULL,
    image_ocr_path text,                    -- relative to IMAGES_BASE_DIR
    image_ctx_path text,                    -- relative to IMAGES_BASE_DIR
    raw_xml        text,                    -- the document with image bodies replaced by their sizes
    camera_id      uuid        NOT NULL REFERENCES cameras (id),
    received_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT alpr_readings_unique_reading UNIQUE (device_sn, plate, timestamp_utc),
    CHECK (has_image_ocr = (image_ocr_path IS NOT NULL)),
    CHECK (has_image_ctx = (image_ctx_path IS NOT NULL))
);
CREATE INDEX alpr_readings_camera ON alpr_readings (camera_id);
CREATE INDEX alpr_readings_received_at ON alpr_readings (received_at);

CREATE TABLE messages_queue (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    reading_id      uuid        NOT NULL UNIQUE REFERENCES alpr_readings (id) ON DELETE CASCADE,
    status          text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENDING', 'FAILED', 'DEAD')),
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    locked_by       text,
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- The poller's claim: due rows in order, from a partial index that holds only claimable rows,
-- so its cost does not grow with DEAD or SENDING rows.
CREATE INDEX messages_queue_due ON messages_queue (next_attempt_at) WHERE status IN ('PENDING', 'FAILED');
-- Lease recovery: SENDING rows by lease end.
CREATE INDEX messages_queue_leases ON messages_queue (locked_until) WHERE status = 'SENDING';
-- DEAD retention and requeue by age.
CREATE INDEX messages_queue_dead ON messages_queue (updated_at) WHERE status = 'DEAD';

-- Audit of each delivery outcome: no plate, no image.
CREATE TABLE delivery_log (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    queue_id        uuid,
    reading_id      uuid,
    camera_id       uuid,
    municipality_id uuid,
    endpoint_id     uuid,
    outcome         text        NOT NULL,
    codi_retorn     text,
    attempts        integer,
    latency_ms      integer,
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX delivery_log_created_at ON delivery_log (created_at);
