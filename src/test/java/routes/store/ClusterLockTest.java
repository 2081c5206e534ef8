package routes.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;
import routes.support.LogCapture;
import routes.support.TestDb;

/**
 * The lock of the jobs run once per cluster, against the real PostgreSQL: two instances (two locks with their own
 * SENDER_INSTANCE_ID on one database) and what each of them is allowed to run, read from pg_locks and cluster_locks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterLockTest {

    private static final Duration PERIOD = Duration.ofMinutes(1);
    private static final String LOCK_HELD = "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            + " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ? AND l.objid = ? AND l.objsubid = 2"
            + " AND a.application_name = ?";

    private final HikariDataSource db = TestDb.open();

    @BeforeEach
    void noHolder() throws SQLException {
        TestDb.execute(db, "DELETE FROM cluster_locks");
    }

    @AfterAll
    void close() {
        db.close();
    }

    @Test
    void aRoundHoldsTheJobsAdvisoryLockAndTheHolderKeepsTheJobRoundAfterRound() throws Exception {
        ClusterLock a = lock(ClusterLock.Job.MAINTENANCE, "lock-a");
        ClusterLock b = lock(ClusterLock.Job.MAINTENANCE, "lock-b");

        assertThat(a.take()).isTrue();
        assertThat(TestDb.count(db, LOCK_HELD, ClusterLock.NAMESPACE, 1, "tattile-sender maintenance-schedule lock-a"))
                .as("the advisory lock, held by a's round connection, named after a")
                .isEqualTo(1);
        assertThat(b.take()).as("a's round is running").isFalse();
        a.release();
        assertThat(TestDb.count(db, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"))
                .as("released with the round")
                .isZero();
        Instant since = since();

        assertThat(b.take()).as("a holds the lease and runs the next round").isFalse();
        assertThat(a.take()).isTrue();
        a.release();
        assertThat(holder()).isEqualTo("lock-a");
        assertThat(since()).as("still the same tenure").isEqualTo(since);
        assertThat(a.ran()).isEqualTo(2);
        assertThat(b.ran()).isZero();
        assertThat(b.skipped()).isEqualTo(2);
    }

    @Test
    void aSkippedRoundIsOneDebugLineNeverAWarning() throws Exception {
        ClusterLock a = lock(ClusterLock.Job.MAINTENANCE, "lock-a");
        ClusterLock b = lock(ClusterLock.Job.MAINTENANCE, "lock-b");
        assertThat(a.take()).isTrue();
        Logger maintenance = (Logger) LoggerFactory.getLogger("routes.maintenance");
        try (LogCapture logs = new LogCapture()) {
            assertThat(b.take()).isFalse();
            a.release();
            assertThat(logs.lines()).as("nothing at INFO or above").isEmpty();
            maintenance.setLevel(Level.DEBUG);
            assertThat(b.take()).isFalse();
            assertThat(a.take()).isTrue();
            assertThat(b.take()).isFalse();
            a.release();
            assertThat(logs.lines())
                    .containsExactly(
                            "[MAINTENANCE] Ronda de maintenance-schedule omitida: la ejecuta lock-a",
                            "[MAINTENANCE] Ronda de maintenance-schedule omitida: otra instancia la está ejecutando");
        } finally {
            maintenance.setLevel(null);
        }
    }

    @Test
    void aLockHeldElsewhereMakesEveryInstanceSkipWithoutTouchingTheLease() throws Exception {
        ClusterLock a = lock(ClusterLock.Job.MAINTENANCE, "lock-a");
        try (Connection other = db.getConnection();
                Statement s = other.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + ClusterLock.NAMESPACE + ", 1)");
            try {
                assertThat(a.take()).isFalse();
                assertThat(TestDb.count(db, "SELECT count(*) FROM cluster_locks"))
                        .isZero();
            } finally {
                s.execute("SELECT pg_advisory_unlock(" + ClusterLock.NAMESPACE + ", 1)");
            }
        }
        assertThat(a.take()).isTrue();
        a.release();
        assertThat(holder()).isEqualTo("lock-a");
    }

    @Test
    void aHolderSilentForTwoPeriodsIsTakenOverWithOneInfoLine() throws Exception {
        ClusterLock a = lock(ClusterLock.Job.MAINTENANCE, "lock-a");
        ClusterLock b = lock(ClusterLock.Job.MAINTENANCE, "lock-b");
        assertThat(a.take()).isTrue();
        a.release();
        assertThat(b.take()).isFalse();
        // a killed -9: no hand-over, its session (and any lock) gone, its lease left to run out. Ran out here.
        TestDb.execute(db, "UPDATE cluster_locks SET lease_until = now() - interval '1 second'");
        assertThat(ClusterLock.holders(db))
                .singleElement()
                .satisfies(h -> assertThat(h.holder())
                        .as("a lapsed lease has no holder")
                        .isNull());
        try (LogCapture logs = new LogCapture()) {
            assertThat(b.take()).isTrue();
            b.release();
            assertThat(logs.lines())
                    .singleElement()
                    .asString()
                    .startsWith("[MAINTENANCE] Esta instancia (lock-b) ejecuta ahora maintenance-schedule: "
                            + "lock-a no la ejecutaba desde ");
        }
        assertThat(holder()).isEqualTo("lock-b");
        assertThat(a.take()).as("a, back, finds b running the job").isFalse();
    }

    @Test
    void aStoppingHolderHandsTheJobOverAndAnotherTakesTheNextRound() throws Exception {
        ClusterLock a = lock(ClusterLock.Job.MAINTENANCE, "lock-a");
        ClusterLock b = lock(ClusterLock.Job.MAINTENANCE, "lock-b");
        assertThat(a.take()).isTrue();
        a.release();
        assertThat(b.take()).isFalse();
        a.handOver();
        assertThat(ClusterLock.holders(db)).singleElement().satisfies(h -> {
            assertThat(h.job()).isEqualTo("maintenance-schedule");
            assertThat(h.holder()).isNull();
            assertThat(h.since()).isNull();
            assertThat(h.lastRunAt()).isNotNull();
        });
        assertThat(b.take()).isTrue();
        b.release();
        assertThat(holder()).isEqualTo("lock-b");
        b.handOver();
        b.handOver(); // twice, or by a non-holder: nothing to give up
        a.handOver();
    }

    @Test
    void eachJobHasItsOwnLockAndLease() throws Exception {
        ClusterLock maintenance = lock(ClusterLock.Job.MAINTENANCE, "lock-a");
        ClusterLock leaseRecovery = lock(ClusterLock.Job.LEASE_RECOVERY, "lock-b");
        assertThat(maintenance.take()).isTrue();
        assertThat(leaseRecovery.take())
                .as("a long sweep does not hold lease recovery up")
                .isTrue();
        leaseRecovery.release();
        maintenance.release();
        assertThat(ClusterLock.holders(db))
                .extracting(ClusterLock.Holder::job, ClusterLock.Holder::holder)
                .containsExactly(tuple("maintenance-schedule", "lock-a"), tuple("sender-lease-recovery", "lock-b"));
    }

    @Test
    void aRoundWhoseSessionPostgresEndedReleasesQuietlyAndTheNextRoundTakesTheLockAgain() throws Exception {
        ClusterLock a = lock(ClusterLock.Job.MAINTENANCE, "lock-a");
        assertThat(a.take()).isTrue();
        // A PostgreSQL restart, or an administrator, ends the round's session: its lock goes with it.
        TestDb.execute(
                db,
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = "
                        + ClusterLock.NAMESPACE + " AND objid = 1");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> TestDb.count(db, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0);
        a.release();
        assertThat(a.take()).isTrue();
        a.release();
        assertThat(a.ran()).isEqualTo(2);
    }

    @Test
    void postgresUnavailableIsAnErrorForTheRoutesPolicyAndHoldsNothing() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/none"); // nothing listens on port 1
        config.setConnectionTimeout(500);
        config.setInitializationFailTimeout(-1);
        try (HikariDataSource unreachable = new HikariDataSource(config)) {
            ClusterLock a = new ClusterLock(unreachable, ClusterLock.Job.MAINTENANCE, "lock-a", PERIOD);
            assertThatThrownBy(a::take).isInstanceOf(SQLException.class);
            a.release();
            a.handOver();
            assertThat(a.ran()).isZero();
            assertThat(a.skipped()).isZero();
        }
    }

    private ClusterLock lock(ClusterLock.Job job, String instance) {
        return new ClusterLock(db, job, instance, PERIOD);
    }

    private String holder() throws SQLException {
        return TestDb.text(db, "SELECT holder FROM cluster_locks WHERE job = 'maintenance-schedule'");
    }

    private Instant since() throws SQLException {
        return Instant.parse(TestDb.text(
                db,
                "SELECT to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM cluster_locks"
                        + " WHERE job = 'maintenance-schedule'"));
    }
}
