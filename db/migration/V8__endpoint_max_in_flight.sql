-- A cluster-wide cap on the sends in flight to one endpoint (issue 15): SENDER_CONCURRENCY, the breaker and the API's
-- rate limits are per instance, so two instances could send twice as much to one endpoint. NULL: no cap (the sender
-- then spends nothing on it). routes.store.QueueRepository#takeSlot enforces it.
ALTER TABLE endpoints ADD COLUMN max_in_flight integer CHECK (max_in_flight > 0);

-- The endpoint a send in flight holds a slot of. It counts only while the row is SENDING under a live lease: the
-- send's outcome frees it (delivered rows are deleted; failed, postponed and DEAD rows leave SENDING), a killed
-- instance's slots free themselves when its lease runs out, and the claim clears it (a re-claimed row holds no slot).
ALTER TABLE messages_queue ADD COLUMN sending_to uuid;

-- Counting an endpoint's slots reads only the rows that hold one (at most the endpoints' caps in all).
CREATE INDEX messages_queue_slots ON messages_queue (sending_to) WHERE status = 'SENDING' AND sending_to IS NOT NULL;
