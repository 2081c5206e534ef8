package routes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.TattileConfiguration;
import routes.support.CameraClient;
import routes.support.LogCapture;
import routes.support.Samples;
import routes.support.TestDb;

@CamelMainTest(configurationClasses = TattileConfiguration.class, properties = {
        "camel.main.routesIncludePattern=classpath:camel/errors.yaml,classpath:camel/ingest.yaml",
        TestDb.HOST_PROPERTY, TestDb.NAME_PROPERTY, TestDb.USER_PROPERTY, TestDb.PASSWORD_PROPERTY,
        "TRANSIT_PORT=" + IngestFlowTest.PORT,
        "IMAGES_BASE_DIR=" + IngestFlowTest.IMAGES,
        "CAMERA_CACHE_SECONDS=0"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestFlowTest {

    static final int PORT = 47334;
    static final String IMAGES = "target/it-images/ingest-flow";

    private final HikariDataSource db = TestDb.open();

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
        deleteImages();
        TestDb.camera(db, "2001008851", null);
        TestDb.camera(db, "TAT1234567", null);
    }

    @AfterAll
    void closeDb() {
        db.close();
    }

    @Test
    void vegaDocumentIsStoredWithImagesAndPendingQueueRow() throws Exception {
        try (LogCapture logs = new LogCapture(); CameraClient camera = new CameraClient(PORT)) {
            camera.send(Samples.vega());
            awaitReadings(1);
            assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue WHERE status = 'PENDING'")).isEqualTo(1);
            assertThat(TestDb.text(db, "SELECT plate || '|' || device_sn || '|' || has_image_ocr || '|' || has_image_ctx FROM alpr_readings"))
                    .isEqualTo("3060LFW|2001008851|true|true");
            String ocr = TestDb.text(db, "SELECT image_ocr_path FROM alpr_readings");
            assertThat(ocr).matches("2001008851/2026/03/29/20260329013015250_plate-3060LFW_[0-9a-f-]{36}_ocr\\.jpg");
            assertThat(Path.of(IMAGES, ocr)).exists();
            assertThat(imageFiles()).hasSize(2);
            String raw = TestDb.text(db, "SELECT raw_xml FROM alpr_readings");
            assertThat(raw).contains("<PLATE_STRING>3060LFW</PLATE_STRING>").contains("<IMAGE_OCR>[").doesNotContain("/9j/");
            await().atMost(Duration.ofSeconds(5)).until(() -> !logs.linesContaining("[INGEST] Lectura recibida (3060LFW) de (2001008851)").isEmpty());
        }
    }

    private void awaitReadings(long n) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> TestDb.count(db, "SELECT count(*) FROM alpr_readings") >= n);
    }

    private static Stream<Path> imageFilesStream() throws IOException {
        Path base = Path.of(IMAGES);
        return Files.exists(base) ? Files.walk(base).filter(Files::isRegularFile) : Stream.empty();
    }

    static java.util.List<Path> imageFiles() throws IOException {
        try (Stream<Path> s = imageFilesStream()) {
            return s.toList();
        }
    }

    static void deleteImages() throws IOException {
        Path base = Path.of(IMAGES);
        if (Files.exists(base)) {
            try (Stream<Path> s = Files.walk(base)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
