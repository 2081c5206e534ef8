-- Where readings may come from, and where each one came from.

-- CIDR blocks a camera's readings may come from; null: any address (INGEST_ALLOWED_SOURCES still applies).
ALTER TABLE cameras ADD COLUMN allowed_sources cidr[];

-- The address a reading arrived from (the camera's TCP peer, or the HTTP client of a Lector Vision reading).
ALTER TABLE alpr_readings ADD COLUMN source_address inet;
