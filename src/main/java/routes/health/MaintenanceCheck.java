package routes.health;

import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.health.HealthCheckResultBuilder;
import routes.store.ClusterLock;

/**
 * Which instance of the cluster runs each job that runs once per cluster ({@link ClusterLock}): per job (its route
 * id), the {@code SENDER_INSTANCE_ID} of the holder of its lease and since when (both null when nobody holds it: never
 * run, handed over by a stopping instance, or its holder gone for two periods), and when it last ran. One read of the
 * small {@code cluster_locks} table, the same answer from every instance. Always UP: informative only.
 */
public final class MaintenanceCheck extends TattileCheck {

    public static final String ID = "tattile-maintenance";
    public static final String MAINTENANCE = "maintenance";

    private final DataSource dataSource;

    public MaintenanceCheck(DataSource dataSource) {
        super(ID, false);
        this.dataSource = dataSource;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, Map<String, Object>> jobs = new LinkedHashMap<>();
        try {
            for (ClusterLock.Holder h : ClusterLock.holders(dataSource)) {
                Map<String, Object> job = new LinkedHashMap<>();
                job.put("holder", h.holder());
                job.put("since", text(h.since()));
                job.put("last_run_at", text(h.lastRunAt()));
                jobs.put(h.job(), job);
            }
        } catch (SQLException e) {
            // unknown while the database does not answer: the database entry says so
        }
        builder.up().detail(MAINTENANCE, jobs);
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
