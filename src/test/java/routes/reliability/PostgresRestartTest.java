package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import routes.config.Settings;
import routes.ingest.IngestStats;
import routes.ingest.Rejection;
import routes.store.Database;
import routes.support.CameraClient;
import routes.support.InProcessService;
import routes.support.LogCapture;
import routes.support.PrivatePostgres;
import routes.support.TestCertificates;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.MossosSandbox;
import routes.tools.SyntheticReadings;

/**
 * PostgreSQL stopped ({@code -m fast}, sessions killed) for a few seconds and started again while
 * cameras send and the sender delivers. The cluster is the test's own ({@link PrivatePostgres}), never
 * the shared server.
 */
class PostgresRestartTest {

    static final int PG_PORT = 24150;
    static final int TCP_PORT = 24151;
    static final int SANDBOX_PORT = 24152;
    static final String DB_NAME = "tattile_restart";
    static final Path IMAGES = Path.of("target/it-images/postgres-restart").toAbsolutePath();
    static final Path CERTS = Path.of("target/it-certs/postgres-restart").toAbsolutePath();
    /** Cameras sending from the start; one more connects and sends its first reading during the outage. */
    static final int CAMERAS = 3;

    static final long OUTAGE_MILLIS = 4000;

    @Test
    void aPostgresRestartUnderIngestAndSendLoadLosesNothingAndSendsEachReadingOnce() throws Exception {
        TestFiles.deleteTree(IMAGES);
        try (PrivatePostgres pg = PrivatePostgres.start(PG_PORT, DB_NAME);
                MossosSandbox sandbox = new MossosSandbox(SANDBOX_PORT, 16);
                HikariDataSource db =
                        Database.pool(Settings.from(dbSettings()::get).database(), "test-private")) {
            Database.migrate(db);
            TestCertificates.Generated cert = TestCertificates.generate(CERTS, "Ajuntament de Reinici", 365, null);
            sandbox.trust(List.of(cert.certificate()));
            var certId = TestCertificates.registerPem(db, "reinici", cert);
            TestDb.execute(
                    db, "INSERT INTO municipalities (name, certificate_id) VALUES ('Reinici', '" + certId + "')");
            for (int c = 0; c <= CAMERAS; c++) {
                TestDb.execute(
                        db,
                        "INSERT INTO cameras (serial_number, municipality_id) SELECT 'PGR0" + c
                                + "', id FROM municipalities");
            }

            Map<String, String> settings = new HashMap<>(dbSettings());
            settings.putAll(Map.of(
                    "TRANSIT_PORT",
                    String.valueOf(TCP_PORT),
                    "IMAGES_BASE_DIR",
                    IMAGES.toString(),
                    "CERTS_DIR",
                    CERTS.toString(),
                    "MOSSOS_ENDPOINT_URL",
                    sandbox.url(),
                    "SENDER_POLL_INTERVAL_SECONDS",
                    "0.1",
                    "SENDER_LEASE_SECONDS",
                    "15",
                    "SENDER_INSTANCE_ID",
                    "restart-test",
                    // Lookups and pool waits that hit the outage instead of riding it out in a cache or a long wait.
                    "CAMERA_CACHE_SECONDS",
                    "1",
                    "DB_CONNECT_TIMEOUT_MS",
                    "1000"));
            settings.putAll(Map.of(
                    "INGEST_STORE_RETRY_DELAY_MS",
                    "100",
                    "INGEST_STORE_RETRY_MAX",
                    "20",
                    "INGEST_MAX_AGE_DAYS",
                    "3650"));

            SyntheticReadings synthetic = new SyntheticReadings(5, 2048, 4096);
            AtomicInteger sequence = new AtomicInteger();
            Set<String> sent = ConcurrentHashMap.newKeySet();
            AtomicInteger reconnects = new AtomicInteger();
            AtomicInteger sentAfterRestart = new AtomicInteger();
            AtomicBoolean restarted = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean outage = new AtomicBoolean();
            List<Thread> cameras = new ArrayList<>();

            try (LogCapture logs = new LogCapture();
                    InProcessService service = InProcessService.start(settings, "ingest,sender")) {
                IngestStats stats = service.bean("ingestStats", IngestStats.class);
                for (int c = 0; c <= CAMERAS; c++) {
                    String serial = "PGR0" + c;
                    boolean latecomer = c == CAMERAS;
                    Thread t = new Thread(
                            () -> {
                                CameraClient camera = null;
                                try {
                                    while (latecomer && !outage.get()) {
                                        Thread.sleep(20);
                                    }
                                    if (latecomer) {
                                        Thread.sleep(
                                                1000); // first connection and first reading of this camera: PostgreSQL
                                        // is down
                                    }
                                    while (!stop.get()) {
                                        if (camera == null) {
                                            camera = new CameraClient(TCP_PORT);
                                        }
                                        int n = sequence.incrementAndGet();
                                        String plate = String.format("%04dPGR", n);
                                        try {
                                            camera.send(synthetic.vega(
                                                    serial,
                                                    plate,
                                                    LocalDateTime.of(2026, 9, 1, 10, 0)
                                                            .plusSeconds(n)));
                                            sent.add(serial + "|" + plate);
                                            if (restarted.get()) {
                                                sentAfterRestart.incrementAndGet();
                                            }
                                        } catch (IOException broken) {
                                            reconnects.incrementAndGet();
                                            camera.close();
                                            camera = null;
                                        }
                                        Thread.sleep(120);
                                    }
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                } finally {
                                    try {
                                        if (camera != null) {
                                            camera.close();
                                        }
                                    } catch (IOException ignored) {
                                        // closing
                                    }
                                }
                            },
                            "camera-" + serial);
                    t.start();
                    cameras.add(t);
                }

                await().atMost(Duration.ofSeconds(30))
                        .until(() -> sandbox.received().size() >= 20); // ingest and send are flowing
                long stopAt = System.nanoTime();
                pg.stopServer();
                outage.set(true);
                Thread.sleep(OUTAGE_MILLIS);
                pg.startServer();
                long outageMillis = (System.nanoTime() - stopAt) / 1_000_000;
                restarted.set(true);
                int deliveredAtRestart = sandbox.received().size();
                Thread.sleep(3000); // the cameras keep sending after the restart
                stop.set(true);
                for (Thread t : cameras) {
                    t.join(10_000);
                }

                // Every reading a camera wrote is stored, then delivered: both tables drain to empty. (Waits at most
                // 60 s; the assertions below then name what is missing.)
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (System.nanoTime() < deadline
                        && !(sandbox.received().size() >= sent.size()
                                && TestDb.count(db, "SELECT count(*) FROM alpr_readings") == 0
                                && TestDb.count(db, "SELECT count(*) FROM messages_queue") == 0)) {
                    Thread.sleep(250);
                }
                assertThat(TestDb.count(
                                db,
                                "SELECT count(*) FROM alpr_readings r LEFT JOIN messages_queue q ON q.reading_id = r.id "
                                        + "WHERE q.id IS NULL"))
                        .as("no reading without its queue row")
                        .isZero();

                List<MossosSandbox.Received> received = sandbox.received();
                Map<String, Long> perReading = received.stream()
                        .collect(Collectors.groupingBy(
                                r -> r.codiLector() + "|" + r.matricula(), Collectors.counting()));
                List<String> duplicates = perReading.entrySet().stream()
                        .filter(e -> e.getValue() > 1)
                        .map(Map.Entry::getKey)
                        .toList();
                System.out.printf(
                        "[postgres-restart] sent=%d delivered=%d outage=%d ms reconnects=%d sentAfterRestart=%d"
                                + " deliveredAtRestart=%d storeRetries=%d%n",
                        sent.size(),
                        received.size(),
                        outageMillis,
                        reconnects.get(),
                        sentAfterRestart.get(),
                        deliveredAtRestart,
                        logs.linesContaining("Failed delivery for").size());

                assertThat(perReading.keySet())
                        .as("every reading a camera sent was delivered, nothing else")
                        .containsExactlyInAnyOrderElementsOf(sent);
                assertThat(duplicates)
                        .as("readings the sandbox received more than once")
                        .isEmpty();
                assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings"))
                        .isZero();
                assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue"))
                        .isZero();
                assertThat(sentAfterRestart.get())
                        .as("cameras kept sending after the restart")
                        .isGreaterThan(10);
                assertThat(reconnects.get())
                        .as("the service kept every camera connection open through the restart")
                        .isZero();
                assertThat(sent)
                        .as("the camera that first connected during the outage")
                        .anyMatch(k -> k.startsWith("PGR0" + CAMERAS + "|"));
                assertThat(logs.linesContaining("circuito abierto"))
                        .as("a database outage is not the endpoint's: its breaker stays closed")
                        .isEmpty();
                assertThat(stats.rejectedCount(Rejection.STORE_FAILED))
                        .as("no reading given up by the ingest")
                        .isZero();
                assertThat(logs.linesContaining("[INGEST] Lectura perdida")).isEmpty();
                assertThat(TestDb.count(db, "SELECT count(*) FROM delivery_log WHERE outcome = 'DEAD'"))
                        .isZero();
                assertThat(TestFiles.regularFiles(IMAGES))
                        .as("no image left behind (orphan or temporary)")
                        .isEmpty();
                assertThat(logs.lines())
                        .noneMatch(l -> l.contains("PRIVATE KEY") || l.contains(TestCertificates.PASSWORD));
            } finally {
                stop.set(true);
            }
        }
    }

    private static Map<String, String> dbSettings() {
        return Map.of(
                "DB_HOST",
                "127.0.0.1",
                "DB_PORT",
                String.valueOf(PG_PORT),
                "DB_NAME",
                DB_NAME,
                "DB_USER",
                "tattile",
                "DB_PASSWORD",
                "tattile",
                "DB_POOL_SIZE",
                "20");
    }
}
