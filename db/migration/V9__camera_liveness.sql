-- Fleet visibility: when each camera last sent a reading, what it is expected to send, and how late deliveries are.

-- Reception time of the camera's latest stored reading and the address it came from. The ingest keeps them in
-- memory and writes them for all cameras at once every few seconds (CAMERA_ACTIVITY_FLUSH_SECONDS), never one
-- extra transaction per reading; with several instances the latest wins.
ALTER TABLE cameras ADD COLUMN last_reading_at timestamptz;
ALTER TABLE cameras ADD COLUMN last_source_address inet;

-- How long the camera may stay silent before it is reported (admin camera list --silent, tattile_camera_silent):
-- null = CAMERA_SILENCE_DEFAULT, 0 = never watched.
ALTER TABLE cameras ADD COLUMN expect_readings_within_seconds integer
    CHECK (expect_readings_within_seconds >= 0);

-- Time from the reading's reception to this outcome (delivered: the delivery delay that admin status shows).
ALTER TABLE delivery_log ADD COLUMN delay_ms bigint;
