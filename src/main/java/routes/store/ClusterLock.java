package routes.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance of the cluster runs each round of a periodic job (Camel 4.18 has no JDBC cluster service). The job's
 * route asks {@link #take} at each tick of its timer and runs the round only on {@code true}, then calls
 * {@link #release} whatever happened (a {@code doFinally}). Two things decide, both in PostgreSQL:
 *
 * <ul>
 *   <li><b>No overlap.</b> The round runs inside a transaction that holds the job's advisory lock
 *       ({@code pg_try_advisory_xact_lock(NAMESPACE, key)}) on a pooled connection set aside for the round. An instance
 *       that does not get it skips the round: another one is running it, even if it runs longer than its period.
 *       The lock ends with that transaction: {@link #release} rolls it back; a killed instance's session ends and
 *       PostgreSQL frees it; a connection returned to the pool never holds it (the pool rolls back what is left open).
 *   <li><b>Once per round.</b> Under that lock the instance claims the job's row of {@code cluster_locks}: it runs
 *       the round if it is the holder, if nobody is, or if the holder's lease (two of its periods after its last round)
 *       has run out; it then holds the lease until two periods from now. Otherwise it skips the round: the holder is
 *       alive and runs it. So the holder stays the same while it runs, and another instance takes over within three
 *       periods after it died (at once after {@link #handOver}, which a stopping instance calls).
 * </ul>
 *
 * A skipped round is one DEBUG line, never a WARN; the takeover of a lapsed lease is one INFO line. PostgreSQL
 * unavailable makes {@link #take} throw, which the route's error policy reports as a failed run; a PostgreSQL restart
 * during a round ends its lock (the round's own statements fail too) and the next round takes it again.
 */
public final class ClusterLock {

    /** First key of every advisory lock of this application ('tatt'), so that other users of the database are not hit. */
    public static final int NAMESPACE = 0x74617474;

    /** The jobs run once per cluster: their route id (the row of {@code cluster_locks}) and their advisory lock key. */
    public enum Job {
        /** The orphan image sweep and the DEAD retention, every MAINTENANCE_INTERVAL_MINUTES. */
        MAINTENANCE("maintenance-schedule", 1),
        /** Expired SENDING leases back to FAILED, every few seconds: its own key, so a long sweep never delays it. */
        LEASE_RECOVERY("sender-lease-recovery", 2);

        private final String id;
        private final int key;

        Job(String id, int key) {
            this.id = id;
            this.key = key;
        }

        public String id() {
            return id;
        }

        public int key() {
            return key;
        }
    }

    /** Who holds a job's lease, as {@code /health} shows it: holder and since are null when nobody holds it now. */
    public record Holder(String job, String holder, Instant since, Instant lastRunAt) {}

    private static final String CLAIM = """
            WITH before AS (SELECT holder, lease_until > now() AS live, last_run_at FROM cluster_locks WHERE job = ?)
            INSERT INTO cluster_locks AS l (job, holder, since, last_run_at, lease_until)
            VALUES (?, ?, now(), now(), now() + make_interval(secs => ?))
            ON CONFLICT (job) DO UPDATE SET holder = excluded.holder,
                since = CASE WHEN l.holder = excluded.holder THEN l.since ELSE excluded.since END,
                last_run_at = excluded.last_run_at, lease_until = excluded.lease_until
            WHERE l.holder = excluded.holder OR l.holder IS NULL OR l.lease_until <= now()
            RETURNING (SELECT holder FROM before), (SELECT live FROM before), (SELECT last_run_at FROM before)""";

    private final DataSource dataSource;
    private final Job job;
    private final String instance;
    private final double leaseSeconds;
    private final Logger log;
    private final String tag;
    private final AtomicLong ran = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private Connection held; // the round's connection, between take and release; guarded by this

    /**
     * @param instance this instance's SENDER_INSTANCE_ID
     * @param period   how often this instance's timer runs the job (its lease is twice that)
     */
    public ClusterLock(DataSource dataSource, Job job, String instance, Duration period) {
        this.dataSource = dataSource;
        this.job = job;
        this.instance = instance;
        this.leaseSeconds = 2 * period.toMillis() / 1000.0;
        String flow = OutageLog.flow(job.id());
        this.log = LoggerFactory.getLogger("routes." + flow);
        this.tag = "[" + flow.toUpperCase(Locale.ROOT) + "]";
    }

    /**
     * Whether this instance runs this round: true with the job's advisory lock held until {@link #release}.
     *
     * @throws SQLException PostgreSQL unavailable (nothing is held then)
     */
    public synchronized boolean take() throws SQLException {
        release(); // a round whose release did not run: its lock ends here
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
            if (!lock(c)) {
                end(c);
                skipped.incrementAndGet();
                log.debug("{} Ronda de {} omitida: otra instancia la está ejecutando", tag, job.id());
                return false;
            }
            if (!claim()) {
                end(c);
                skipped.incrementAndGet();
                if (log.isDebugEnabled()) {
                    log.debug("{} Ronda de {} omitida: la ejecuta {}", tag, job.id(), currentHolder());
                }
                return false;
            }
        } catch (SQLException | RuntimeException e) {
            end(c);
            throw e;
        }
        held = c;
        ran.incrementAndGet();
        return true;
    }

    /** Ends the round {@link #take} began: its advisory lock is released. Never throws. */
    public synchronized void release() {
        if (held != null) {
            end(held);
            held = null;
        }
    }

    /**
     * A stopping instance gives its lease up, so that another takes the job at its next round rather than when the
     * lease runs out. Never throws (PostgreSQL unavailable: the lease simply runs out).
     */
    public synchronized void handOver() {
        release();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE cluster_locks SET holder = NULL, since = NULL, lease_until = NULL WHERE job = ? AND holder = ?")) {
            ps.setString(1, job.id());
            ps.setString(2, instance);
            ps.executeUpdate();
        } catch (SQLException e) {
            log.debug("{} {} no se ha podido ceder al parar: {}", tag, job.id(), OutageLog.describe(e));
        }
    }

    /** Rounds this instance ran since it started. */
    public long ran() {
        return ran.get();
    }

    /** Rounds this instance skipped since it started (another instance ran them, or was running the job). */
    public long skipped() {
        return skipped.get();
    }

    /** Every job's lease as {@code /health} shows it, by job. */
    public static List<Holder> holders(DataSource dataSource) throws SQLException {
        List<Holder> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT job, CASE WHEN lease_until > now() THEN holder END,"
                                + " CASE WHEN lease_until > now() THEN since END, last_run_at FROM cluster_locks ORDER BY job");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Holder(rs.getString(1), rs.getString(2), instant(rs, 3), instant(rs, 4)));
            }
        }
        return out;
    }

    private boolean lock(Connection c) throws SQLException {
        // The round's connection shows in pg_stat_activity under this instance's name (until the transaction ends).
        try (PreparedStatement ps =
                c.prepareStatement("SELECT pg_try_advisory_xact_lock(?, ?), set_config('application_name', ?, true)")) {
            ps.setInt(1, NAMESPACE);
            ps.setInt(2, job.key());
            ps.setString(3, "tattile-sender " + job.id() + " " + instance);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Under the lock: the lease, if this instance holds it, nobody does or it ran out (committed at once). */
    private boolean claim() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(CLAIM)) {
            ps.setString(1, job.id());
            ps.setString(2, job.id());
            ps.setString(3, instance);
            ps.setDouble(4, leaseSeconds);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                String previous = rs.getString(1);
                if (previous != null && !previous.equals(instance) && !rs.getBoolean(2)) {
                    log.info(
                            "{} Esta instancia ({}) ejecuta ahora {}: {} no la ejecutaba desde {}",
                            tag,
                            instance,
                            job.id(),
                            previous,
                            instant(rs, 3));
                }
                return true;
            }
        }
    }

    private String currentHolder() {
        try {
            return holders(dataSource).stream()
                    .filter(h -> h.job().equals(job.id()))
                    .map(Holder::holder)
                    .findFirst()
                    .orElse(null);
        } catch (SQLException e) {
            return "?";
        }
    }

    /** Ends the round's transaction, and with it the advisory lock; a broken connection is left to the pool to drop. */
    private static void end(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // the session is gone, and its lock with it
        }
        try {
            c.close();
        } catch (SQLException e) {
            // idem
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
