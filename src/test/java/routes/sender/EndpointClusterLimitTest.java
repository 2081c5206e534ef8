package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.Setting;
import routes.store.ImageStore;
import routes.store.ReadingRepository;
import routes.support.InProcessService;
import routes.support.TestCertificates;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.support.TestReadings;
import routes.tools.MossosSandbox;

/**
 * Issue 15, point 4: two sender instances (SENDER_CONCURRENCY 8 each) against one endpoint with
 * {@code endpoints.max_in_flight = 3}. The real sandbox verifies every signature and counts the requests it handles at
 * once; its latency makes the sends overlap.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndpointClusterLimitTest {

    static final int SANDBOX_PORT = 25680;
    static final int CAP = 3;
    static final int READINGS = 40;
    static final Path IMAGES = Path.of("target/it-images/cluster-limit").toAbsolutePath();
    static final Path CERTS = Path.of("target/it-certs/cluster-limit").toAbsolutePath();

    private final HikariDataSource db = TestDb.open();
    private final MossosSandbox sandbox = new MossosSandbox(SANDBOX_PORT, 32);
    private final ImageStore images = new ImageStore(IMAGES, false);
    private TestCertificates.Generated girona;
    private InProcessService a;
    private InProcessService b;
    private UUID endpoint;
    private int sequence;

    EndpointClusterLimitTest() throws Exception {}

    @BeforeAll
    void start() throws Exception {
        girona = TestCertificates.generate(CERTS.resolve("girona"), "Ajuntament de Girona", 365, null);
        sandbox.trust(List.of(girona.certificate()));
        TestDb.reset(db);
        a = InProcessService.start(settings("cap-a", 25601), "sender");
        b = InProcessService.start(settings("cap-b", 25602), "sender");
    }

    Map<String, String> settings(String instance, int apiPort) {
        var dbSettings = TestDb.settings();
        Map<String, String> m = new HashMap<>();
        m.put("DB_HOST", dbSettings.text(Setting.DB_HOST));
        m.put("DB_PORT", dbSettings.text(Setting.DB_PORT));
        m.put("DB_NAME", TestDb.NAME);
        m.put("API_PORT", String.valueOf(apiPort));
        m.put("TRANSIT_PORT", String.valueOf(apiPort + 10));
        m.put("JOLOKIA_PORT", "0");
        m.put("IMAGES_BASE_DIR", IMAGES.toString());
        m.put("CERTS_DIR", CERTS.toString());
        m.put("MOSSOS_ENDPOINT_URL", sandbox.url() + "-global");
        m.put("SENDER_POLL_INTERVAL_SECONDS", "0.1");
        m.put("SENDER_CONCURRENCY", "8");
        m.put("SENDER_DEFAULT_RETRY_MAX", "2");
        m.put("SENDER_DEFAULT_BACKOFF_MS", "200");
        m.put("SENDER_MAX_BACKOFF_MS", "800");
        m.put("SENDER_INSTANCE_ID", instance);
        m.put("SENDER_LEASE_SECONDS", "30");
        return m;
    }

    @BeforeEach
    void cleanSlate() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.inFlight() == 0);
        TestDb.reset(db);
        TestFiles.deleteTree(IMAGES);
        sandbox.reset();
        sandbox.latency(200);
        UUID certificate = TestCertificates.registerPem(db, "girona", girona);
        endpoint = TestCertificates.endpoint(db, "capped", sandbox.url(), 2, 200);
        TestDb.execute(
                db,
                "INSERT INTO municipalities (name, certificate_id, endpoint_id) VALUES ('Girona', '" + certificate
                        + "', '" + endpoint + "')");
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, codigo_lector, municipality_id) "
                        + "SELECT 'CAP01', 'GIR-CAP', id FROM municipalities WHERE name = 'Girona'");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        } finally {
            sandbox.close();
            TestDb.reset(db);
            db.close();
        }
    }

    @Test
    void twoInstancesNeverSendMoreThanTheCapAtOnceAndDeliverEveryReadingOnce() throws Exception {
        TestDb.execute(db, "UPDATE endpoints SET max_in_flight = " + CAP);
        long refusedBefore = slots(a).refused() + slots(b).refused();
        long takenA = slots(a).taken();
        long takenB = slots(b).taken();
        List<String> plates = queueReadings(READINGS);

        awaitDelivered();
        assertThat(sandbox.maxConcurrent())
                .as("requests the endpoint handled at once")
                .isEqualTo(CAP);
        assertThat(sandbox.received())
                .extracting(MossosSandbox.Received::matricula)
                .containsExactlyInAnyOrderElementsOf(plates);
        assertThat(count("SELECT count(*) FROM delivery_log WHERE outcome = 'DELIVERED'"))
                .isEqualTo(READINGS);
        assertThat(count("SELECT count(*) FROM delivery_log WHERE outcome <> 'DELIVERED' OR attempts <> 0"))
                .as("no failure, no DEAD, no attempt used by waiting for a slot")
                .isZero();
        // Both instances sent, and the cap was contended (readings waited for a slot).
        assertThat(slots(a).taken() - takenA).isPositive();
        assertThat(slots(b).taken() - takenB).isPositive();
        assertThat(slots(a).taken() - takenA + slots(b).taken() - takenB).isEqualTo(READINGS);
        assertThat(slots(a).refused() + slots(b).refused() - refusedBefore).isPositive();
    }

    /** The same without a cap exceeds it: the test above can fail. */
    @Test
    void withoutACapTheTwoInstancesSendMoreAtOnce() throws Exception {
        long taken = slots(a).taken() + slots(b).taken();
        long refused = slots(a).refused() + slots(b).refused();
        List<String> plates = queueReadings(READINGS);

        awaitDelivered();
        assertThat(sandbox.maxConcurrent()).isGreaterThan(CAP);
        assertThat(sandbox.received())
                .extracting(MossosSandbox.Received::matricula)
                .containsExactlyInAnyOrderElementsOf(plates);
        assertThat(slots(a).taken() + slots(b).taken())
                .as("no slot taken for an endpoint without a cap")
                .isEqualTo(taken);
        assertThat(slots(a).refused() + slots(b).refused()).isEqualTo(refused);
    }

    /**
     * A slot held by an instance that was killed mid-send (SENDING, its lease still running) keeps the endpoint full;
     * once the lease runs out the slot counts no more and the readings go.
     */
    @Test
    void aKilledInstancesSlotComesBackWhenItsLeaseRunsOut() throws Exception {
        TestDb.execute(db, "UPDATE endpoints SET max_in_flight = 1");
        // Stored already SENDING (one statement), so that no live instance claims it first.
        String ghost = "9999CAP";
        UUID ghostId = UUID.randomUUID();
        Instant t = Instant.parse("2026-05-02T10:00:00Z");
        String ocr = ImageStore.relativePath("CAP01", ghost, t, ghostId, ImageStore.Kind.OCR);
        images.write(ocr, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3});
        TestDb.execute(
                db,
                "WITH r AS (INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, country_code, has_image_ocr,"
                        + " image_ocr_path, has_image_ctx, camera_id) SELECT '" + ghostId + "', '" + ghost + "', '" + t
                        + "', 'CAP01', 'ESP', true, '" + ocr + "', false, id FROM cameras WHERE serial_number = 'CAP01'"
                        + " RETURNING id) INSERT INTO messages_queue (reading_id, status, locked_by, locked_until, sending_to)"
                        + " SELECT id, 'SENDING', 'killed', now() + interval '10 minutes', '" + endpoint + "' FROM r");
        long refused = slots(a).refused() + slots(b).refused();
        List<String> plates = queueReadings(5);

        await().atMost(Duration.ofSeconds(20)).until(() -> slots(a).refused() + slots(b).refused() - refused >= 10);
        assertThat(sandbox.received()).isEmpty();
        assertThat(count("SELECT count(*) FROM messages_queue WHERE attempts > 0"))
                .isZero();

        TestDb.execute(
                db, "UPDATE messages_queue SET locked_until = now() - interval '1 second' WHERE locked_by = 'killed'");
        // Every reading goes, the killed instance's own one too (recovered: SENDING_TIMEOUT_RECOVERED), once each.
        awaitDelivered();
        List<String> expected = new ArrayList<>(plates);
        expected.add(ghost);
        assertThat(sandbox.received())
                .extracting(MossosSandbox.Received::matricula)
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(sandbox.maxConcurrent()).isEqualTo(1);
    }

    private void awaitDelivered() {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> count("SELECT count(*) FROM messages_queue") == 0
                        && count("SELECT count(*) FROM alpr_readings") == 0);
    }

    private static EndpointSlots slots(InProcessService s) {
        return s.bean("endpointSlots", EndpointSlots.class);
    }

    /** Readings queued as the ingest stores them (OCR image written), returning their plates. */
    private List<String> queueReadings(int n) throws Exception {
        List<String> plates = new ArrayList<>();
        UUID camera = UUID.fromString(TestDb.text(db, "SELECT id::text FROM cameras WHERE serial_number = 'CAP01'"));
        ReadingRepository readings = new ReadingRepository(db);
        for (int i = 0; i < n; i++) {
            int k = ++sequence;
            String plate = String.format("%04dCAP", k);
            UUID id = UUID.randomUUID();
            Instant t = Instant.parse("2026-05-01T10:00:00Z").plusSeconds(k);
            String ocr = ImageStore.relativePath("CAP01", plate, t, id, ImageStore.Kind.OCR);
            images.write(ocr, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3});
            readings.insert(TestReadings.of(id, camera, plate, t, "CAP01", null, null), ocr, null);
            plates.add(plate);
        }
        return plates;
    }

    private long count(String sql) throws Exception {
        return TestDb.count(db, sql);
    }
}
