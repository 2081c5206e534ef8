-- The oldest PENDING reading (GET /health, the queue gauges): PENDING rows alone, by when they were queued. Through
-- messages_queue_due it had to step over every due FAILED row queued before it, and after an incident in which
-- most readings were refused once that is most of the queue (with 1 M queued, 880,000 rows read and 0.3-0.6 s
-- per report instead of 5-20 ms; `bench health` measures it). By created_at, not next_attempt_at: a PENDING row
-- an open breaker postpones keeps its age. Ingest adds one entry per reading (about 21 MB per million PENDING
-- rows); a claimed, failed or dead row has none.
CREATE INDEX messages_queue_pending ON messages_queue (created_at) WHERE status = 'PENDING';
