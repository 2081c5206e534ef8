package routes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.camel.BeanInject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import routes.config.TattileConfiguration;
import routes.support.CameraClient;
import routes.support.LogCapture;
import routes.support.Samples;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.SyntheticReadings;

/** The ingest flow end to end: real TCP sockets, real PostgreSQL, real files. */
@CamelMainTest(
        configurationClasses = TattileConfiguration.class,
        properties = {
            "TATTILE_FLOWS=ingest",
            TestDb.HOST_PROPERTY,
            TestDb.NAME_PROPERTY,
            TestDb.USER_PROPERTY,
            TestDb.PASSWORD_PROPERTY,
            TestDb.ANY_READING_AGE_PROPERTY,
            "TRANSIT_PORT=" + IngestFlowTest.PORT,
            "IMAGES_BASE_DIR=" + IngestFlowTest.IMAGES,
            "INGEST_MAX_FRAME_BYTES=" + IngestFlowTest.MAX_FRAME,
            "INGEST_IDLE_TIMEOUT_SECONDS=3",
            "INGEST_STORE_RETRY_DELAY_MS=20",
            "INGEST_STORE_RETRY_MAX=5",
            "CAMERA_CACHE_SECONDS=0"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestFlowTest {

    /** Test listeners use fixed ports below Linux's ephemeral range (32768–60999), where a client socket could hold them. */
    static final int PORT = 23334;

    static final String IMAGES_ROOT = "target/it-images";
    static final String IMAGES = IMAGES_ROOT + "/ingest-flow";
    static final int MAX_FRAME = 512 * 1024;
    static final String SERIAL = "CAM-TEST_01";

    private final HikariDataSource db = TestDb.open();
    private final SyntheticReadings synthetic = new SyntheticReadings(42, 2048, 4096);
    private final AtomicInteger sequence = new AtomicInteger();

    @BeanInject("ingestStats")
    IngestStats stats;

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(Path.of(IMAGES_ROOT));
        TestDb.camera(db, "2001008851", null);
        TestDb.camera(db, "TAT1234567", null);
        TestDb.camera(db, SERIAL, null);
        TestDb.camera(db, "CANARY01", "Atlantic/Canary");
    }

    @AfterAll
    void closeDb() {
        db.close();
    }

    @Test
    void vegaDocumentIsStoredWithBothImagesAndAPendingQueueRow() throws Exception {
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(PORT)) {
            camera.send(Samples.vega());
            awaitReadings(1);
            assertThat(count("SELECT count(*) FROM messages_queue q JOIN alpr_readings r ON r.id = q.reading_id "
                            + "WHERE q.status = 'PENDING' AND q.attempts = 0"))
                    .isEqualTo(1);
            assertThat(text(
                            "SELECT concat_ws('|', plate, device_sn, device_name, direction, lane_id, lane_descr, ocr_score, "
                                    + "country_code, country, bbox_min_x, bbox_min_y, bbox_max_x, bbox_max_y, char_height, has_image_ocr, has_image_ctx) "
                                    + "FROM alpr_readings"))
                    .isEqualTo(
                            "3060LFW|2001008851|Acceso Norte|APPROACH|1|Carril derecho|96.000|ESP|España|812|640|1010|688|31|t|t");
            String ocr = text("SELECT image_ocr_path FROM alpr_readings");
            String ctx = text("SELECT image_ctx_path FROM alpr_readings");
            assertThat(ocr).matches("2001008851/2026/03/29/20260329013015250_plate-3060LFW_[0-9a-f-]{36}_ocr\\.jpg");
            assertThat(ctx).matches("2001008851/2026/03/29/20260329013015250_plate-3060LFW_[0-9a-f-]{36}_ctx\\.jpg");
            assertThat(Files.readAllBytes(Path.of(IMAGES, ocr))).startsWith(0xFF, 0xD8);
            assertThat(imageFiles()).hasSize(2);
            assertThat(text("SELECT raw_xml FROM alpr_readings"))
                    .contains("<PLATE_STRING>3060LFW</PLATE_STRING>")
                    .contains("<IMAGE_OCR>[")
                    .contains(" bytes]</IMAGE_CTX>")
                    .doesNotContain("/9j/");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !logs.linesContaining("[INGEST] Lectura recibida (3060LFW) de (2001008851)")
                            .isEmpty());
        }
    }

    @Test
    void msgDocumentWithColonTimeAndOnlyTheOcrImageIsStored() throws Exception {
        try (CameraClient camera = new CameraClient(PORT)) {
            camera.send(Samples.msg());
            awaitReadings(1);
        }
        // 2024-03-21 15:42:10 in Madrid is CET (+01:00).
        assertThat(
                        text(
                                "SELECT to_char(timestamp_utc AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') FROM alpr_readings"))
                .isEqualTo("2024-03-21 14:42:10.000");
        assertThat(
                        text(
                                "SELECT has_image_ocr || '|' || has_image_ctx || '|' || coalesce(image_ctx_path, 'none') FROM alpr_readings"))
                .isEqualTo("true|false|none");
        assertThat(imageFiles()).hasSize(1);
    }

    @Test
    void localTimeBecomesUtcWithDaylightSavingAndTheCameraZone() throws Exception {
        try (CameraClient camera = new CameraClient(PORT)) {
            camera.send(Samples.vega()); // 2026-03-29 02:30:15.250, inside the spring-forward gap in Madrid
            camera.send(doc(
                    "<root>",
                    "1111AAA",
                    SERIAL,
                    "2026/10/25",
                    "02:30:00.5")); // autumn overlap: earlier (summer) offset
            camera.send(doc("<MESSAGE>", "2222BBB", SERIAL, "2026-01-15", "10-00-00-007")); // winter, +01:00
            camera.send(doc(
                    "<ALPR>",
                    "3333CCC",
                    "CANARY01",
                    "2026-07-01",
                    "12:00:00")); // camera in Atlantic/Canary, +01:00 in summer
            awaitReadings(4);
        }
        assertThat(utc("3060LFW")).isEqualTo("2026-03-29 01:30:15.250");
        assertThat(utc("1111AAA")).isEqualTo("2026-10-25 00:30:00.500");
        assertThat(utc("2222BBB")).isEqualTo("2026-01-15 09:00:00.007");
        assertThat(utc("3333CCC")).isEqualTo("2026-07-01 11:00:00.000");
    }

    @Test
    void manyDocumentsBackToBackOnOneConnectionWithControlBytesBetweenAreAllStored() throws Exception {
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            stream.append(i % 3 == 0 ? "\u0002" : "")
                    .append(good())
                    .append(i % 3 == 0 ? "\u0003" : "")
                    .append(i % 2 == 0 ? "\r\n" : "");
        }
        try (CameraClient camera = new CameraClient(PORT)) {
            camera.send(stream.toString());
            awaitReadings(20);
        }
        assertThat(count("SELECT count(*) FROM messages_queue WHERE status = 'PENDING'"))
                .isEqualTo(20);
        assertThat(imageFiles()).hasSize(40);
    }

    @Test
    void aDocumentDeliveredOneByteAtATimeIsStored() throws Exception {
        try (CameraClient camera = new CameraClient(PORT)) {
            camera.sendByteByByte(Samples.msg().getBytes(StandardCharsets.UTF_8));
            camera.send(good());
            awaitReadings(2);
        }
        assertThat(count("SELECT count(*) FROM alpr_readings WHERE plate = '7459MTL'"))
                .isEqualTo(1);
    }

    @Test
    void aResentReadingIsANoOpAndLeavesNoExtraFiles() throws Exception {
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(PORT)) {
            camera.send(Samples.vega());
            awaitReadings(1);
            camera.send(Samples.vega());
            await().atMost(Duration.ofSeconds(5)).until(() -> stats.duplicateCount() >= 1);
            assertThat(logs.linesContaining("[INGEST] Lectura duplicada ignorada (3060LFW) de (2001008851)"))
                    .hasSize(1);
        }
        assertThat(count("SELECT count(*) FROM alpr_readings")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM messages_queue")).isEqualTo(1);
        assertThat(imageFiles()).hasSize(2);
    }

    static Stream<Arguments> badDocuments() {
        String head = "<root><DATE>2026-05-01</DATE><TIME>10-00-00-000</TIME>";
        String tail = "<IMAGE_OCR>/9j/4AAQ</IMAGE_OCR></root>";
        return Stream.of(
                Arguments.of(
                        "mismatched tags",
                        Rejection.MALFORMED_XML,
                        "<root><PLATE_STRING>1234ABC</DATE><DEVICE_SN>" + SERIAL + "</DEVICE_SN></root>"),
                Arguments.of(
                        "undeclared entity",
                        Rejection.MALFORMED_XML,
                        head + "<PLATE_STRING>&foo;</PLATE_STRING><DEVICE_SN>" + SERIAL + "</DEVICE_SN>" + tail),
                Arguments.of(
                        "XXE external entity",
                        Rejection.FORBIDDEN_XML,
                        "<?xml version=\"1.0\"?><!DOCTYPE root [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" + head
                                + "<PLATE_STRING>&xxe;</PLATE_STRING><DEVICE_SN>" + SERIAL + "</DEVICE_SN>" + tail),
                Arguments.of(
                        "billion laughs",
                        Rejection.FORBIDDEN_XML,
                        "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                                + "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
                                + head + "<PLATE_STRING>&lol3;</PLATE_STRING><DEVICE_SN>" + SERIAL + "</DEVICE_SN>"
                                + tail),
                Arguments.of(
                        "no PLATE_STRING",
                        Rejection.MISSING_FIELD,
                        head + "<DEVICE_SN>" + SERIAL + "</DEVICE_SN>" + tail),
                Arguments.of(
                        "no DEVICE_SN", Rejection.MISSING_FIELD, head + "<PLATE_STRING>1234ABC</PLATE_STRING>" + tail),
                Arguments.of(
                        "no DATE",
                        Rejection.MISSING_FIELD,
                        "<root><TIME>10:00:00</TIME><PLATE_STRING>1234ABC</PLATE_STRING><DEVICE_SN>" + SERIAL
                                + "</DEVICE_SN>" + tail),
                Arguments.of(
                        "no TIME",
                        Rejection.MISSING_FIELD,
                        "<root><DATE>2026-05-01</DATE><PLATE_STRING>1234ABC</PLATE_STRING><DEVICE_SN>" + SERIAL
                                + "</DEVICE_SN>" + tail),
                Arguments.of(
                        "impossible date",
                        Rejection.INVALID_FIELD,
                        "<root><DATE>2026-02-30</DATE><TIME>10:00:00</TIME><PLATE_STRING>1234ABC</PLATE_STRING><DEVICE_SN>"
                                + SERIAL + "</DEVICE_SN>" + tail),
                Arguments.of(
                        "impossible time",
                        Rejection.INVALID_FIELD,
                        "<root><DATE>2026-02-03</DATE><TIME>25:61:00</TIME><PLATE_STRING>1234ABC</PLATE_STRING><DEVICE_SN>"
                                + SERIAL + "</DEVICE_SN>" + tail),
                Arguments.of(
                        "plate with path traversal",
                        Rejection.INVALID_FIELD,
                        head + "<PLATE_STRING>../../etc/passwd</PLATE_STRING><DEVICE_SN>" + SERIAL + "</DEVICE_SN>"
                                + tail),
                Arguments.of(
                        "plate with slash",
                        Rejection.INVALID_FIELD,
                        head + "<PLATE_STRING>12/34ABC</PLATE_STRING><DEVICE_SN>" + SERIAL + "</DEVICE_SN>" + tail),
                Arguments.of(
                        "plate with NUL",
                        Rejection.MALFORMED_XML,
                        head + "<PLATE_STRING>1234\u0000ABC</PLATE_STRING><DEVICE_SN>" + SERIAL + "</DEVICE_SN>"
                                + tail),
                Arguments.of(
                        "plate with NUL reference",
                        Rejection.MALFORMED_XML,
                        head + "<PLATE_STRING>1234&#0;ABC</PLATE_STRING><DEVICE_SN>" + SERIAL + "</DEVICE_SN>" + tail),
                Arguments.of(
                        "very long plate",
                        Rejection.INVALID_FIELD,
                        head + "<PLATE_STRING>" + "A".repeat(5000) + "</PLATE_STRING><DEVICE_SN>" + SERIAL
                                + "</DEVICE_SN>" + tail),
                Arguments.of(
                        "non-ASCII plate",
                        Rejection.INVALID_FIELD,
                        head + "<PLATE_STRING>ÑÇ1234€</PLATE_STRING><DEVICE_SN>" + SERIAL + "</DEVICE_SN>" + tail),
                Arguments.of(
                        "serial with path traversal",
                        Rejection.INVALID_FIELD,
                        head + "<PLATE_STRING>1234ABC</PLATE_STRING><DEVICE_SN>../../../tmp/x</DEVICE_SN>" + tail),
                Arguments.of(
                        "serial with dots",
                        Rejection.INVALID_FIELD,
                        head + "<PLATE_STRING>1234ABC</PLATE_STRING><DEVICE_SN>..</DEVICE_SN>" + tail),
                Arguments.of(
                        "very long serial",
                        Rejection.INVALID_FIELD,
                        head + "<PLATE_STRING>1234ABC</PLATE_STRING><DEVICE_SN>" + "9".repeat(300) + "</DEVICE_SN>"
                                + tail),
                Arguments.of(
                        "unregistered camera",
                        Rejection.UNKNOWN_CAMERA,
                        head + "<PLATE_STRING>1234ABC</PLATE_STRING><DEVICE_SN>NOT-REGISTERED-" + System.nanoTime()
                                + "</DEVICE_SN>" + tail),
                Arguments.of(
                        "deeply nested",
                        Rejection.MALFORMED_XML,
                        "<root>" + "<a>".repeat(200) + "x" + "</a>".repeat(200) + "</root>"),
                Arguments.of(
                        "not a reading: elements where the plate text should be",
                        Rejection.MISSING_FIELD,
                        head + "<PLATE_STRING><b>1</b><b>2</b></PLATE_STRING><DEVICE_SN>" + SERIAL + "</DEVICE_SN>"
                                + tail));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDocuments")
    void badInputIsRefusedWithOneLogLineAndTheSameConnectionKeepsWorking(String name, Rejection reason, String bad)
            throws Exception {
        long before = stats.rejectedCount(reason);
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(PORT)) {
            camera.send(bad);
            camera.send(good());
            awaitReadings(1);
            assertThat(stats.rejectedCount(reason)).isEqualTo(before + 1);
            assertThat(logs.linesContaining("[INGEST] Lectura rechazada (" + reason.label() + ")"))
                    .hasSize(1);
            assertThat(logs.lines()).noneMatch(l -> l.contains("/9j/"));
            assertThat(camera.closedByServer(50)).isFalse();
        }
        assertThat(count("SELECT count(*) FROM alpr_readings")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM messages_queue")).isEqualTo(1);
        assertThat(imageFiles()).hasSize(2);
        assertNothingOutsideImagesDir();
    }

    @Test
    void aDocumentCutShortIsDroppedWhenTheNextOneStartsWithItsXmlDeclaration() throws Exception {
        long before = stats.rejectedCount(Rejection.INCOMPLETE_DOCUMENT);
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(PORT)) {
            camera.send("<?xml version='1.0'?><root><PLATE_STRING>1234ABC</PLATE_STRING><IMAGE_OCR>/9j/4AAQ"); // camera
            // rebooted
            // mid-document
            camera.send(good());
            awaitReadings(1);
            assertThat(stats.rejectedCount(Rejection.INCOMPLETE_DOCUMENT)).isEqualTo(before + 1);
            assertThat(logs.linesContaining("[INGEST] Documento incompleto descartado"))
                    .hasSize(1);
            assertThat(camera.closedByServer(50)).isFalse();
        }
        assertThat(imageFiles()).hasSize(2);
    }

    @Test
    void undecodableBase64IsStoredWithoutThatImageAndAWarning() throws Exception {
        String doc = doc("<root>", "4444DDD", SERIAL, "2026-05-01", "10-00-00-000")
                .replaceFirst("<IMAGE_OCR>[^<]*</IMAGE_OCR>", "<IMAGE_OCR>not*base64!!</IMAGE_OCR>");
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(PORT)) {
            camera.send(doc);
            awaitReadings(1);
            assertThat(logs.linesContaining("[INGEST] Imagen OCR no válida (Base64) en la lectura (4444DDD)"))
                    .hasSize(1);
        }
        assertThat(text("SELECT has_image_ocr || '|' || has_image_ctx FROM alpr_readings"))
                .isEqualTo("false|true");
        assertThat(imageFiles()).hasSize(1);
    }

    @Test
    void unknownCameraIsCountedEveryTimeButLoggedOncePerMinute() throws Exception {
        long before = stats.rejectedCount(Rejection.UNKNOWN_CAMERA);
        String serial = "GHOST" + System.nanoTime();
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(PORT)) {
            for (int i = 0; i < 5; i++) {
                camera.send(doc("<root>", "5555EE" + i, serial, "2026-05-01", "10-00-00-00" + i));
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> stats.rejectedCount(Rejection.UNKNOWN_CAMERA) == before + 5);
            assertThat(logs.linesContaining("(" + serial + ")")).hasSize(1);
        }
        assertThat(count("SELECT count(*) FROM alpr_readings")).isZero();
        assertThat(imageFiles()).isEmpty();
    }

    @Test
    void inactiveCameraIsRefused() throws Exception {
        TestDb.execute(db, "UPDATE cameras SET active = false WHERE serial_number = '" + SERIAL + "'");
        long before = stats.rejectedCount(Rejection.INACTIVE_CAMERA);
        try (CameraClient camera = new CameraClient(PORT)) {
            camera.send(good());
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> stats.rejectedCount(Rejection.INACTIVE_CAMERA) == before + 1);
        }
        assertThat(count("SELECT count(*) FROM alpr_readings")).isZero();
        assertThat(imageFiles()).isEmpty();
    }

    @Test
    void anOversizedDocumentClosesItsConnectionAndANewConnectionWorks() throws Exception {
        long before = stats.rejectedCount(Rejection.FRAME_TOO_LARGE);
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(PORT)) {
            String huge = "<root><PLATE_STRING>1234ABC</PLATE_STRING><IMAGE_OCR>" + "A".repeat(MAX_FRAME + 10);
            try {
                camera.send(huge);
            } catch (IOException closedWhileSending) {
                // the service may close the socket before all bytes are written
            }
            assertThat(camera.closedByServer(5000)).isTrue();
            assertThat(stats.rejectedCount(Rejection.FRAME_TOO_LARGE)).isEqualTo(before + 1);
            assertThat(logs.linesContaining("supera INGEST_MAX_FRAME_BYTES")).hasSize(1);
        }
        try (CameraClient camera = new CameraClient(PORT)) {
            camera.send(good());
            awaitReadings(1);
        }
        assertThat(imageFiles()).hasSize(2);
    }

    @Test
    void garbageBetweenDocumentsIsDroppedAndTheNextDocumentStored() throws Exception {
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(PORT)) {
            camera.send("HELLO this is not xml \u0001\u00ff");
            camera.send(good());
            awaitReadings(1);
            assertThat(logs.linesContaining("[INGEST] Descartados")).isNotEmpty();
            assertThat(camera.closedByServer(50)).isFalse();
        }
    }

    @Test
    void aSilentClientDoesNotHoldUpOtherCameras() throws Exception {
        try (CameraClient silent = new CameraClient(PORT);
                CameraClient camera = new CameraClient(PORT)) {
            camera.send(good());
            awaitReadings(1);
            assertThat(silent.closedByServer(50)).isFalse();
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (LogCapture logs = new LogCapture();
                CameraClient idle = new CameraClient(PORT)) {
            idle.send("<root><PLATE_STRING>12");
            assertThat(idle.closedByServer(8000)).isTrue();
            assertThat(logs.linesContaining("Conexión inactiva cerrada con un documento incompleto"))
                    .hasSize(1);
        }
        assertThat(count("SELECT count(*) FROM alpr_readings")).isZero();
    }

    @Test
    void aPartialDocumentAtCloseIsLoggedAndDropped() throws Exception {
        long before = stats.rejectedCount(Rejection.INCOMPLETE_DOCUMENT);
        try (LogCapture logs = new LogCapture()) {
            try (CameraClient camera = new CameraClient(PORT)) {
                String doc = good();
                camera.send(doc.substring(0, doc.length() / 2));
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> stats.rejectedCount(Rejection.INCOMPLETE_DOCUMENT) == before + 1);
            assertThat(logs.linesContaining("Documento incompleto descartado al cerrar la conexión"))
                    .hasSize(1);
        }
        assertThat(count("SELECT count(*) FROM alpr_readings")).isZero();
        assertThat(imageFiles()).isEmpty();
    }

    @Test
    void aDatabaseFailureInsideTheTransactionLeavesNoRowsAndNoFiles() throws Exception {
        // The queue insert fails after the reading insert, inside the same statement.
        TestDb.execute(db, """
                CREATE OR REPLACE FUNCTION test_fail_queue() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql;
                CREATE TRIGGER test_fail_queue BEFORE INSERT ON messages_queue FOR EACH ROW EXECUTE FUNCTION test_fail_queue();
                """);
        long before = stats.rejectedCount(Rejection.STORE_FAILED);
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(PORT)) {
            camera.send(good());
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> stats.rejectedCount(Rejection.STORE_FAILED) == before + 1);
            assertThat(logs.linesContaining("[INGEST] Lectura rechazada (" + Rejection.STORE_FAILED.label() + ")"))
                    .hasSize(1);
        } finally {
            TestDb.execute(db, "DROP TRIGGER test_fail_queue ON messages_queue; DROP FUNCTION test_fail_queue()");
        }
        assertThat(count("SELECT count(*) FROM alpr_readings")).isZero();
        assertThat(imageFiles()).isEmpty();
        try (CameraClient camera = new CameraClient(PORT)) {
            camera.send(good());
            awaitReadings(1);
        }
    }

    @Test
    void aBrieflyUnavailableDatabaseIsRetriedAndTheReadingStored() throws Exception {
        // The first two attempts fail as if PostgreSQL were restarting (SQLSTATE 57P03); the sequence survives
        // rollbacks.
        TestDb.execute(db, """
                CREATE SEQUENCE IF NOT EXISTS test_flaky_seq;
                SELECT setval('test_flaky_seq', 1, false);
                CREATE OR REPLACE FUNCTION test_flaky_queue() RETURNS trigger AS $$
                BEGIN
                  IF nextval('test_flaky_seq') <= 2 THEN RAISE EXCEPTION 'server starting' USING ERRCODE = '57P03'; END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql;
                CREATE TRIGGER test_flaky_queue BEFORE INSERT ON messages_queue FOR EACH ROW EXECUTE FUNCTION test_flaky_queue();
                """);
        try (CameraClient camera = new CameraClient(PORT)) {
            camera.send(good());
            awaitReadings(1);
        } finally {
            TestDb.execute(
                    db,
                    "DROP TRIGGER test_flaky_queue ON messages_queue; DROP FUNCTION test_flaky_queue(); DROP SEQUENCE test_flaky_seq");
        }
        assertThat(count("SELECT count(*) FROM messages_queue WHERE status = 'PENDING'"))
                .isEqualTo(1);
        assertThat(imageFiles()).hasSize(2);
    }

    @Test
    void aDatabaseDownThroughEveryRetryLosesTheReadingLoudlyAndLeavesNoFiles() throws Exception {
        TestDb.execute(db, """
                CREATE OR REPLACE FUNCTION test_down_queue() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'server starting' USING ERRCODE = '57P03'; END $$ LANGUAGE plpgsql;
                CREATE TRIGGER test_down_queue BEFORE INSERT ON messages_queue FOR EACH ROW EXECUTE FUNCTION test_down_queue();
                """);
        long before = stats.rejectedCount(Rejection.STORE_FAILED);
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(PORT)) {
            String doc = good();
            String plate = doc.replaceAll("(?s).*<PLATE_STRING>([^<]*)</PLATE_STRING>.*", "$1");
            camera.send(doc);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> stats.rejectedCount(Rejection.STORE_FAILED) == before + 1);
            assertThat(logs.linesContaining("[INGEST] Lectura perdida"))
                    .singleElement()
                    .asString()
                    .contains("(" + plate + ")");
        } finally {
            TestDb.execute(db, "DROP TRIGGER test_down_queue ON messages_queue; DROP FUNCTION test_down_queue()");
        }
        assertThat(count("SELECT count(*) FROM alpr_readings")).isZero();
        assertThat(imageFiles()).isEmpty();
    }

    @Test
    void fiftyCamerasAtOnceAreAllStoredWithEveryRowAndFileAccountedFor() throws Exception {
        SyntheticReadings realistic = new SyntheticReadings(7, 20 * 1024, 60 * 1024);
        int connections = 50;
        int perConnection = 10;
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int conn = c;
                sent.add(pool.submit(() -> {
                    try (CameraClient camera = new CameraClient(PORT)) {
                        for (int i = 0; i < perConnection; i++) {
                            LocalDateTime t =
                                    LocalDateTime.of(2026, 5, 1, 10, 0).plusSeconds(conn * 100L + i);
                            camera.send(realistic.vega(SERIAL, String.format("%04dXYZ", conn * 100 + i), t));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        int total = connections * perConnection;
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> count("SELECT count(*) FROM alpr_readings") == total);
        assertThat(count("SELECT count(*) FROM messages_queue WHERE status = 'PENDING'"))
                .isEqualTo(total);
        assertThat(count("SELECT count(DISTINCT image_ocr_path) + count(DISTINCT image_ctx_path) FROM alpr_readings"))
                .isEqualTo(2L * total);
        List<Path> files = imageFiles();
        assertThat(files).hasSize(2 * total);
        try (var c = db.getConnection();
                var rs = c.createStatement().executeQuery("SELECT image_ocr_path, image_ctx_path FROM alpr_readings")) {
            while (rs.next()) {
                assertThat(Path.of(IMAGES, rs.getString(1))).isRegularFile();
                assertThat(Path.of(IMAGES, rs.getString(2))).isRegularFile();
            }
        }
    }

    // --- helpers ---

    /** A good, unique reading of the registered test camera, small images. */
    private String good() {
        int n = sequence.incrementAndGet();
        return synthetic.vega(
                SERIAL,
                String.format("%04dGGG", n % 10_000),
                LocalDateTime.of(2026, 6, 1, 8, 0).plusSeconds(n));
    }

    private String doc(String root, String plate, String serial, String date, String time) {
        String name = root.substring(1, root.length() - 1);
        String body = synthetic.msg(serial, plate, LocalDateTime.of(2026, 1, 1, 0, 0));
        body = body.replace("<DATE>2026-01-01</DATE>", "<DATE>" + date + "</DATE>")
                .replace("<TIME>00:00:00</TIME>", "<TIME>" + time + "</TIME>");
        return body.replace("<Msg>", "<" + name + ">").replace("</Msg>", "</" + name + ">");
    }

    private String utc(String plate) throws Exception {
        return text(
                "SELECT to_char(timestamp_utc AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') FROM alpr_readings WHERE plate = ?",
                plate);
    }

    private long count(String sql, Object... args) throws Exception {
        return TestDb.count(db, sql, args);
    }

    private String text(String sql, Object... args) throws Exception {
        return TestDb.text(db, sql, args);
    }

    private void awaitReadings(long n) {
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> count("SELECT count(*) FROM alpr_readings") >= n);
    }

    static List<Path> imageFiles() throws IOException {
        return TestFiles.regularFiles(Path.of(IMAGES));
    }

    /** No file anywhere under the images root's parent folder except inside IMAGES_BASE_DIR. */
    static void assertNothingOutsideImagesDir() throws IOException {
        Path root = Path.of(IMAGES_ROOT).toAbsolutePath();
        Path images = Path.of(IMAGES).toAbsolutePath();
        try (Stream<Path> s = Files.walk(root)) {
            assertThat(s.filter(Files::isRegularFile)
                            .filter(p -> !p.startsWith(images))
                            .toList())
                    .isEmpty();
        }
        assertThat(Path.of("/etc/passwd_plate")).doesNotExist();
    }
}
