package routes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import routes.support.CameraClient;
import routes.support.InProcessService;
import routes.support.LogCapture;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.SyntheticReadings;

/**
 * The camera port behind a TCP balancer ({@code INGEST_PROXY_PROTOCOL=true}): each connection's camera address is the
 * one its PROXY header (v1 text or v2 binary, written here byte by byte from the protocol's specification) carries,
 * for the cameras' allowed sources, {@code INGEST_ALLOWED_SOURCES}, the stored {@code source_address}, the log and the
 * counters; only the balancers of {@code INGEST_PROXY_SOURCES} may connect, and a connection without a header is
 * refused with one line. Without the setting a PROXY header is not honoured. The balancer here is this test, on
 * 127.0.0.1; the camera addresses are documentation ranges no test socket could come from.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestProxyProtocolTest {

    static final int PROXIED_PORT = 25101;
    static final int DIRECT_PORT = 25102;
    static final int FAILED_START_PORT = 25103;
    static final Path IMAGES = Path.of("target/it-images/ingest-proxy").toAbsolutePath();
    static final ZoneId MADRID = ZoneId.of("Europe/Madrid");

    /** Bound to 203.0.113.7 (a camera on the internet behind the balancer). */
    static final String BOUND = "PRX-BOUND";
    /** Bound to 198.51.100.0/24 and 2001:db8:7::/48. */
    static final String NETWORK = "PRX-NET";
    /** No allowed sources of its own. */
    static final String OPEN = "PRX-OPEN";

    private final HikariDataSource db = TestDb.open();
    private final SyntheticReadings synthetic = new SyntheticReadings(15, 2048, 4096);
    private final AtomicInteger sequence = new AtomicInteger();
    private InProcessService proxied;
    private InProcessService direct;

    @BeforeAll
    void start() throws Exception {
        TestFiles.deleteTree(IMAGES);
        proxied = InProcessService.start(
                settings(
                        PROXIED_PORT,
                        "proxied",
                        Map.of(
                                "INGEST_PROXY_PROTOCOL", "true",
                                "INGEST_PROXY_SOURCES", "127.0.0.1/32",
                                "INGEST_ALLOWED_SOURCES", "203.0.113.0/24,198.51.100.0/24,2001:db8::/32")),
                "ingest");
        direct = InProcessService.start(settings(DIRECT_PORT, "direct", Map.of()), "ingest");
    }

    @AfterAll
    void stop() throws Exception {
        if (proxied != null) {
            proxied.close();
        }
        if (direct != null) {
            direct.close();
        }
        db.close();
    }

    @BeforeEach
    void cameras() throws Exception {
        TestDb.reset(db);
        TestDb.camera(db, BOUND, null);
        TestDb.camera(db, NETWORK, null);
        TestDb.camera(db, OPEN, null);
        TestDb.execute(
                db, "UPDATE cameras SET allowed_sources = '{203.0.113.7/32}' WHERE serial_number = '" + BOUND + "'");
        TestDb.execute(
                db,
                "UPDATE cameras SET allowed_sources = '{198.51.100.0/24,2001:db8:7::/48}' WHERE serial_number = '"
                        + NETWORK + "'");
    }

    static Map<String, String> settings(int port, String images, Map<String, String> extra) {
        Map<String, String> s = new HashMap<>(TestDb.serviceSettings(
                "DB_POOL_SIZE",
                "6",
                "TRANSIT_PORT",
                String.valueOf(port),
                "IMAGES_BASE_DIR",
                IMAGES.resolve(images).toString(),
                "CAMERA_CACHE_SECONDS",
                "0"));
        s.putAll(extra);
        return s;
    }

    private String plate() {
        return String.format("%04dPRX", sequence.incrementAndGet());
    }

    private String reading(String serial, String plate) {
        return synthetic.vega(serial, plate, LocalDateTime.now(MADRID).minusSeconds(sequence.get()));
    }

    private long stored(String plate) throws Exception {
        return TestDb.count(db, "SELECT count(*) FROM alpr_readings WHERE plate = ?", plate);
    }

    private String source(String plate) throws Exception {
        return TestDb.text(db, "SELECT host(source_address) FROM alpr_readings WHERE plate = ?", plate);
    }

    private void awaitStored(String plate) {
        await().atMost(Duration.ofSeconds(20)).until(() -> stored(plate) == 1);
    }

    private IngestStats stats(InProcessService service) {
        return service.bean("ingestStats", IngestStats.class);
    }

    /** A PROXY protocol v1 line for a TCP4 or TCP6 connection from {@code camera} to the service. */
    static String v1(String camera, int cameraPort) {
        boolean six = camera.contains(":");
        return "PROXY " + (six ? "TCP6 " : "TCP4 ") + camera + " " + (six ? "::1" : "127.0.0.1") + " " + cameraPort
                + " " + PROXIED_PORT + "\r\n";
    }

    /** The 12 bytes every PROXY protocol v2 header starts with. */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** A PROXY protocol v2 header, command PROXY, for a TCP connection (IPv4 or IPv6) from {@code camera}. */
    static byte[] v2(String camera, int cameraPort) throws IOException {
        byte[] source = InetAddress.getByName(camera).getAddress();
        byte[] destination =
                InetAddress.getByName(source.length == 4 ? "127.0.0.1" : "::1").getAddress();
        int length = 2 * source.length + 4;
        ByteBuffer b = ByteBuffer.allocate(16 + length);
        b.put(V2_SIGNATURE);
        b.put((byte) 0x21); // version 2, command PROXY
        b.put((byte) (source.length == 4 ? 0x11 : 0x21)); // AF_INET or AF_INET6, STREAM
        b.putShort((short) length);
        b.put(source).put(destination);
        b.putShort((short) cameraPort).putShort((short) PROXIED_PORT);
        return b.array();
    }

    /** A PROXY protocol v2 header with the LOCAL command: the balancer's own connection (a health check). */
    static byte[] v2Local() {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put(V2_SIGNATURE).put((byte) 0x20).put((byte) 0x00).putShort((short) 0);
        return b.array();
    }

    private static byte[] concat(byte[] a, String b) {
        byte[] tail = b.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[a.length + tail.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(tail, 0, all, a.length, tail.length);
        return all;
    }

    @Test
    void aV1HeadersAddressIsTheCamerasForItsAllowedSourcesTheStoredSourceAndTheLog() throws Exception {
        String first = plate();
        String second = plate();
        try (LogCapture logs = new LogCapture();
                CameraClient balancer = new CameraClient("127.0.0.1", PROXIED_PORT)) {
            // The header and the first document in one write, as a balancer forwards a camera's first segment.
            balancer.send(v1("203.0.113.7", 40001) + reading(BOUND, first));
            awaitStored(first);
            // Bytes that are not XML before the next document: the framer's line names the camera too.
            balancer.send("not xml " + reading(BOUND, second));
            awaitStored(second);
            assertThat(logs.linesContaining("[INGEST] Lectura recibida (" + first + ") de (" + BOUND + ") desde"))
                    .singleElement()
                    .asString()
                    .endsWith("desde 203.0.113.7");
            assertThat(logs.linesContaining("[INGEST] Descartados"))
                    .singleElement()
                    .asString()
                    .endsWith("de /203.0.113.7:40001");
        }
        assertThat(source(first)).isEqualTo("203.0.113.7");
        assertThat(source(second))
                .as("the header holds for the whole connection")
                .isEqualTo("203.0.113.7");
    }

    @Test
    void aV2HeadersAddressIsTheCamerasForIPv4AndIPv6() throws Exception {
        String four = plate();
        String six = plate();
        try (CameraClient balancer = new CameraClient("127.0.0.1", PROXIED_PORT)) {
            balancer.send(concat(v2("198.51.100.20", 40002), reading(NETWORK, four)));
            awaitStored(four);
        }
        try (CameraClient balancer = new CameraClient("127.0.0.1", PROXIED_PORT)) {
            // The header alone first, the document in a later segment.
            balancer.send(v2("2001:db8:7::20", 40003));
            balancer.send(reading(NETWORK, six));
            awaitStored(six);
        }
        assertThat(source(four)).isEqualTo("198.51.100.20");
        assertThat(source(six)).isEqualTo("2001:db8:7::20");
    }

    @Test
    void aCameraIsRefusedWhenThePROXYAddressIsNotOneItAllowsAndTheConnectionKeepsServing() throws Exception {
        long before = stats(proxied).rejectedCount(Rejection.SOURCE_NOT_ALLOWED);
        String forged = plate();
        String canary = plate();
        try (LogCapture logs = new LogCapture();
                CameraClient balancer = new CameraClient("127.0.0.1", PROXIED_PORT)) {
            // 203.0.113.8 is in INGEST_ALLOWED_SOURCES, but BOUND sends only from 203.0.113.7.
            balancer.send(v1("203.0.113.8", 40004) + reading(BOUND, forged));
            balancer.send(reading(OPEN, canary));
            awaitStored(canary);
            assertThat(logs.linesContaining("(origen no permitido)"))
                    .singleElement()
                    .asString()
                    .contains("no envía desde 203.0.113.8")
                    .doesNotContain("127.0.0.1");
        }
        assertThat(stored(forged)).isZero();
        assertThat(source(canary)).isEqualTo("203.0.113.8");
        assertThat(stats(proxied).rejectedCount(Rejection.SOURCE_NOT_ALLOWED) - before)
                .isEqualTo(1);
    }

    @Test
    void aPROXYAddressOutsideTheIngestAllowedSourcesIsClosedBeforeItsDocumentIsRead() throws Exception {
        long before = stats(proxied).rejectedCount(Rejection.SOURCE_NOT_ALLOWED);
        String outside = plate();
        try (LogCapture logs = new LogCapture();
                CameraClient balancer = new CameraClient("127.0.0.1", PROXIED_PORT)) {
            balancer.send(v1("192.0.2.50", 40005) + reading(OPEN, outside));
            assertThat(balancer.closedByServer(10_000)).isTrue();
            assertThat(logs.linesContaining("no está en INGEST_ALLOWED_SOURCES"))
                    .singleElement()
                    .asString()
                    .contains(
                            "conexión cerrada: 192.0.2.50 no está en INGEST_ALLOWED_SOURCES de 192.0.2.50 (vía el balanceador 127.0.0.1)");
        }
        assertThat(stats(proxied).rejectedCount(Rejection.SOURCE_NOT_ALLOWED) - before)
                .isEqualTo(1);
        // Nothing of what followed the header was framed: the same document through an allowed address is stored.
        String canary = plate();
        try (CameraClient balancer = new CameraClient("127.0.0.1", PROXIED_PORT)) {
            balancer.send(v1("203.0.113.9", 40006) + reading(OPEN, canary));
            awaitStored(canary);
        }
        assertThat(stored(outside)).isZero();
    }

    @Test
    void aConnectionWithoutAPROXYHeaderIsRefusedWithOneLineAndNothingOfItIsStored() throws Exception {
        long before = stats(proxied).rejectedCount(Rejection.PROXY_HEADER);
        String bypass = plate();
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient("127.0.0.1", PROXIED_PORT)) {
            // A camera reaching the port past the balancer, spoofing nothing: its document is not a PROXY header.
            camera.send(reading(OPEN, bypass));
            assertThat(camera.closedByServer(10_000)).isTrue();
            // The decoder closes the connection as it finds no header, then this line is written.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !logs.linesContaining("[INGEST]").isEmpty());
            assertThat(logs.linesContaining("[INGEST]"))
                    .singleElement()
                    .asString()
                    .contains("(sin cabecera PROXY)")
                    .contains("no empieza con una cabecera PROXY v1 o v2 válida")
                    .endsWith("de 127.0.0.1");
        }
        assertThat(stats(proxied).rejectedCount(Rejection.PROXY_HEADER) - before)
                .isEqualTo(1);
        // A header that is not a valid one is the same: an unknown protocol family in a v1 line.
        try (CameraClient camera = new CameraClient("127.0.0.1", PROXIED_PORT)) {
            camera.send("PROXY TCP5 203.0.113.7 127.0.0.1 40007 " + PROXIED_PORT + "\r\n" + reading(OPEN, plate()));
            assertThat(camera.closedByServer(10_000)).isTrue();
        }
        // Counted as the connection is closed, which the client may see first.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> stats(proxied).rejectedCount(Rejection.PROXY_HEADER) - before == 2);
        String canary = plate();
        try (CameraClient balancer = new CameraClient("127.0.0.1", PROXIED_PORT)) {
            balancer.send(v1("203.0.113.9", 40008) + reading(OPEN, canary));
            awaitStored(canary);
        }
        assertThat(stored(bypass)).isZero();
    }

    @Test
    void onlyTheBalancersOfIngestProxySourcesMaySendAHeader() throws Exception {
        long before = stats(proxied).rejectedCount(Rejection.SOURCE_NOT_ALLOWED);
        String spoofed = plate();
        try (LogCapture logs = new LogCapture();
                CameraClient notABalancer = new CameraClient("127.0.0.9", PROXIED_PORT)) {
            assertThat(notABalancer.closedByServer(10_000)).as("closed at once").isTrue();
            try {
                notABalancer.send(v1("203.0.113.7", 40009) + reading(BOUND, spoofed));
            } catch (IOException expected) {
                // the connection is gone
            }
            assertThat(logs.linesContaining("no está en INGEST_PROXY_SOURCES"))
                    .singleElement()
                    .asString()
                    .contains("127.0.0.9");
        }
        assertThat(stats(proxied).rejectedCount(Rejection.SOURCE_NOT_ALLOWED) - before)
                .isEqualTo(1);
        assertThat(stored(spoofed)).isZero();
    }

    @Test
    void theBalancersOwnConnectionsKeepItsAddressAndAreNotRefused() throws Exception {
        String local = plate();
        try (LogCapture logs = new LogCapture()) {
            // A health check: header with the LOCAL command, then closed.
            try (CameraClient check = new CameraClient("127.0.0.1", PROXIED_PORT)) {
                check.send(v2Local());
            }
            // The same, with a document after it, and v1's UNKNOWN: the connection's own address stands.
            try (CameraClient check = new CameraClient("127.0.0.1", PROXIED_PORT)) {
                check.send(concat(v2Local(), reading(OPEN, local)));
                awaitStored(local);
            }
            String unknown = plate();
            try (CameraClient check = new CameraClient("127.0.0.1", PROXIED_PORT)) {
                check.send("PROXY UNKNOWN\r\n" + reading(OPEN, unknown));
                awaitStored(unknown);
            }
            assertThat(source(unknown)).isEqualTo("127.0.0.1");
            assertThat(logs.linesContaining("Lectura rechazada")).isEmpty();
        }
        assertThat(source(local)).isEqualTo("127.0.0.1");
    }

    @Test
    void withoutTheSettingAPROXYHeaderIsDroppedAsBytesThatAreNotXmlAndItsAddressIgnored() throws Exception {
        String afterV1 = plate();
        String afterV2 = plate();
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient("127.0.0.1", DIRECT_PORT)) {
            camera.send(v1("203.0.113.7", 40010) + reading(OPEN, afterV1));
            awaitStored(afterV1);
            assertThat(logs.linesContaining("[INGEST] Descartados"))
                    .singleElement()
                    .asString()
                    .contains("bytes que no son XML entre documentos de /127.0.0.1:");
            camera.send(concat(v2("198.51.100.20", 40011), reading(OPEN, afterV2)));
            awaitStored(afterV2);
            assertThat(camera.closedByServer(50)).isFalse();
        }
        assertThat(source(afterV1)).as("the header is not honoured").isEqualTo("127.0.0.1");
        assertThat(source(afterV2)).isEqualTo("127.0.0.1");
        try (CameraClient forger = new CameraClient("127.0.0.1", DIRECT_PORT)) {
            String forged = plate();
            forger.send(v1("203.0.113.7", 40012) + reading(BOUND, forged));
            String canary = plate();
            forger.send(reading(OPEN, canary));
            awaitStored(canary);
            assertThat(stored(forged)).as("no camera address can be claimed").isZero();
        }
    }

    @Test
    void aRoutesDirIngestFileWithoutTheCameraAddressStepStopsStartUpBehindABalancer(@TempDir Path routes)
            throws Exception {
        for (String file : new String[] {"errors.yaml", "ingest.yaml"}) {
            try (var in = getClass().getClassLoader().getResourceAsStream("camel/" + file)) {
                Files.write(routes.resolve(file), in.readAllBytes());
            }
        }
        String ingest = Files.readString(routes.resolve("ingest.yaml"));
        String withoutStep = ingest.replaceFirst(
                "(?s)        - bean:\\n            id: camera-address\\n            ref: cameraAddress\\n"
                        + "            method: toHeader\\n",
                "");
        assertThat(withoutStep).isNotEqualTo(ingest);
        Files.writeString(routes.resolve("ingest.yaml"), withoutStep);
        assertThatThrownBy(() -> InProcessService.start(
                                settings(
                                        FAILED_START_PORT,
                                        "failed",
                                        Map.of(
                                                "INGEST_PROXY_PROTOCOL", "true",
                                                "INGEST_PROXY_SOURCES", "127.0.0.1/32",
                                                "ROUTES_DIR", routes.toString())),
                                "ingest")
                        .close())
                .hasMessageContaining("INGEST_PROXY_PROTOCOL=true but route ingest-tattile-tcp")
                .hasMessageContaining("has no step camera-address");
    }
}
