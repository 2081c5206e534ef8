package routes.sender;

import java.sql.SQLException;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import routes.store.QueueRepository;

/**
 * An endpoint's cluster-wide cap on sends in flight ({@code endpoints.max_in_flight}), which every instance enforces
 * through PostgreSQL ({@link QueueRepository#takeSlot}): before its send, a reading of such an endpoint takes one of
 * its slots or waits {@link #RETRY_MILLIS} to twice that, without using an attempt and without touching the breaker
 * ({@link EndpointBusyException}, handled as an open breaker). Its outcome frees the slot. A reading whose endpoint has
 * no cap (and the global MOSSOS_ENDPOINT_URL) costs nothing: no database round trip.
 */
public final class EndpointSlots {

    /** How long a reading refused a slot waits, at least (at most twice that: jitter spreads the retries). */
    static final long RETRY_MILLIS = 250;
    /** After a refusal, the poller does not claim again at once, for this long: see {@link #refusedRecently()}. */
    static final long CALM_MILLIS = 1000;

    private final QueueRepository queue;
    private final String instance;
    private final Clock clock;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong taken = new AtomicLong();
    private volatile long lastRefusalNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(2 * CALM_MILLIS);

    public EndpointSlots(QueueRepository queue, String instance, Clock clock) {
        this.queue = queue;
        this.instance = instance;
        this.clock = clock;
    }

    /**
     * Takes a slot of the reading's endpoint when it has a cap; nothing when it has none.
     *
     * @throws EndpointBusyException the endpoint has its maximum of sends in flight, in the whole cluster
     */
    public void take(Delivery d) throws SQLException {
        Integer max = d.maxInFlight();
        if (max == null || d.endpointId() == null) {
            return;
        }
        if (!queue.takeSlot(d.queueId(), d.endpointId(), max, instance)) {
            refused.incrementAndGet();
            lastRefusalNanos = System.nanoTime();
            long wait = RETRY_MILLIS + ThreadLocalRandom.current().nextLong(RETRY_MILLIS + 1);
            throw new EndpointBusyException(d.endpointKey(), clock.instant().plusMillis(wait));
        }
        taken.incrementAndGet();
    }

    /**
     * Whether a reading was refused a slot within the last {@link #CALM_MILLIS}: the poller then claims once per poll
     * instead of again at once, or a backlog behind a full endpoint would be claimed and postponed over and over as
     * fast as the database answers.
     */
    public boolean refusedRecently() {
        return System.nanoTime() - lastRefusalNanos < TimeUnit.MILLISECONDS.toNanos(CALM_MILLIS);
    }

    /** Readings refused a slot since this instance started. */
    public long refused() {
        return refused.get();
    }

    /** Slots taken since this instance started. */
    public long taken() {
        return taken.get();
    }
}
