package routes.health;

import java.sql.SQLException;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import routes.store.QueueAdminRepository.Overview;

/** The queue by state, the readings stored and the oldest pending reading's age ({@link QueueSnapshot}); DOWN when they cannot be read. */
public final class QueueCheck extends TattileCheck {

    public static final String ID = "tattile-queue";

    private final QueueSnapshot queue;

    public QueueCheck(QueueSnapshot queue) {
        super(ID, false);
        this.queue = queue;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            Overview overview = queue.get();
            Map<String, Long> counts = overview.counts();
            builder.up()
                    .detail("pending", counts.getOrDefault("PENDING", 0L))
                    .detail("sending", counts.getOrDefault("SENDING", 0L))
                    .detail("failed", counts.getOrDefault("FAILED", 0L))
                    .detail("dead", counts.getOrDefault("DEAD", 0L))
                    .detail("counts_estimated", overview.estimated())
                    .detail("total_readings", overview.readings())
                    .detail("oldest_pending_age_seconds", overview.oldestPendingAgeSeconds());
        } catch (SQLException e) {
            builder.down().detail("error", e.getClass().getSimpleName());
        }
    }
}
