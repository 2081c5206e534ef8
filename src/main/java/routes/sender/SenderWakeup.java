package routes.sender;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the sender's poll waits on between claim rounds: a notification that readings were queued ({@link #queued}),
 * or the poll interval, whichever comes first. A notification that arrives while a round is running is kept (one
 * permit), so the next round starts at once; many notifications make one round. The first round runs at once:
 * readings queued before the start sent no notification this service could hear.
 */
public final class SenderWakeup {

    /** How often a long wait looks whether the service is stopping. */
    private static final long SLICE_MILLIS = 250;

    private final Semaphore permit = new Semaphore(1);
    private final BooleanSupplier stopping;

    /** @param stopping true once the service stops: a wait then ends within a quarter of a second */
    public SenderWakeup(BooleanSupplier stopping) {
        this.stopping = stopping;
    }

    /** Readings were queued: the waiting (or next) round starts now. */
    public void queued() {
        if (permit.availablePermits() == 0) {
            permit.release();
        }
        // more than one permit would only make empty rounds
        while (permit.availablePermits() > 1) {
            permit.tryAcquire();
        }
    }

    /** Waits up to {@code maxMillis} for readings to be queued; true when woken by them. */
    public boolean await(long maxMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        boolean woken = false;
        for (long left = maxMillis; left > 0 && !woken && !stopping.getAsBoolean(); ) {
            woken = permit.tryAcquire(Math.min(left, SLICE_MILLIS), TimeUnit.MILLISECONDS);
            left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        }
        permit.drainPermits();
        return woken;
    }
}
