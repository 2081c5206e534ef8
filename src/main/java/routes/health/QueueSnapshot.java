package routes.health;

import java.sql.SQLException;
import java.time.Clock;
import routes.store.QueueAdminRepository;
import routes.store.QueueAdminRepository.Overview;

/**
 * The queue overview that {@code /health} and {@code /metrics} show, computed at most once per
 * {@code API_HEALTH_CACHE_SECONDS} whatever the number of callers (concurrent callers wait for the one
 * computation in progress); the overview itself costs the same at 1,000 or 1,000,000 queued readings.
 */
public final class QueueSnapshot {

    private final QueueAdminRepository queue;
    private final long maxAgeMillis;
    private final Clock clock;
    private Overview last;
    private long lastAt;

    public QueueSnapshot(QueueAdminRepository queue, long maxAgeMillis, Clock clock) {
        this.queue = queue;
        this.maxAgeMillis = maxAgeMillis;
        this.clock = clock;
    }

    /** The latest overview, recomputed when older than the cache time; SQLException when the database is down. */
    public synchronized Overview get() throws SQLException {
        long now = clock.millis();
        if (last == null || now - lastAt >= maxAgeMillis) {
            last = queue.overview();
            lastAt = clock.millis();
        }
        return last;
    }
}
