package routes.health;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.health.HealthCheckResultBuilder;

/** Readiness: the database answers a pooled connection's validity check (within 2 s); its latency and error kind. */
public final class DatabaseCheck extends TattileCheck {

    public static final String ID = "tattile-database";

    private final DataSource dataSource;

    public DatabaseCheck(DataSource dataSource) {
        super(ID, true);
        this.dataSource = dataSource;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            builder.state(c.isValid(2) ? State.UP : State.DOWN);
        } catch (SQLException e) {
            builder.down().detail("error", e.getClass().getSimpleName());
        }
        builder.detail("latency_ms", (System.nanoTime() - start) / 1_000_000);
    }
}
