package routes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.store.ImageStore;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.MossosSandbox;

/**
 * {@code kill -9} of the service while it sends (16 signed sends in flight to a sandbox that answers after
 * 150 ms). After a restart the leases of the killed sends expire, every reading is delivered, and only the
 * sends in flight at the kill can reach Mossos twice (at-least-once at that point, as the README says).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KillDuringSendIT {

    static final int SANDBOX_PORT = 24311;
    static final int CONCURRENCY = 16;
    static final int READINGS = 600;
    static final Path IMAGES = Path.of("target/it-images/kill-send").toAbsolutePath();
    static final Path CERTS = Path.of("target/it-certs/kill-send").toAbsolutePath();
    static final Path LOG = Path.of("target/kill-send-it.log");

    private final HikariDataSource db = TestDb.open();

    @AfterAll
    void close() {
        db.close();
    }

    @Test
    void aKillDuringSendingRecoversItsLeasesDeliversEveryReadingAndResendsOnlyWhatWasInFlight() throws Exception {
        TestFiles.deleteTree(IMAGES);
        TestFiles.deleteTree(CERTS);
        var cert = FaultFixtures.registry(db, CERTS, "Envios", List.of("SEND01", "SEND02"));
        FaultFixtures.preload(
                db,
                new ImageStore(IMAGES, false),
                List.of("SEND01", "SEND02"),
                READINGS,
                new byte[2048],
                new byte[6144]);

        try (MossosSandbox sandbox = new MossosSandbox(SANDBOX_PORT, 64)) {
            sandbox.trust(List.of(cert.certificate())).latency(150);
            Map<String, String> sender = Map.of(
                    "TATTILE_FLOWS",
                    "sender",
                    "IMAGES_BASE_DIR",
                    IMAGES.toString(),
                    "MOSSOS_ENDPOINT_URL",
                    sandbox.url(),
                    "SENDER_CONCURRENCY",
                    String.valueOf(CONCURRENCY),
                    "SENDER_LEASE_SECONDS",
                    "10",
                    "SENDER_POLL_INTERVAL_SECONDS",
                    "0.2");
            long inFlightAtKill;
            try (JarService service = JarService.start(LOG, sender).awaitStarted(0)) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> sandbox.received().size() >= 200);
                service.kill9();
                inFlightAtKill = TestDb.count(db, "SELECT count(*) FROM messages_queue WHERE status = 'SENDING'");
            }
            assertThat(inFlightAtKill).isBetween(1L, (long) CONCURRENCY);
            long deliveredBeforeRestart = READINGS - TestDb.count(db, "SELECT count(*) FROM messages_queue");

            try (JarService restarted = JarService.start(LOG, sender).awaitStarted(0)) {
                await().atMost(Duration.ofSeconds(90))
                        .until(() -> TestDb.count(db, "SELECT count(*) FROM messages_queue") == 0);
                assertThat(restarted.log()).contains("SENDING_TIMEOUT_RECOVERED");
            }

            var received = sandbox.received();
            Map<String, Long> perReading = received.stream()
                    .collect(Collectors.groupingBy(MossosSandbox.Received::key, Collectors.counting()));
            long twice = perReading.values().stream().filter(n -> n > 1).count();
            System.out.printf(
                    "[kill-send] delivered before the kill %d, SENDING at the kill %d, sent twice %d of %d readings%n",
                    deliveredBeforeRestart, inFlightAtKill, twice, READINGS);
            assertThat(perReading).hasSize(READINGS);
            assertThat(perReading.values()).allMatch(n -> n <= 2);
            assertThat(twice)
                    .as("only sends in flight at the kill may be repeated")
                    .isLessThanOrEqualTo(inFlightAtKill);
            assertThat(sandbox.rejectedCount()).isZero();
        }
        assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings")).isZero();
        assertThat(TestDb.count(db, "SELECT count(*) FROM delivery_log WHERE outcome = 'DELIVERED'"))
                .isLessThanOrEqualTo(READINGS);
    }
}
