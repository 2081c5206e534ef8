package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import routes.config.Setting;
import routes.store.ImageStore;
import routes.store.ReadingRepository;
import routes.store.S3ImageStore;
import routes.support.CameraClient;
import routes.support.Cli;
import routes.support.InProcessService;
import routes.support.LogCapture;
import routes.support.S3ProxyServer;
import routes.support.TestCertificates;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.support.TestReadings;
import routes.tools.MossosSandbox;
import routes.tools.SyntheticReadings;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code IMAGE_STORE=s3} end to end, against a real S3 implementation (S3Proxy as its own JVM) and the real PostgreSQL:
 * the ingest writes both objects before the rows commit, the sender reads them and deletes them on delivery, an S3
 * outage is a database outage to both (back-pressure and retries, nothing lost, nothing half-stored), and bad S3
 * settings stop start-up with one line naming the key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3ImageStoreFlowsTest {

    static final int TCP_PORT = 25301;
    static final int SANDBOX_PORT = 25302;
    static final String PREFIX = "tattile/";
    static final Path CERTS = Path.of("target/it-certs/s3-flows");
    static final Path IMAGES = Path.of("target/it-images/s3-flows");

    private final HikariDataSource db = TestDb.open();
    private final SyntheticReadings synthetic = new SyntheticReadings(11, 2048, 4096);
    private MossosSandbox sandbox;
    private S3ProxyServer s3;
    private S3Client raw;
    private String bucket;
    private TestCertificates.Generated girona;

    @BeforeAll
    void start() throws Exception {
        s3 = S3ProxyServer.start();
        raw = s3.client();
        sandbox = new MossosSandbox(SANDBOX_PORT, 8);
        girona = TestCertificates.generate(CERTS.resolve("girona"), "Ajuntament de Girona", 365, null);
        sandbox.trust(List.of(girona.certificate()));
    }

    @AfterAll
    void stop() throws Exception {
        sandbox.close();
        raw.close();
        s3.close();
        db.close();
    }

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(IMAGES);
        sandbox.reset();
        bucket = "s3-flows-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(bucket);
        UUID cert = TestCertificates.registerPem(db, "girona", girona);
        TestDb.execute(db, "INSERT INTO municipalities (name, certificate_id) VALUES ('Girona', '" + cert + "')");
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, codigo_lector, municipality_id) "
                        + "SELECT 'S3GI01', 'GIR-S3', id FROM municipalities WHERE name = 'Girona'");
    }

    private Map<String, String> settings() throws Exception {
        var dbSettings = TestDb.settings();
        Map<String, String> m = new HashMap<>(s3.settings(bucket, PREFIX));
        m.put("DB_HOST", dbSettings.text(Setting.DB_HOST));
        m.put("DB_PORT", dbSettings.text(Setting.DB_PORT));
        m.put("DB_NAME", TestDb.NAME);
        m.put("TRANSIT_PORT", String.valueOf(TCP_PORT));
        m.put("API_PORT", "25303");
        m.put("IMAGES_BASE_DIR", IMAGES.toAbsolutePath().toString());
        m.put("CERTS_DIR", CERTS.toAbsolutePath().toString());
        m.put("INGEST_MAX_AGE_DAYS", "3650");
        m.put("INGEST_STORE_RETRY_DELAY_MS", "100");
        m.put("INGEST_STORE_RETRY_MAX", "1000");
        m.put("CAMERA_CACHE_SECONDS", "0");
        m.put("MOSSOS_ENDPOINT_URL", sandbox.url());
        m.put("SENDER_POLL_INTERVAL_SECONDS", "0.1");
        m.put("SENDER_DEFAULT_BACKOFF_MS", "200");
        m.put("SENDER_MAX_BACKOFF_MS", "500");
        m.put("SENDER_INSTANCE_ID", "s3-flows");
        return m;
    }

    private List<String> objectKeys() {
        return raw.listObjectsV2(b -> b.bucket(bucket)).contents().stream()
                .map(S3Object::key)
                .sorted()
                .toList();
    }

    private long readings() throws Exception {
        return TestDb.count(db, "SELECT count(*) FROM alpr_readings");
    }

    @Test
    void aReadingIsStoredInTheBucketThenSentFromItAndItsObjectsDeletedOnDelivery() throws Exception {
        String plate = "1234SSS";
        try (InProcessService ingest = InProcessService.start(settings(), "ingest");
                CameraClient camera = new CameraClient(TCP_PORT)) {
            camera.send(synthetic.vega("S3GI01", plate, LocalDateTime.of(2026, 7, 1, 12, 0, 5, 250_000_000)));
            await().atMost(Duration.ofSeconds(20)).until(() -> readings() == 1);
        }
        String ocr = TestDb.text(db, "SELECT image_ocr_path FROM alpr_readings");
        String ctx = TestDb.text(db, "SELECT image_ctx_path FROM alpr_readings");
        assertThat(ocr).matches("S3GI01/2026/07/01/20260701100005250_plate-1234SSS_[0-9a-f-]{36}_ocr\\.jpg");
        assertThat(ctx).isEqualTo(ocr.replace("_ocr.jpg", "_ctx.jpg"));
        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue WHERE status = 'PENDING'"))
                .isEqualTo(1);
        assertThat(objectKeys()).as("both images, under the prefix").containsExactly(PREFIX + ctx, PREFIX + ocr);
        assertThat(raw.getObjectAsBytes(b -> b.bucket(bucket).key(PREFIX + ocr)).asByteArray())
                .isEqualTo(synthetic.ocrJpeg());
        assertThat(Files.exists(IMAGES)).as("nothing in the image folder").isFalse();

        try (InProcessService sender = InProcessService.start(settings(), "sender")) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> sandbox.received().size() == 1 && readings() == 0);
            await().atMost(Duration.ofSeconds(5)).until(() -> objectKeys().isEmpty());
        }
        MossosSandbox.Received r = sandbox.received().get(0);
        assertThat(r.matricula()).isEqualTo(plate);
        assertThat(r.hasContext())
                .as("the context image was read from the bucket too")
                .isTrue();
    }

    @Test
    void whileS3IsDownAReadingWaitsUnderBackPressureAndIsStoredWholeWhenItIsBack() throws Exception {
        try (InProcessService ingest = InProcessService.start(settings(), "ingest");
                LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(TCP_PORT)) {
            s3.stop();
            try {
                camera.send(synthetic.vega("S3GI01", "5678DWN", LocalDateTime.of(2026, 7, 1, 12, 0, 6)));
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> logs.lines().stream()
                                .anyMatch(l -> l.contains("ImagesUnavailableException")
                                        && l.contains("almacén de imágenes no disponible (PUT S3GI01/")));
                assertThat(readings())
                        .as("nothing stored while the bucket is down")
                        .isZero();
                assertThat(logs.linesContaining("Lectura perdida")).isEmpty();
            } finally {
                s3.restart();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> readings() == 1);
            assertThat(logs.linesContaining("Lectura perdida")).isEmpty();
            assertThat(logs.lines()).noneMatch(l -> l.contains(s3.secretKey()));
        }
        String ocr = TestDb.text(db, "SELECT image_ocr_path FROM alpr_readings");
        String ctx = TestDb.text(db, "SELECT image_ctx_path FROM alpr_readings");
        assertThat(objectKeys())
                .as("exactly the reading's two images: nothing half-stored, nothing left over")
                .containsExactly(PREFIX + ctx, PREFIX + ocr);
    }

    @Test
    void whileS3IsDownTheSenderPostponesTheReadingInsteadOfDroppingItAndSendsItWhenItIsBack() throws Exception {
        UUID camera = UUID.fromString(TestDb.text(db, "SELECT id::text FROM cameras WHERE serial_number = 'S3GI01'"));
        UUID id = UUID.randomUUID();
        Instant t = Instant.parse("2026-07-01T10:00:07Z");
        String ocr = ImageStore.relativePath("S3GI01", "9012WAI", t, id, ImageStore.Kind.OCR);
        try (S3ImageStore store = new S3ImageStore(s3.config(bucket, PREFIX))) {
            store.write(ocr, synthetic.ocrJpeg());
        }
        try (InProcessService sender = InProcessService.start(settings(), "sender");
                LogCapture logs = new LogCapture()) {
            s3.stop();
            try {
                new ReadingRepository(db)
                        .insert(TestReadings.of(id, camera, "9012WAI", t, "S3GI01", null, null), ocr, null);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> TestDb.count(
                                        db,
                                        "SELECT count(*) FROM messages_queue WHERE status = 'FAILED' AND attempts = 0 "
                                                + "AND last_error LIKE '%almacén de imágenes no disponible (GET %'")
                                == 1);
                assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue WHERE status = 'DEAD'"))
                        .as("an unreachable store is not a missing image (NO_IMAGE_FILE_OCR)")
                        .isZero();
                assertThat(sandbox.received()).isEmpty();
            } finally {
                s3.restart();
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> sandbox.received().size() == 1 && readings() == 0);
            await().atMost(Duration.ofSeconds(5)).until(() -> objectKeys().isEmpty());
            assertThat(logs.lines()).noneMatch(l -> l.contains(s3.secretKey()));
        }
    }

    @Test
    void badS3SettingsStopStartUpWithOneLineNamingTheKey(@TempDir Path dir) throws Exception {
        Map<String, String> noBucket = settings();
        noBucket.remove("S3_BUCKET");
        assertThatThrownBy(() -> InProcessService.start(noBucket, "ingest"))
                .hasMessageContaining("S3_BUCKET is empty but IMAGE_STORE=s3 needs it");

        Map<String, String> both = settings();
        both.put("S3_SECRET_ACCESS_KEY", s3.secretKey());
        assertThatThrownBy(() -> InProcessService.start(both, "ingest"))
                .hasMessageContaining("S3_SECRET_ACCESS_KEY_FILE and S3_SECRET_ACCESS_KEY are both set")
                .hasMessageNotContaining(s3.secretKey());

        Map<String, String> badFile = settings();
        badFile.put("S3_SECRET_ACCESS_KEY_FILE", dir.resolve("missing").toString());
        assertThatThrownBy(() -> InProcessService.start(badFile, "ingest"))
                .hasMessageContaining("S3_SECRET_ACCESS_KEY_FILE='" + dir.resolve("missing") + "' cannot be read");

        // The real command line: one line on standard error, the key named, the secret nowhere.
        Path env = dir.resolve("s3.env");
        StringBuilder text = new StringBuilder();
        settings().forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        text.append("DB_USER=tattile\nDB_PASSWORD=tattile\nJOLOKIA_PORT=0\n");
        Files.writeString(env, text.toString().replace("S3_BUCKET=" + bucket, "S3_BUCKET=Bad_Bucket"));
        String line = new Cli(env).fails(2, "admin", "status");
        assertThat(line).startsWith("Invalid configuration: S3_BUCKET='Bad_Bucket' must be a bucket name");

        Files.writeString(
                env, text.toString().replace("S3_ENDPOINT=" + s3.endpoint(), "S3_ENDPOINT=http://127.0.0.1:1"));
        line = new Cli(env).fails(1);
        assertThat(line)
                .startsWith("The image store cannot be used: S3 bucket '" + bucket + "'")
                .contains("at http://127.0.0.1:1")
                .doesNotContain(s3.secretKey());
    }

    @Test
    void theAdminCommandsWorkWithTheBucket(@TempDir Path dir) throws Exception {
        Path env = dir.resolve("s3.env");
        StringBuilder text = new StringBuilder();
        settings().forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        text.append("DB_USER=tattile\nDB_PASSWORD=tattile\n");
        Files.writeString(env, text.toString());
        String orphan = ImageStore.relativePath(
                "S3GI01", "3456ORP", Instant.parse("2026-07-01T10:00:08Z"), UUID.randomUUID(), ImageStore.Kind.OCR);
        try (S3ImageStore store = new S3ImageStore(s3.config(bucket, PREFIX))) {
            store.write(orphan, new byte[] {1});
        }
        Cli cli = new Cli(env);
        assertThat(cli.ok("admin", "images", "purge-orphans", "--grace-minutes", "1")
                        .out())
                .as("younger than the grace period: kept")
                .contains("Orphan images deleted: 0");
        assertThat(objectKeys()).containsExactly(PREFIX + orphan);
        assertThat(cli.ok("admin", "status").out()).contains("S3 bucket '" + bucket + "'");
    }

    /**
     * The bucket's clean-ups through the CLI: {@code admin images purge-orphans} deletes an object no reading names once
     * it is older than the grace period (its age is the bucket's LastModified: S3Proxy's filesystem backend takes it
     * from the file, so the test ages the file) and keeps a queued reading's objects however old; {@code admin queue
     * purge} deletes a DEAD reading's objects with its rows.
     */
    @Test
    void purgeOrphansDeletesOldUnreferencedObjectsAndQueuePurgeDeletesADeadReadingsObjects(@TempDir Path dir)
            throws Exception {
        Path env = dir.resolve("s3.env");
        StringBuilder text = new StringBuilder();
        settings().forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        text.append("DB_USER=tattile\nDB_PASSWORD=tattile\n");
        Files.writeString(env, text.toString());
        UUID camera = UUID.fromString(TestDb.text(db, "SELECT id::text FROM cameras WHERE serial_number = 'S3GI01'"));
        Instant t = Instant.parse("2026-07-01T10:00:08Z");
        String orphan = ImageStore.relativePath("S3GI01", "3456ORP", t, UUID.randomUUID(), ImageStore.Kind.OCR);
        UUID queuedId = UUID.randomUUID();
        String queued = ImageStore.relativePath("S3GI01", "3456QUE", t, queuedId, ImageStore.Kind.OCR);
        UUID deadId = UUID.randomUUID();
        String deadOcr = ImageStore.relativePath("S3GI01", "3456DED", t, deadId, ImageStore.Kind.OCR);
        String deadCtx = ImageStore.relativePath("S3GI01", "3456DED", t, deadId, ImageStore.Kind.CTX);
        try (S3ImageStore store = new S3ImageStore(s3.config(bucket, PREFIX))) {
            for (String key : List.of(orphan, queued, deadOcr, deadCtx)) {
                store.write(key, new byte[] {(byte) 0xFF, (byte) 0xD8, 1});
            }
        }
        ReadingRepository repo = new ReadingRepository(db);
        repo.insert(TestReadings.of(queuedId, camera, "3456QUE", t, "S3GI01", null, null), queued, null);
        repo.insert(TestReadings.of(deadId, camera, "3456DED", t, "S3GI01", null, null), deadOcr, deadCtx);
        TestDb.execute(
                db,
                "UPDATE messages_queue SET status = 'DEAD', last_error = 'CODI_RETORN_2' WHERE reading_id = '" + deadId
                        + "'");
        FileTime twoHoursAgo = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
        for (String key : List.of(orphan, queued)) {
            Files.setLastModifiedTime(s3.data().resolve(bucket).resolve(PREFIX + key), twoHoursAgo);
        }

        Cli cli = new Cli(env);
        assertThat(cli.ok("admin", "images", "purge-orphans", "--grace-minutes", "60")
                        .out())
                .contains("Orphan images deleted: 1");
        assertThat(objectKeys())
                .as("the orphan gone; the queued and the DEAD readings' objects kept")
                .containsExactlyInAnyOrder(PREFIX + queued, PREFIX + deadOcr, PREFIX + deadCtx);

        assertThat(cli.ok("admin", "queue", "purge").out()).contains("Purged 1 DEAD reading");
        assertThat(objectKeys()).containsExactly(PREFIX + queued);
        assertThat(readings()).isEqualTo(1);
    }
}
