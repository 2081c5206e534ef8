package routes.sender;

import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The sender's slots: one per signed send in flight, {@code SENDER_CONCURRENCY} in all. The poller claims
 * only as many rows as there are free slots and hands them over without waiting for them, so the sends in
 * flight stay at the limit as long as there is a backlog (a batch no longer waits for its slowest send:
 * against a 200 ms endpoint that wait capped the sender at one batch per 200 ms). A claimed row waits for
 * no thread, so its lease only runs while it is really being sent.
 */
public final class SenderCapacity {

    /** How long a claim waits for a group of slots once one is free. */
    public static final long GATHER_MILLIS = 10;

    private final Semaphore slots;
    private final int concurrency;
    private final int claimMax;
    private final int claimMin;
    private final long gatherNanos;

    public SenderCapacity(int concurrency, int batchSize) {
        this(concurrency, batchSize, GATHER_MILLIS);
    }

    SenderCapacity(int concurrency, int batchSize, long gatherMillis) {
        this.slots = new Semaphore(concurrency);
        this.concurrency = concurrency;
        this.claimMax = Math.min(concurrency, batchSize);
        // Claim in groups of a quarter of the slots when they free up quickly: one claim per freed slot would
        // cost a database round trip per send.
        this.claimMin = Math.max(1, claimMax / 4);
        this.gatherNanos = TimeUnit.MILLISECONDS.toNanos(gatherMillis);
    }

    /**
     * Takes free slots for the next claim: waits up to a second for one, then up to {@link #GATHER_MILLIS}
     * for a group (a quarter of the slots), then takes every free one up to the batch size. Returns how many
     * rows to claim (0 when every slot stayed busy). The window is short so that a slot does not stay idle
     * while a group gathers: against a slow endpoint, waiting for a whole group cost a fifth of the throughput.
     */
    public int reserve() throws InterruptedException {
        if (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
            return 0;
        }
        int got = 1;
        long deadline = System.nanoTime() + gatherNanos;
        try {
            while (got < claimMin) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !slots.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
                got++;
            }
        } catch (InterruptedException e) {
            slots.release(got); // taken, never to be claimed
            throw e;
        }
        while (got < claimMax && slots.tryAcquire()) {
            got++;
        }
        return got;
    }

    /** Gives back the slots a claim reserved but found no row for. */
    public void unused(int reserved, List<?> claimed) {
        int spare = reserved - (claimed == null ? 0 : claimed.size());
        if (spare > 0) {
            slots.release(spare);
        }
    }

    /** One claimed row is finished with, whatever its outcome. */
    public void release() {
        slots.release();
    }

    /** Slots free now (for tests and metrics). */
    public int available() {
        return slots.availablePermits();
    }

    /** No claimed row is being sent or waiting to be. */
    public boolean idle() {
        return slots.availablePermits() == concurrency;
    }
}
