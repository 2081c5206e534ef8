-- The database schema of the old Python product TattileSender as its Alembic migrations leave it on PostgreSQL
-- ("alembic upgrade head"), translated by hand into the DDL SQLAlchemy/Alembic emit there.
--
-- Source: https://github.com/Lasarikoo/TattileSender, commit 45f6101, files
--   alembic/versions/0001_initial_schema.py                   (revision 0001_initial_schema)
--   alembic/versions/0002_sender_phase2.py                    (revision 0002_sender_phase2)
--   alembic/versions/0003_add_utm_and_certificate_key_path.py (revision 0003_utm_cert_key)
--   alembic/versions/0004_add_coord_and_certificate_paths.py  (revision 0004_coord_paths)
--   alembic/versions/0005_add_client_cert_path.py             (revision 0005_client_cert)
--   alembic/versions/0006_add_camera_last_sent_at.py          (revision 0006_camera_last_sent)
--
-- The schema is what the MIGRATIONS make, not what app/models.py declares; where they differ, the database keeps:
--   * municipalities.certificate_id (0001, FK to certificates) — no migration drops it, the ORM no longer maps it;
--   * certificates.municipality_id nullable (0004), though the model says nullable=False;
--   * no server default on certificates.type (the model's "PEM_PAIR" is a Python-side default only).
-- sa.Integer primary keys are SERIAL (SQLAlchemy's PostgreSQL rendering without Identity()); sa.Float is FLOAT
-- (double precision); unnamed constraints get PostgreSQL's default names (certificates_pkey,
-- cameras_serial_number_key, municipalities_certificate_id_fkey, ...). Columns are added in migration order, so
-- a table's column order is the one "SELECT *" returns on a real installation.
-- Render check: python3-alembic / python3-sqlalchemy were not installed where this was written, so this was not
-- compared with "alembic upgrade head --sql".

CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- Running upgrade  -> 0001_initial_schema

CREATE TABLE certificates (
    id SERIAL NOT NULL,
    name VARCHAR(255) NOT NULL,
    type VARCHAR(50),
    path VARCHAR(1024),
    password_ref VARCHAR(255),
    valid_from TIMESTAMP WITH TIME ZONE,
    valid_to TIMESTAMP WITH TIME ZONE,
    active BOOLEAN DEFAULT true NOT NULL,
    PRIMARY KEY (id)
);

CREATE INDEX ix_certificates_id ON certificates (id);

CREATE TABLE endpoints (
    id SERIAL NOT NULL,
    name VARCHAR(255) NOT NULL,
    url VARCHAR(2048) NOT NULL,
    timeout_ms INTEGER DEFAULT '30000' NOT NULL,
    retry_max INTEGER DEFAULT '3' NOT NULL,
    retry_backoff_ms INTEGER DEFAULT '1000' NOT NULL,
    PRIMARY KEY (id)
);

CREATE INDEX ix_endpoints_id ON endpoints (id);

CREATE TABLE municipalities (
    id SERIAL NOT NULL,
    name VARCHAR(255) NOT NULL,
    code VARCHAR(64),
    certificate_id INTEGER,
    endpoint_id INTEGER,
    active BOOLEAN DEFAULT true NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(certificate_id) REFERENCES certificates (id),
    FOREIGN KEY(endpoint_id) REFERENCES endpoints (id)
);

CREATE INDEX ix_municipalities_id ON municipalities (id);

CREATE TABLE cameras (
    id SERIAL NOT NULL,
    serial_number VARCHAR(255) NOT NULL,
    codigo_lector VARCHAR(255) NOT NULL,
    description VARCHAR(255),
    municipality_id INTEGER NOT NULL,
    endpoint_id INTEGER,
    active BOOLEAN DEFAULT true NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(endpoint_id) REFERENCES endpoints (id),
    FOREIGN KEY(municipality_id) REFERENCES municipalities (id),
    UNIQUE (serial_number)
);

CREATE INDEX ix_cameras_id ON cameras (id);

CREATE TABLE alpr_readings (
    id SERIAL NOT NULL,
    camera_id INTEGER NOT NULL,
    device_sn VARCHAR(255),
    plate VARCHAR(32),
    timestamp_utc TIMESTAMP WITH TIME ZONE,
    direction VARCHAR(32),
    lane_id INTEGER,
    lane_descr VARCHAR(255),
    ocr_score INTEGER,
    country_code VARCHAR(16),
    country VARCHAR(255),
    bbox_min_x INTEGER,
    bbox_min_y INTEGER,
    bbox_max_x INTEGER,
    bbox_max_y INTEGER,
    char_height INTEGER,
    has_image_ocr BOOLEAN DEFAULT false NOT NULL,
    has_image_ctx BOOLEAN DEFAULT false NOT NULL,
    raw_xml TEXT,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(camera_id) REFERENCES cameras (id)
);

CREATE INDEX ix_alpr_readings_id ON alpr_readings (id);

CREATE TABLE messages_queue (
    id SERIAL NOT NULL,
    reading_id INTEGER NOT NULL,
    status VARCHAR(32) DEFAULT 'PENDING' NOT NULL,
    attempts INTEGER DEFAULT '0' NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    sent_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (id),
    FOREIGN KEY(reading_id) REFERENCES alpr_readings (id)
);

CREATE INDEX ix_messages_queue_id ON messages_queue (id);

INSERT INTO alembic_version (version_num) VALUES ('0001_initial_schema');

-- Running upgrade 0001_initial_schema -> 0002_sender_phase2

ALTER TABLE cameras ADD COLUMN certificate_id INTEGER;

ALTER TABLE cameras ADD CONSTRAINT fk_cameras_certificate_id_certificates FOREIGN KEY(certificate_id) REFERENCES certificates (id);

ALTER TABLE alpr_readings ADD COLUMN image_ocr_path VARCHAR(1024);

ALTER TABLE alpr_readings ADD COLUMN image_ctx_path VARCHAR(1024);

ALTER TABLE messages_queue ADD COLUMN updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL;

ALTER TABLE messages_queue ADD COLUMN last_sent_at TIMESTAMP WITH TIME ZONE;

ALTER TABLE messages_queue ADD COLUMN next_retry_at TIMESTAMP WITH TIME ZONE;

UPDATE alembic_version SET version_num='0002_sender_phase2' WHERE alembic_version.version_num = '0001_initial_schema';

-- Running upgrade 0002_sender_phase2 -> 0003_utm_cert_key

ALTER TABLE cameras ADD COLUMN utm_x FLOAT;

ALTER TABLE cameras ADD COLUMN utm_y FLOAT;

ALTER TABLE certificates ADD COLUMN key_path VARCHAR(1024);

-- alter_column(type, server_default=None): certificates.type had no default, so this changes nothing.
ALTER TABLE certificates ALTER COLUMN type DROP DEFAULT;

UPDATE alembic_version SET version_num='0003_utm_cert_key' WHERE alembic_version.version_num = '0002_sender_phase2';

-- Running upgrade 0003_utm_cert_key -> 0004_coord_paths

ALTER TABLE cameras ADD COLUMN coord_x VARCHAR(32);

COMMENT ON COLUMN cameras.coord_x IS 'Coordenada X UTM31N-ETRS89 con dos decimales';

ALTER TABLE cameras ADD COLUMN coord_y VARCHAR(32);

COMMENT ON COLUMN cameras.coord_y IS 'Coordenada Y UTM31N-ETRS89 con dos decimales';

ALTER TABLE certificates ADD COLUMN alias VARCHAR(255);

ALTER TABLE certificates ADD COLUMN pfx_path VARCHAR(1024);

ALTER TABLE certificates ADD COLUMN privpub_path VARCHAR(1024);

ALTER TABLE certificates ADD COLUMN public_cert_path VARCHAR(1024);

ALTER TABLE certificates ADD COLUMN municipality_id INTEGER;

ALTER TABLE certificates ADD COLUMN created_at TIMESTAMP WITH TIME ZONE DEFAULT now();

ALTER TABLE certificates ADD COLUMN updated_at TIMESTAMP WITH TIME ZONE DEFAULT now();

ALTER TABLE certificates ADD CONSTRAINT certificates_municipality_fk FOREIGN KEY(municipality_id) REFERENCES municipalities (id) ON DELETE SET NULL;

UPDATE alembic_version SET version_num='0004_coord_paths' WHERE alembic_version.version_num = '0003_utm_cert_key';

-- Running upgrade 0004_coord_paths -> 0005_client_cert

ALTER TABLE certificates ADD COLUMN client_cert_path VARCHAR(1024);

UPDATE certificates SET client_cert_path = path WHERE client_cert_path IS NULL;

UPDATE alembic_version SET version_num='0005_client_cert' WHERE alembic_version.version_num = '0004_coord_paths';

-- Running upgrade 0005_client_cert -> 0006_camera_last_sent

ALTER TABLE cameras ADD COLUMN last_sent_at TIMESTAMP WITH TIME ZONE;

UPDATE alembic_version SET version_num='0006_camera_last_sent' WHERE alembic_version.version_num = '0005_client_cert';
