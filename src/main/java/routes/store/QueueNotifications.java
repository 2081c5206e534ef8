package routes.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on PostgreSQL channel {@code tattile_queue} (the {@code messages_queue_notify} trigger notifies it when a
 * transaction that queued readings commits) and runs {@code onQueued} for each batch of notifications. It holds one
 * connection of its own, outside the pool; when the connection fails it reconnects with back-off and runs {@code
 * onQueued} once reconnected (a notification may have been missed meanwhile). One thread, started and stopped by its
 * owner.
 */
public final class QueueNotifications implements Runnable {

    public static final String CHANNEL = "tattile_queue";

    private static final Logger LOG = LoggerFactory.getLogger(QueueNotifications.class);
    private static final int WAIT_MILLIS = 1000;
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final DatabaseConfig database;
    private final Runnable onQueued;
    private volatile boolean running = true;
    private volatile Connection connection;

    public QueueNotifications(DatabaseConfig database, Runnable onQueued) {
        this.database = database;
        this.onQueued = onQueued;
    }

    @Override
    public void run() {
        long backoff = 500;
        boolean failing = false;
        while (running) {
            try (Connection c = connect()) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                if (failing) {
                    LOG.info("[SENDER] Avisos de lecturas nuevas restablecidos");
                    failing = false;
                }
                backoff = 500;
                onQueued.run(); // whatever was queued while not listening
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    var batch = pg.getNotifications(WAIT_MILLIS);
                    if (batch != null && batch.length > 0) {
                        onQueued.run();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    break;
                }
                if (!failing) {
                    failing = true;
                    // INFO: nothing is delayed beyond the poll; a database outage is reported once by the poll itself.
                    LOG.info(
                            "[SENDER] Sin avisos de lecturas nuevas (se sigue consultando la cola cada"
                                    + " SENDER_POLL_INTERVAL_SECONDS): {}",
                            e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
                }
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            } finally {
                connection = null;
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", database.user());
        p.setProperty("password", database.password());
        p.setProperty("connectTimeout", String.valueOf(Math.max(1, database.connectTimeoutMs() / 1000)));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "tattile-sender queue notifications");
        return DriverManager.getConnection(database.jdbcUrl(), p);
    }

    /** Stops listening: the thread ends within a second. */
    public void stop() {
        running = false;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
