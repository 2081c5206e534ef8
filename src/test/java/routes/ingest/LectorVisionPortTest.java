package routes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.store.ApiKeyRepository;
import routes.support.InProcessService;
import routes.support.LogCapture;
import routes.support.RawHttp;
import routes.support.TestDb;
import routes.support.TestFiles;

/**
 * The Windows Lector Vision forwarder's port ({@code LECTORVISION_PORT}): readings posted exactly as the old product's
 * {@code Sender/lectorvision_service.py} posts them (its path, only its Content-Type header, its JSON built the way it
 * builds it) are stored without an API key, from the addresses of {@code LECTORVISION_ALLOWED_SOURCES} only, and every
 * refusal has the status the forwarder needs (4xx: it drops the reading; 5xx: it keeps and retries it). Senders are
 * loopback aliases: the forwarder is 127.0.0.5, inside 127.0.0.4/30; a stranger is 127.0.0.9.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LectorVisionPortTest {

    static final int LV_PORT = 24671;
    static final int API_PORT = 24672;
    static final int TRANSIT_PORT = 24673;
    /** Ports of the services that must not open a Lector Vision port. */
    static final int OFF_LV_PORT = 24674;

    static final int OFF_TRANSIT_PORT = 24675;
    static final int OFF_API_PORT = 24676;
    static final int EMPTY_LIST_LV_PORT = 24677;
    static final int EMPTY_LIST_TRANSIT_PORT = 24678;
    static final Path IMAGES = Path.of("target/it-images/lectorvision-port").toAbsolutePath();
    static final String FORWARDER = "127.0.0.5";
    static final String STRANGER = "127.0.0.9";
    static final String CAMERA = "LV-PORT-01";
    static final int POOL_SIZE = 3;
    static final int MAX_BODY = 512 * 1024;
    static final ZoneId MADRID = ZoneId.of("Europe/Madrid");

    private final HikariDataSource db = TestDb.open();
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger sequence = new AtomicInteger(4000);
    private final Random random = new Random(33335);
    private InProcessService service;

    @BeforeAll
    void start() throws Exception {
        Map<String, String> settings = dbSettings();
        settings.putAll(Map.of(
                "TRANSIT_PORT",
                String.valueOf(TRANSIT_PORT),
                "API_PORT",
                String.valueOf(API_PORT),
                "LECTORVISION_PORT",
                String.valueOf(LV_PORT),
                "LECTORVISION_ALLOWED_SOURCES",
                "127.0.0.4/30",
                "IMAGES_BASE_DIR",
                IMAGES.toString(),
                "CAMERA_CACHE_SECONDS",
                "0",
                "API_MAX_BODY_BYTES",
                String.valueOf(MAX_BODY),
                // A small pool that waits little: the test holds all of it to make the database unavailable.
                "DB_POOL_SIZE",
                String.valueOf(POOL_SIZE),
                "DB_CONNECT_TIMEOUT_MS",
                "250"));
        service = InProcessService.start(settings, "ingest,api");
    }

    @AfterAll
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        db.close();
    }

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(IMAGES);
        TestDb.camera(db, CAMERA, null);
    }

    private static Map<String, String> dbSettings() {
        return new HashMap<>(TestDb.serviceSettings(
                TestDb.ANY_READING_AGE_PROPERTY.split("=")[0],
                TestDb.ANY_READING_AGE_PROPERTY.split("=")[1],
                "JOLOKIA_PORT",
                "0"));
    }

    // ---- The forwarder, as lectorvision_service.py does it ----

    /** A JPEG-looking image: SOI, some bytes, EOI. */
    private String jpegBase64(int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0xD8;
        b[2] = (byte) 0xFF;
        b[size - 2] = (byte) 0xFF;
        b[size - 1] = (byte) 0xD9;
        return Base64.getEncoder().encodeToString(b);
    }

    /**
     * A Lector Vision record after the forwarder's processor: the device's fields and image paths, then the Base64 it
     * adds from those paths (process_one_record: OCR, CTX, then the crop, each under the first name of its list).
     */
    private Map<String, Object> record(String serial, String plate, LocalDateTime localTime) {
        Map<String, Object> r = new LinkedHashMap<>();
        int transit = sequence.get();
        r.put("IdTransit", transit);
        r.put("Plate", plate);
        r.put("TimeStamp", localTime.format(DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss.SSS")));
        r.put("SerialNumber", serial);
        r.put("IdDevice", 3);
        r.put("Fiability", 93);
        r.put("Direction", "Entrada");
        r.put("LaneNumber", 2);
        r.put("LaneName", "Carril Pça. Països Catalans");
        r.put("Country", 724);
        r.put("PlateCoord", List.of(412, 305, 596, 352));
        r.put("CharHeight", 24);
        String dir = "C:\\Program Files (x86)\\LectorVision\\RedLight\\PlateImageDir\\";
        r.put("OCRImagePath", dir + transit + "_ocr.jpg");
        r.put("ColorImagePath", dir + transit + "_color.jpg");
        r.put("CROPImagePath", dir + transit + "_crop.jpg");
        r.put("ImageOCR", jpegBase64(3000));
        r.put("ImageCTX", jpegBase64(9000));
        r.put("ImageCrop", jpegBase64(1500));
        return r;
    }

    private Map<String, Object> recordNow(String serial) {
        return record(
                serial,
                String.format("%04dLVP", sequence.incrementAndGet()),
                LocalDateTime.now(MADRID).minusSeconds(5));
    }

    /** Python's {@code json.dumps(payload, ensure_ascii=False)}: ", " and ": " separators, non-ASCII as is. */
    private String pythonDumps(Object value) throws IOException {
        if (value instanceof Map<?, ?> map) {
            List<String> items = new ArrayList<>();
            for (var e : map.entrySet()) {
                items.add(json.writeValueAsString(e.getKey()) + ": " + pythonDumps(e.getValue()));
            }
            return "{" + String.join(", ", items) + "}";
        }
        if (value instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            for (Object o : list) {
                items.add(pythonDumps(o));
            }
            return "[" + String.join(", ", items) + "]";
        }
        return json.writeValueAsString(value);
    }

    /**
     * {@code http_post_json(SEND_URL, payload, SEND_HEADERS, 10)}: urllib's request with SEND_HEADERS (only Content-Type)
     * and what urllib and http.client add themselves, the body UTF-8; head and body in one write, as http.client sends a
     * bytes body.
     */
    private RawHttp.Response postLikeTheForwarder(String from, int port, String path, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST " + path + " HTTP/1.1\r\nAccept-Encoding: identity\r\nContent-Length: " + bytes.length
                        + "\r\nHost: 127.0.0.1:" + port
                        + "\r\nUser-Agent: Python-urllib/3.11\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] request = Arrays.copyOf(head, head.length + bytes.length);
        System.arraycopy(bytes, 0, request, head.length, bytes.length);
        try (RawHttp http = new RawHttp(from, port)) {
            return http.send(request).read(15_000);
        }
    }

    private RawHttp.Response forward(String from, Map<String, Object> record) throws IOException {
        return postLikeTheForwarder(from, LV_PORT, "/ingest/lectorvision", pythonDumps(record));
    }

    private long readings() throws Exception {
        return TestDb.count(db, "SELECT count(*) FROM alpr_readings");
    }

    // ---- Tests ----

    @Test
    void aReadingPostedExactlyAsTheForwarderPostsItIsStoredWithoutAnApiKey() throws Exception {
        Map<String, Object> record = recordNow(CAMERA);
        String crop = (String) record.get("ImageCrop");
        try (LogCapture logs = new LogCapture()) {
            RawHttp.Response r = forward(FORWARDER, record);
            assertThat(r.status())
                    .as(r.body())
                    .isEqualTo(202); // as the old service; the forwarder accepts 200/201/202/204
            assertThat(json.readTree(r.body()).path("stored").asBoolean()).isTrue();
            assertThat(logs.linesContaining("[INGEST] Lectura recibida (" + record.get("Plate") + ") de (" + CAMERA
                            + ") desde " + FORWARDER))
                    .hasSize(1);
            assertThat(logs.lines())
                    .as("no image in the log")
                    .noneMatch(l -> l.contains(crop.substring(100, 140))
                            || l.contains(((String) record.get("ImageOCR")).substring(100, 140)));
        }
        assertThat(TestDb.text(
                        db,
                        "SELECT concat_ws('|', plate, device_sn, country_code, lane_id, lane_descr, bbox_max_y, char_height, "
                                + "has_image_ocr, has_image_ctx, host(source_address)) FROM alpr_readings"))
                .isEqualTo(record.get("Plate") + "|" + CAMERA + "|ES|2|Carril Pça. Països Catalans|352|24|t|t|"
                        + FORWARDER);
        assertThat(TestDb.count(
                        db,
                        "SELECT count(*) FROM messages_queue q JOIN alpr_readings r ON r.id = q.reading_id "
                                + "WHERE q.status = 'PENDING'"))
                .isEqualTo(1);
        String ocr = TestDb.text(db, "SELECT image_ocr_path FROM alpr_readings");
        String ctx = TestDb.text(db, "SELECT image_ctx_path FROM alpr_readings");
        assertThat(Files.readAllBytes(IMAGES.resolve(ocr)))
                .isEqualTo(Base64.getDecoder().decode((String) record.get("ImageOCR")));
        assertThat(Files.readAllBytes(IMAGES.resolve(ctx)))
                .isEqualTo(Base64.getDecoder().decode((String) record.get("ImageCTX")));
        assertThat(TestDb.text(db, "SELECT raw_xml FROM alpr_readings"))
                .as("the crop is not copied into raw_xml")
                .contains("\"ImageCrop\":\"[" + crop.length() + " bytes]\"")
                .doesNotContain(crop.substring(0, 100));

        RawHttp.Response again = forward(FORWARDER, record);
        assertThat(again.status())
                .as("a retry of a stored reading is accepted, so the forwarder deletes it")
                .isEqualTo(202);
        assertThat(json.readTree(again.body()).path("stored").asBoolean()).isFalse();
        assertThat(readings()).isEqualTo(1);
    }

    @Test
    void aSenderOutsideTheAllowedSourcesGets403AndNothingIsStored() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            RawHttp.Response r = forward(STRANGER, recordNow(CAMERA));
            assertThat(r.status()).isEqualTo(403);
            assertThat(logs.linesContaining("LECTORVISION_ALLOWED_SOURCES"))
                    .singleElement()
                    .asString()
                    .contains(STRANGER)
                    .contains("no está en LECTORVISION_ALLOWED_SOURCES");
        }
        assertThat(readings()).isZero();
        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue")).isZero();
    }

    @Test
    void aBadReadingGets400WithTheReasonAndNothingIsStored() throws Exception {
        RawHttp.Response notJson =
                postLikeTheForwarder(FORWARDER, LV_PORT, "/ingest/lectorvision", "{\"Plate\": \"1234ABC\", ");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(json.readTree(notJson.body()).path("error").asText()).contains("JSON");

        Map<String, Object> noPlate = recordNow(CAMERA);
        noPlate.remove("Plate");
        RawHttp.Response missing = forward(FORWARDER, noPlate);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(json.readTree(missing.body()).path("error").asText()).contains("PLATE_STRING");

        Map<String, Object> notJpeg = recordNow(CAMERA);
        notJpeg.put(
                "ImageOCR",
                Base64.getEncoder().encodeToString("GIF89a not a jpeg".getBytes(StandardCharsets.US_ASCII)));
        assertThat(forward(FORWARDER, notJpeg).status()).isEqualTo(400);

        RawHttp.Response old = forward(
                FORWARDER, record(CAMERA, "5555OLD", LocalDateTime.now(MADRID).minusYears(20)));
        assertThat(old.status()).isEqualTo(400);
        assertThat(json.readTree(old.body()).path("error").asText()).contains("INGEST_MAX_AGE_DAYS");
        assertThat(readings()).isZero();
    }

    @Test
    void anUnregisteredCameraGets503SoTheForwarderKeepsTheReadingUntilTheCameraIsRegistered() throws Exception {
        Map<String, Object> record = recordNow("LV-NEW-02");
        RawHttp.Response r = forward(FORWARDER, record);
        assertThat(r.status()).as(r.body()).isEqualTo(503);
        assertThat(r.header("Retry-After")).isNotBlank();
        assertThat(json.readTree(r.body()).path("error").asText()).contains("cámara no registrada");
        assertThat(readings()).isZero();

        TestDb.camera(db, "LV-NEW-02", null);
        assertThat(forward(FORWARDER, record).status())
                .as("the forwarder's retry")
                .isEqualTo(202);
        assertThat(readings()).isEqualTo(1);
    }

    @Test
    void anUnavailableDatabaseGets503AndTheForwardersRetryIsStored() throws Exception {
        Map<String, Object> record = recordNow(CAMERA);
        HikariDataSource pool = service.bean("dataSource", HikariDataSource.class);
        List<Connection> held = new ArrayList<>();
        try (LogCapture logs = new LogCapture()) {
            for (int i = 0; i < POOL_SIZE; i++) {
                held.add(pool.getConnection()); // the service's pool, all of it: its next caller times out
            }
            RawHttp.Response r = forward(FORWARDER, record);
            assertThat(r.status()).as(r.body()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isNotBlank();
            assertThat(logs.linesContaining("base de datos no disponible"))
                    .singleElement()
                    .asString()
                    .contains(FORWARDER)
                    .contains("503");
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
        assertThat(readings()).isZero();
        assertThat(forward(FORWARDER, record).status())
                .as("the forwarder's retry")
                .isEqualTo(202);
        assertThat(readings()).isEqualTo(1);
    }

    @Test
    void whileTheRouteIsStoppedTheForwarderGets503AndKeepsItsReading() throws Exception {
        Map<String, Object> record = recordNow(CAMERA);
        service.context().getRouteController().stopRoute("ingest-lectorvision-port");
        try {
            RawHttp.Response r = forward(FORWARDER, record);
            assertThat(r.status()).as(r.body()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isNotBlank();
        } finally {
            service.context().getRouteController().startRoute("ingest-lectorvision-port");
        }
        assertThat(readings()).isZero();
        assertThat(forward(FORWARDER, record).status()).isEqualTo(202);
        assertThat(readings()).isEqualTo(1);
    }

    @Test
    void wrongPathMethodOrSizeAreRefusedBeforeTheBodyIsRead() throws Exception {
        assertThat(postLikeTheForwarder(FORWARDER, LV_PORT, "/ingest/v2/detection/", pythonDumps(recordNow(CAMERA)))
                        .status())
                .isEqualTo(404);
        try (RawHttp http = new RawHttp(FORWARDER, LV_PORT)) {
            RawHttp.Response get = http.send("GET /ingest/lectorvision HTTP/1.1\r\nHost: x\r\n\r\n")
                    .read(5000);
            assertThat(get.status()).isEqualTo(405);
            assertThat(get.header("Allow")).isEqualTo("POST");
        }
        try (RawHttp http = new RawHttp(FORWARDER, LV_PORT)) {
            RawHttp.Response big = http.send(
                            "POST /ingest/lectorvision HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: " + (MAX_BODY + 1) + "\r\n\r\n")
                    .read(5000);
            assertThat(big.status())
                    .as("answered on the announced size, body unsent")
                    .isEqualTo(413);
        }
        try (RawHttp http = new RawHttp(FORWARDER, LV_PORT)) {
            http.send(
                    "POST /ingest/lectorvision HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            byte[] chunk = ("10000\r\n" + "x".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                for (int i = 0; i < 2 * MAX_BODY / 0x10000; i++) { // twice the limit
                    http.send(chunk);
                }
            } catch (IOException closedUnderUs) {
                // the server may close while we still write
            }
            assertThat(http.read(5000).status())
                    .as("a chunked body is cut at the limit")
                    .isEqualTo(413);
        }
        assertThat(readings()).isZero();
    }

    @Test
    void theApiKeyRouteWorksAsBefore() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI api = URI.create("http://127.0.0.1:" + API_PORT + "/ingest/lectorvision");
        // A small body: the gate answers 401 before reading it and closes the connection, which could cut a large one
        // mid-write.
        HttpRequest keyless = HttpRequest.newBuilder(api)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();
        assertThat(http.send(keyless, HttpResponse.BodyHandlers.ofString()).statusCode())
                .as("no key on the API port")
                .isEqualTo(401);
        String key = new ApiKeyRepository(db).create("lv-writer", "SOURCE_WRITER");
        HttpRequest keyed = HttpRequest.newBuilder(api)
                .header("Content-Type", "application/json")
                .header("X-API-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(pythonDumps(recordNow(CAMERA))))
                .build();
        HttpResponse<String> r = http.send(keyed, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(readings()).isEqualTo(1);
    }

    @Test
    void anEmptyAllowListRefusesEveryRequestWith403() throws Exception {
        Map<String, String> settings = dbSettings();
        settings.putAll(Map.of(
                "TRANSIT_PORT",
                String.valueOf(EMPTY_LIST_TRANSIT_PORT),
                "LECTORVISION_PORT",
                String.valueOf(EMPTY_LIST_LV_PORT),
                "IMAGES_BASE_DIR",
                IMAGES.toString()));
        try (LogCapture logs = new LogCapture();
                InProcessService empty = InProcessService.start(settings, "ingest")) {
            assertThat(logs.linesContaining("LECTORVISION_ALLOWED_SOURCES está vacía"))
                    .as("said at start")
                    .hasSize(1);
            assertThat(postLikeTheForwarder(
                                    FORWARDER,
                                    EMPTY_LIST_LV_PORT,
                                    "/ingest/lectorvision",
                                    pythonDumps(recordNow(CAMERA)))
                            .status())
                    .isEqualTo(403);
            assertThat(postLikeTheForwarder(
                                    "127.0.0.1",
                                    EMPTY_LIST_LV_PORT,
                                    "/ingest/lectorvision",
                                    pythonDumps(recordNow(CAMERA)))
                            .status())
                    .isEqualTo(403);
            assertThat(logs.linesContaining("rechazada (403)"))
                    .hasSize(2)
                    .allMatch(l -> l.contains("LECTORVISION_ALLOWED_SOURCES está vacía"));
        }
        assertThat(readings()).isZero();
    }

    @Test
    void thePortIsNotOpenedWhenLectorVisionPortIsEmptyOrTheIngestFlowIsOff() throws Exception {
        Map<String, String> off = dbSettings();
        off.putAll(Map.of(
                "TRANSIT_PORT",
                String.valueOf(OFF_TRANSIT_PORT),
                "IMAGES_BASE_DIR",
                IMAGES.toString(),
                "LECTORVISION_ALLOWED_SOURCES",
                "127.0.0.0/8"));
        try (InProcessService ingest = InProcessService.start(off, "ingest")) {
            assertThat(ingest.context().hasService(LectorVisionServer.class)).isNull();
            assertThat(ingest.context().getRoute("ingest-lectorvision-port"))
                    .as("the route is loaded, and idle")
                    .isNotNull();
        }
        off.putAll(Map.of("LECTORVISION_PORT", String.valueOf(OFF_LV_PORT), "API_PORT", String.valueOf(OFF_API_PORT)));
        try (InProcessService api = InProcessService.start(off, "api")) {
            assertThat(api.context().hasService(LectorVisionServer.class))
                    .as("no ingest flow")
                    .isNull();
            assertThatThrownBy(() -> {
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress("127.0.0.1", OFF_LV_PORT), 1000);
                        }
                    })
                    .isInstanceOf(ConnectException.class);
        }
    }
}
