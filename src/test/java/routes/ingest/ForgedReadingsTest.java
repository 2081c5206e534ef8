package routes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.BeanInject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.TattileConfiguration;
import routes.support.CameraClient;
import routes.support.LogCapture;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.SyntheticReadings;

/**
 * Readings anyone who reaches the camera port could forge for a registered serial: from an address the camera
 * does not send from, from outside the port's allow-list, with a time no camera could have taken, with images
 * that are not JPEG. Each is refused with its reason (not stored, counted) and the connection keeps serving.
 * Addresses are loopback aliases: the camera under test is bound to 127.0.0.2/32, the port to 127.0.0.0/24.
 */
@CamelMainTest(
        configurationClasses = TattileConfiguration.class,
        properties = {
            "TATTILE_FLOWS=ingest",
            TestDb.HOST_PROPERTY,
            TestDb.NAME_PROPERTY,
            TestDb.USER_PROPERTY,
            TestDb.PASSWORD_PROPERTY,
            "TRANSIT_PORT=" + ForgedReadingsTest.PORT,
            "IMAGES_BASE_DIR=" + ForgedReadingsTest.IMAGES,
            "INGEST_ALLOWED_SOURCES=127.0.0.0/24",
            "CAMERA_CACHE_SECONDS=0"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForgedReadingsTest {

    static final int PORT = 23336;
    static final String IMAGES = "target/it-images/forged";
    static final String BOUND = "SRC-BOUND";
    static final String OPEN = "SRC-OPEN";
    static final ZoneId MADRID = ZoneId.of("Europe/Madrid");

    private final HikariDataSource db = TestDb.open();
    private final SyntheticReadings synthetic = new SyntheticReadings(11, 2048, 4096);
    private final AtomicInteger sequence = new AtomicInteger();

    @BeanInject("ingestStats")
    IngestStats stats;

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(Path.of(IMAGES));
        TestDb.camera(db, BOUND, null);
        TestDb.camera(db, OPEN, null);
        TestDb.execute(
                db, "UPDATE cameras SET allowed_sources = '{127.0.0.2/32}' WHERE serial_number = '" + BOUND + "'");
    }

    @AfterAll
    void close() {
        db.close();
    }

    private String plate() {
        return String.format("%04dFRG", sequence.incrementAndGet());
    }

    private String reading(String serial, String plate, LocalDateTime localTime) {
        return synthetic.vega(serial, plate, localTime);
    }

    private String now(String serial, String plate) {
        return reading(serial, plate, LocalDateTime.now(MADRID).minusSeconds(sequence.get()));
    }

    private long stored(String plate) throws Exception {
        return TestDb.count(db, "SELECT count(*) FROM alpr_readings WHERE plate = ?", plate);
    }

    /** Waits until a later, good reading on the same connection is stored: everything sent before it has been handled. */
    private void handledThenStillServing(CameraClient camera, String serial) throws Exception {
        String canary = plate();
        camera.send(now(serial, canary));
        await().atMost(Duration.ofSeconds(20)).until(() -> stored(canary) == 1);
    }

    @Test
    void aCameraBoundToAnAddressIsRefusedFromAnotherAndAcceptedFromItsOwn() throws Exception {
        String forged = plate();
        long before = stats.rejectedCount(Rejection.SOURCE_NOT_ALLOWED);
        try (LogCapture logs = new LogCapture();
                CameraClient other = new CameraClient("127.0.0.1", PORT)) {
            other.send(now(BOUND, forged));
            handledThenStillServing(other, OPEN);
            assertThat(stored(forged)).as("refused from 127.0.0.1").isZero();
            assertThat(logs.linesContaining("[INGEST] Lectura rechazada (origen no permitido)"))
                    .singleElement()
                    .asString()
                    .contains(BOUND)
                    .contains("127.0.0.1");
            // More from the same place: counted, but logged at most once a minute.
            other.send(now(BOUND, plate())).send(now(BOUND, plate()));
            handledThenStillServing(other, OPEN);
            assertThat(logs.linesContaining("origen no permitido")).hasSize(1);
        }
        assertThat(stats.rejectedCount(Rejection.SOURCE_NOT_ALLOWED) - before).isEqualTo(3);
        String genuine = plate();
        try (LogCapture logs = new LogCapture();
                CameraClient own = new CameraClient("127.0.0.2", PORT)) {
            own.send(now(BOUND, genuine));
            await().atMost(Duration.ofSeconds(20)).until(() -> stored(genuine) == 1);
            assertThat(logs.linesContaining(
                            "[INGEST] Lectura recibida (" + genuine + ") de (" + BOUND + ") desde 127.0.0.2"))
                    .hasSize(1);
        }
        assertThat(TestDb.text(db, "SELECT host(source_address) FROM alpr_readings WHERE plate = ?", genuine))
                .isEqualTo("127.0.0.2");
        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue"))
                .isEqualTo(TestDb.count(db, "SELECT count(*) FROM alpr_readings"));
    }

    @Test
    void aConnectionFromOutsideThePortAllowListIsClosedBeforeAByteIsRead() throws Exception {
        long before = stats.rejectedCount(Rejection.SOURCE_NOT_ALLOWED);
        String forged = plate();
        try (LogCapture logs = new LogCapture();
                CameraClient outside = new CameraClient("127.0.1.9", PORT)) {
            assertThat(outside.closedByServer(5_000)).as("closed at once").isTrue();
            try {
                outside.send(now(OPEN, forged));
            } catch (IOException expected) {
                // the connection is gone
            }
            assertThat(logs.linesContaining("no está en INGEST_ALLOWED_SOURCES"))
                    .singleElement()
                    .asString()
                    .contains("127.0.1.9");
        }
        assertThat(stats.rejectedCount(Rejection.SOURCE_NOT_ALLOWED) - before).isEqualTo(1);
        try (CameraClient inside = new CameraClient("127.0.0.3", PORT)) {
            handledThenStillServing(inside, OPEN);
        }
        assertThat(stored(forged)).isZero();
    }

    @Test
    void aTimeNoCameraCouldHaveTakenIsRefusedAndTheConnectionKept() throws Exception {
        LocalDateTime now = LocalDateTime.now(MADRID);
        String old = plate();
        String ahead = plate();
        String year1 = plate();
        String year9999 = plate();
        String recent = plate();
        String soon = plate();
        long before = stats.rejectedCount(Rejection.IMPLAUSIBLE_TIME);
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(PORT)) {
            camera.send(reading(OPEN, old, now.minusDays(31)));
            camera.send(reading(OPEN, ahead, now.plusMinutes(11)));
            camera.send(reading(OPEN, year1, LocalDateTime.of(1, 1, 1, 10, 0)));
            camera.send(reading(OPEN, year9999, LocalDateTime.of(9999, 12, 31, 10, 0)));
            camera.send(reading(OPEN, recent, now.minusDays(29)));
            camera.send(reading(OPEN, soon, now.plusMinutes(5)));
            handledThenStillServing(camera, OPEN);
            assertThat(logs.linesContaining("(fecha fuera de margen)")).hasSizeGreaterThanOrEqualTo(2);
        }
        assertThat(stored(old) + stored(ahead) + stored(year1) + stored(year9999))
                .isZero();
        assertThat(stored(recent) + stored(soon)).isEqualTo(2);
        assertThat(stats.rejectedCount(Rejection.IMPLAUSIBLE_TIME) - before)
                .as("31 days old, 11 minutes ahead")
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void anImageThatIsNotAJpegIsRefusedAndPaddingAfterTheEndMarkerIsFine() throws Exception {
        byte[] jpeg = synthetic.ocrJpeg();
        byte[] padded = Arrays.copyOf(jpeg, jpeg.length + 300); // zeros after FF D9, as some cameras send
        byte[] noEnd = Arrays.copyOf(jpeg, jpeg.length - 2);
        byte[] random = new byte[2 * 1024 * 1024];
        new Random(5).nextBytes(random);
        byte[] html = "<html><body><img src=x onerror=alert(1)></body></html>".getBytes(StandardCharsets.UTF_8);
        String htmlPlate = plate();
        String randomPlate = plate();
        String noEndPlate = plate();
        String paddedPlate = plate();
        long before = stats.rejectedCount(Rejection.NOT_JPEG);
        try (CameraClient camera = new CameraClient(PORT)) {
            camera.send(withOcr(now(OPEN, htmlPlate), html));
            camera.send(withOcr(now(OPEN, randomPlate), random));
            camera.send(withOcr(now(OPEN, noEndPlate), noEnd));
            camera.send(withOcr(now(OPEN, paddedPlate), padded));
            handledThenStillServing(camera, OPEN);
        }
        assertThat(stored(htmlPlate) + stored(randomPlate) + stored(noEndPlate)).isZero();
        assertThat(stored(paddedPlate)).isEqualTo(1);
        assertThat(stats.rejectedCount(Rejection.NOT_JPEG) - before).isEqualTo(3);
        // Nothing of the refused readings stays on disk.
        assertThat(TestFiles.regularFiles(Path.of(IMAGES)))
                .hasSize((int) TestDb.count(db, "SELECT count(*) FROM alpr_readings WHERE has_image_ocr")
                        + (int) TestDb.count(db, "SELECT count(*) FROM alpr_readings WHERE has_image_ctx"));
    }

    private static String withOcr(String document, byte[] image) {
        return document.replaceFirst(
                "<IMAGE_OCR>[^<]*</IMAGE_OCR>",
                "<IMAGE_OCR>" + Base64.getEncoder().encodeToString(image) + "</IMAGE_OCR>");
    }
}
