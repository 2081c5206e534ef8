package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.TattileConfiguration;
import routes.ingest.IngestStats;
import routes.ingest.Rejection;
import routes.support.CameraClient;
import routes.support.LogCapture;
import routes.support.TestDb;
import routes.support.TmpfsMount;
import routes.tools.SyntheticReadings;

/**
 * IMAGES_BASE_DIR on a real, full file system (a 2 MB tmpfs, so the test needs root): readings are
 * refused one log line each, nothing half-stored, the connection stays up, and storing resumes when
 * space returns.
 */
@CamelMainTest(
        configurationClasses = TattileConfiguration.class,
        properties = {
            TestDb.HOST_PROPERTY,
            TestDb.NAME_PROPERTY,
            TestDb.USER_PROPERTY,
            TestDb.PASSWORD_PROPERTY,
            TestDb.ANY_READING_AGE_PROPERTY,
            "TATTILE_FLOWS=ingest",
            "TRANSIT_PORT=" + DiskFullTest.PORT,
            "IMAGES_BASE_DIR=" + DiskFullTest.IMAGES,
            "CAMERA_CACHE_SECONDS=0"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DiskFullTest {

    static final int PORT = 24110;
    static final String IMAGES = "/tmp/tattile-rel2-diskfull";
    static final String SERIAL = "DISKFULL01";
    static final int PAGE = 4096;

    private final HikariDataSource db = TestDb.open();
    /** OCR about 2 KB (one tmpfs page), context about 12 KB (several pages). */
    private final SyntheticReadings synthetic = new SyntheticReadings(11, 2048, 12 * 1024);

    private int sequence;

    @BeanInject("ingestStats")
    IngestStats stats;

    @BeanInject
    CamelContext context;

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
        TestDb.camera(db, SERIAL, null);
    }

    @AfterAll
    void closeDb() {
        db.close();
    }

    @Test
    void aFullImagesDiskRefusesEachReadingWithOneLineLeavesNothingHalfStoredAndRecoversWhenSpaceReturns()
            throws Exception {
        try (TmpfsMount disk = TmpfsMount.mount(Path.of(IMAGES), "2m");
                LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(PORT)) {
            Path filler = disk.dir().resolve("filler.bin");
            long filled = fill(filler);
            assertThat(filled).as("the tmpfs is 2 MB").isBetween(1_900_000L, 2_200_000L);

            // 1. Disk completely full: not even the first image fits.
            List<String> refused = new ArrayList<>(sendAndAwaitRefusals(camera, 4));
            // 2. Room for the OCR image but not the context one: the OCR file written first must go too.
            try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.WRITE)) {
                ch.truncate(filled - 2 * PAGE);
            }
            assertThat(Files.getFileStore(disk.dir()).getUsableSpace())
                    .as("room for a 2 KB OCR image, not for a 12 KB context image")
                    .isBetween(2L * PAGE, 3L * PAGE);
            refused.addAll(sendAndAwaitRefusals(camera, 3));

            for (String plate : refused) {
                List<String> lines = logs.linesContaining("(" + plate + ")");
                assertThat(lines)
                        .as("exactly one log line for refused reading " + plate)
                        .hasSize(1);
                assertThat(lines.get(0))
                        .startsWith("[INGEST] Lectura rechazada (" + Rejection.STORE_FAILED.label() + ")")
                        .contains("No space left on device")
                        .doesNotContain("\n");
            }
            assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings"))
                    .as("no reading row")
                    .isZero();
            assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue"))
                    .as("no queue row")
                    .isZero();
            assertThat(filesBesides(filler))
                    .as("no image and no temporary file left")
                    .isEmpty();
            assertThat(context.getRouteController().getRouteStatus("ingest-tattile-tcp"))
                    .isEqualTo(ServiceStatus.Started);
            assertThat(camera.closedByServer(50))
                    .as("the camera's connection stays open")
                    .isFalse();

            // 3. Space returns: the same connection's next readings are stored with their files.
            Files.delete(filler);
            List<String> stored = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                stored.add(send(camera));
            }
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> TestDb.count(db, "SELECT count(*) FROM alpr_readings") == stored.size());
            assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue WHERE status = 'PENDING'"))
                    .isEqualTo(stored.size());
            List<Path> files = filesBesides(filler);
            assertThat(files).hasSize(2 * stored.size());
            try (var c = db.getConnection();
                    var rs = c.createStatement()
                            .executeQuery("SELECT image_ocr_path, image_ctx_path FROM alpr_readings")) {
                while (rs.next()) {
                    assertThat(Path.of(IMAGES, rs.getString(1))).isRegularFile();
                    assertThat(Path.of(IMAGES, rs.getString(2))).isRegularFile();
                }
            }
            assertThat(camera.closedByServer(50)).isFalse();
        }
    }

    /** Sends {@code n} readings and waits until the ingest has refused all of them; returns their plates. */
    private List<String> sendAndAwaitRefusals(CameraClient camera, int n) throws IOException {
        long before = stats.rejectedCount(Rejection.STORE_FAILED);
        long storedBefore = stats.storedCount();
        List<String> plates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            plates.add(send(camera));
        }
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(20))
                .until(() ->
                        stats.rejectedCount(Rejection.STORE_FAILED) - before + stats.storedCount() - storedBefore >= n);
        assertThat(stats.storedCount())
                .as("nothing stored while the disk is full")
                .isEqualTo(storedBefore);
        assertThat(stats.rejectedCount(Rejection.STORE_FAILED) - before).isEqualTo(n);
        return plates;
    }

    private String send(CameraClient camera) throws IOException {
        int n = ++sequence;
        String plate = String.format("%04dDSK", n);
        camera.send(
                synthetic.vega(SERIAL, plate, LocalDateTime.of(2026, 8, 1, 9, 0).plusSeconds(n)));
        return plate;
    }

    /** Writes into {@code file} until the file system is full; returns the bytes written. */
    private static long fill(Path file) throws IOException {
        byte[] chunk = new byte[PAGE];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                try {
                    out.write(chunk);
                    out.flush();
                    written += chunk.length;
                } catch (IOException full) {
                    break;
                }
            }
        } catch (IOException closeOfAFullFile) {
            // nothing buffered is lost: every chunk was flushed
        }
        return Files.size(file);
    }

    private static List<Path> filesBesides(Path filler) throws IOException {
        try (Stream<Path> s = Files.walk(Path.of(IMAGES))) {
            return s.filter(Files::isRegularFile).filter(p -> !p.equals(filler)).toList();
        }
    }
}
