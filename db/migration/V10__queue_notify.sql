-- Wakes the senders as soon as readings are queued (issue 17): every statement that inserts into messages_queue
-- (the ingest's one-statement store, a legacy import batch) sends a notification on channel tattile_queue, which
-- PostgreSQL delivers to the listening senders when the transaction commits (not at all when it rolls back). The
-- senders still poll every SENDER_POLL_INTERVAL_SECONDS, for retries coming due and for a missed notification.
CREATE FUNCTION tattile_queue_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tattile_queue', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER messages_queue_notify AFTER INSERT ON messages_queue
    FOR EACH STATEMENT EXECUTE FUNCTION tattile_queue_notify();
