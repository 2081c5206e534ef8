package routes.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.support.TestDb;

/**
 * The cluster-wide cap on an endpoint's sends in flight ({@code endpoints.max_in_flight}) at the store, against the real
 * PostgreSQL: {@link QueueRepository#takeSlot} counts only SENDING rows under a live lease, never gives more slots than
 * the cap to racing callers, and the sender's claim clears a re-claimed row's old slot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndpointSlotsStoreTest {

    private static final String ME = "slots-a";

    private final HikariDataSource db = TestDb.open();
    private final QueueRepository queue = new QueueRepository(db, false);
    private UUID endpoint;
    private UUID camera;
    private int plates;

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
        camera = TestDb.camera(db, "SLOT01", null);
        endpoint = UUID.fromString(
                TestDb.text(
                        db,
                        "INSERT INTO endpoints (name, url, max_in_flight) VALUES ('capped', 'http://x.example/', 3) RETURNING id"));
        TestDb.execute(db, "UPDATE cameras SET endpoint_id = '" + endpoint + "'");
    }

    @AfterAll
    void close() throws Exception {
        TestDb.reset(db);
        db.close();
    }

    /** A queued reading in the given state; returns its queue id. */
    UUID row(String status, String lockedBy, String leaseLeft, UUID sendingTo) throws Exception {
        UUID reading = UUID.randomUUID();
        try (Connection c = db.getConnection();
                PreparedStatement r = c.prepareStatement(
                        "INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, has_image_ocr, has_image_ctx, camera_id)"
                                + " VALUES (?, ?, timestamp '2026-05-01' + ? * interval '1 second', 'SLOT01', false, false, ?)");
                PreparedStatement q = c.prepareStatement(
                        "INSERT INTO messages_queue (reading_id, status, locked_by, locked_until, sending_to)"
                                + " VALUES (?, ?, ?, now() + ?::interval, ?) RETURNING id")) {
            int n = ++plates;
            r.setObject(1, reading);
            r.setString(2, "S" + n);
            r.setInt(3, n);
            r.setObject(4, camera);
            r.executeUpdate();
            q.setObject(1, reading);
            q.setString(2, status);
            q.setString(3, lockedBy);
            q.setString(4, leaseLeft);
            q.setObject(5, sendingTo);
            try (var rs = q.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    long slotsHeld() throws Exception {
        return TestDb.count(
                db, "SELECT count(*) FROM messages_queue WHERE sending_to = ? AND status = 'SENDING'", endpoint);
    }

    @Test
    void slotsAreGivenUpToTheCapAndNoMore() throws Exception {
        List<UUID> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rows.add(row("SENDING", ME, "60 seconds", null));
        }
        assertThat(queue.takeSlot(rows.get(0), endpoint, 3, ME)).isTrue();
        assertThat(queue.takeSlot(rows.get(1), endpoint, 3, ME)).isTrue();
        assertThat(queue.takeSlot(rows.get(2), endpoint, 3, ME)).isTrue();
        assertThat(queue.takeSlot(rows.get(3), endpoint, 3, ME)).isFalse();
        assertThat(slotsHeld()).isEqualTo(3);
        // Another endpoint's cap is its own.
        UUID other = UUID.fromString(
                TestDb.text(
                        db,
                        "INSERT INTO endpoints (name, url, max_in_flight) VALUES ('other', 'http://y.example/', 1) RETURNING id"));
        assertThat(queue.takeSlot(rows.get(3), other, 1, ME)).isTrue();
    }

    @Test
    void onlySendingRowsUnderALiveLeaseHoldASlot() throws Exception {
        // A killed instance's send: SENDING, its lease run out. A failed, postponed or DEAD row keeps its sending_to.
        row("SENDING", "killed", "-1 second", endpoint);
        row("FAILED", null, "0 seconds", endpoint);
        row("PENDING", null, "0 seconds", endpoint);
        row("DEAD", null, "0 seconds", endpoint);
        UUID mine = row("SENDING", ME, "60 seconds", null);
        assertThat(queue.takeSlot(mine, endpoint, 1, ME))
                .as("no live slot held")
                .isTrue();

        UUID next = row("SENDING", ME, "60 seconds", null);
        assertThat(queue.takeSlot(next, endpoint, 1, ME))
                .as("the one slot is held")
                .isFalse();
        // The send's outcome frees it: the row leaves SENDING (here postponed).
        queue.postponed(mine, ME, Instant.now());
        assertThat(queue.takeSlot(next, endpoint, 1, ME)).isTrue();
    }

    @Test
    void aRowThisInstanceNoLongerHoldsGetsNoSlot() throws Exception {
        UUID recovered = row("SENDING", "slots-b", "60 seconds", null);
        assertThat(queue.takeSlot(recovered, endpoint, 3, ME)).isFalse();
        assertThat(slotsHeld()).isZero();
    }

    /** Two callers for the last slot, both waiting on the endpoint's lock when it is let go: one slot between them. */
    @Test
    void twoCallersRacingForTheLastSlotGetOneBetweenThem() throws Exception {
        row("SENDING", "slots-b", "60 seconds", endpoint);
        row("SENDING", "slots-b", "60 seconds", endpoint);
        UUID first = row("SENDING", ME, "60 seconds", null);
        UUID second = row("SENDING", ME, "60 seconds", null);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Connection gate = db.getConnection()) {
            gate.setAutoCommit(false);
            try (PreparedStatement ps = gate.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
                ps.setInt(1, ClusterLock.NAMESPACE);
                ps.setString(2, endpoint.toString());
                ps.execute();
            }
            Future<Boolean> a = pool.submit(() -> queue.takeSlot(first, endpoint, 3, ME));
            Future<Boolean> b = pool.submit(() -> queue.takeSlot(second, endpoint, 3, ME));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> TestDb.count(
                                    db,
                                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                                            + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
                            == 2);
            gate.commit();
            assertThat(List.of(a.get(), b.get())).containsExactlyInAnyOrder(true, false);
        } finally {
            pool.shutdownNow();
        }
        assertThat(slotsHeld()).isEqualTo(3);
    }

    /** Many callers at once, round after round: never more slots than the cap. */
    @Test
    void manyCallersAtOnceNeverGetMoreThanTheCap() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 10; round++) {
                TestDb.execute(db, "DELETE FROM messages_queue");
                List<UUID> rows = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    rows.add(row("SENDING", ME, "60 seconds", null));
                }
                CountDownLatch start = new CountDownLatch(1);
                List<Callable<Boolean>> calls = new ArrayList<>();
                for (UUID r : rows) {
                    calls.add(() -> {
                        start.await();
                        return queue.takeSlot(r, endpoint, 3, ME);
                    });
                }
                List<Future<Boolean>> results = new ArrayList<>();
                for (var call : calls) {
                    results.add(pool.submit(call));
                }
                start.countDown();
                int granted = 0;
                for (var f : results) {
                    granted += f.get() ? 1 : 0;
                }
                assertThat(granted).as("round %d", round).isEqualTo(3);
                assertThat(slotsHeld()).isEqualTo(3);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The claim as the sender runs it: a re-claimed row holds no slot until it takes one again. */
    @Test
    void theClaimClearsAReclaimedRowsOldSlot() throws Exception {
        UUID failed = row("FAILED", null, "0 seconds", endpoint);
        TestDb.execute(db, "UPDATE messages_queue SET next_attempt_at = now() - interval '1 second'");
        String claim = ClaimQueryPlanTest.claimUri(Files.readString(Path.of("src/main/resources/camel/sender.yaml")))
                .substring("sql:".length())
                .replace(":#instance", "'" + ME + "'")
                .replace(":#claimLimit", "10")
                .replace("{{SENDER_LEASE_SECONDS}}", "60");
        assertThat(claim).doesNotContain(":#", "{{");
        assertThat(TestDb.text(db, claim)).isEqualTo(failed.toString());
        assertThat(TestDb.text(db, "SELECT status FROM messages_queue WHERE id = ?", failed))
                .isEqualTo("SENDING");
        assertThat(slotsHeld()).isZero();
        assertThat(claim).as("the cap comes with the claimed row").contains("e.max_in_flight");
    }
}
