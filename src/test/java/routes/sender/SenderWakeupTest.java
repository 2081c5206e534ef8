package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.support.CameraClient;
import routes.support.InProcessService;
import routes.support.LogCapture;
import routes.support.TestCertificates;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.MossosSandbox;
import routes.tools.SyntheticReadings;

/**
 * The sender is woken by the commit that queued a reading (PostgreSQL LISTEN/NOTIFY), not by its poll: with a poll
 * interval of an hour, readings are still delivered, including after the listening connection was killed (it
 * reconnects, and looks at the queue once on reconnecting). Real service, real PostgreSQL, real signed sends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SenderWakeupTest {

    static final int TCP_PORT = 25711;
    static final int SANDBOX_PORT = 25712;
    static final Path CERTS = Path.of("target/it-certs/wakeup");
    static final Path IMAGES = Path.of("target/it-images/wakeup");

    private final HikariDataSource db = TestDb.open();
    private final SyntheticReadings synthetic = new SyntheticReadings(19, 2048, 4096);
    private MossosSandbox sandbox;
    private TestCertificates.Generated girona;

    @BeforeAll
    void start() throws Exception {
        sandbox = new MossosSandbox(SANDBOX_PORT, 8);
        girona = TestCertificates.generate(CERTS.resolve("girona"), "Ajuntament de Girona", 365, null);
        sandbox.trust(List.of(girona.certificate()));
    }

    @AfterAll
    void stop() throws Exception {
        sandbox.close();
        db.close();
    }

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(IMAGES);
        sandbox.reset();
        var cert = TestCertificates.registerPem(db, "girona", girona);
        TestDb.execute(db, "INSERT INTO municipalities (name, certificate_id) VALUES ('Girona', '" + cert + "')");
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, municipality_id) SELECT 'WAKE01', id FROM municipalities WHERE name = 'Girona'");
    }

    private Map<String, String> settings() {
        Map<String, String> s = TestDb.serviceSettings(
                "TRANSIT_PORT", String.valueOf(TCP_PORT),
                "IMAGES_BASE_DIR", IMAGES.toAbsolutePath().toString(),
                "CERTS_DIR", CERTS.toAbsolutePath().toString(),
                "INGEST_MAX_AGE_DAYS", "3650",
                "CAMERA_CACHE_SECONDS", "0",
                "MOSSOS_ENDPOINT_URL", sandbox.url(),
                "SENDER_INSTANCE_ID", "wakeup");
        // An hour: only a notification can start a round during the test (the first round waits too).
        s.put("SENDER_POLL_INTERVAL_SECONDS", "3600");
        return s;
    }

    private String reading(String plate) {
        return synthetic.vega(
                "WAKE01", plate, LocalDateTime.now(ZoneId.of("Europe/Madrid")).withNano(0));
    }

    @Test
    void aQueuedReadingWakesTheSenderLongBeforeItsPoll() throws Exception {
        try (InProcessService service = InProcessService.start(settings(), "ingest,sender");
                CameraClient camera = new CameraClient(TCP_PORT)) {
            for (int i = 0; i < 3; i++) {
                camera.send(reading("500" + i + "WAK"));
                int expected = i + 1;
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> sandbox.received().size() == expected);
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> TestDb.count(db, "SELECT count(*) FROM alpr_readings") == 0);
        }
    }

    @Test
    void aKilledListeningConnectionReconnectsAndLooksAtTheQueueOnce() throws Exception {
        try (InProcessService service = InProcessService.start(settings(), "ingest,sender");
                LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(TCP_PORT)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> listeners() == 1);
            TestDb.execute(
                    db,
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            + " WHERE application_name = 'tattile-sender queue notifications'");
            // Queued while nobody listens: found by the look at the queue on reconnecting.
            camera.send(reading("6000KIL"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> sandbox.received().size() == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> listeners() == 1);
            camera.send(reading("6001KIL"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> sandbox.received().size() == 2);
            assertThat(logs.linesContaining("Sin avisos de lecturas nuevas")).hasSize(1);
        }
    }

    private long listeners() throws Exception {
        return TestDb.count(
                db,
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tattile-sender queue notifications'"
                        + " AND datname = current_database()");
    }
}
