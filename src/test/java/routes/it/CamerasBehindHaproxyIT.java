package routes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import routes.ingest.IngestStats;
import routes.ingest.Rejection;
import routes.support.CameraClient;
import routes.support.InProcessService;
import routes.support.LogCapture;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.SyntheticReadings;

/**
 * Cameras behind a real HAProxy ({@code mode tcp}, {@code send-proxy-v2}, health checks) in front of two service
 * instances on one database, both with {@code INGEST_PROXY_PROTOCOL=true}: a camera's readings are stored under its
 * own address (a loopback alias, 127.0.0.5, while HAProxy connects from 127.0.0.1), another address cannot send for
 * it, and when the instance holding the camera's connection stops, the camera reconnects through HAProxy to the other
 * instance, which stores its next readings. HAProxy is the Debian package ({@code deploy/dev/test.sh} installs it);
 * without it this test fails, it does not skip.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CamerasBehindHaproxyIT {

    static final int HAPROXY_PORT = 25120;
    static final int[] INSTANCE_PORTS = {25121, 25122};
    static final Path IMAGES = Path.of("target/it-images/behind-haproxy").toAbsolutePath();
    static final String CAMERA = "HAP-CAM";
    static final String CAMERA_ADDRESS = "127.0.0.5";
    static final ZoneId MADRID = ZoneId.of("Europe/Madrid");

    private final HikariDataSource db = TestDb.open();
    private final SyntheticReadings synthetic = new SyntheticReadings(25, 2048, 4096);
    private final AtomicInteger sequence = new AtomicInteger();

    @AfterAll
    void close() {
        db.close();
    }

    /** The haproxy program, or a failure that says how to install it. */
    static Path haproxy() {
        List<Path> places = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                places.add(Path.of(dir, "haproxy"));
            }
        }
        places.add(Path.of("/usr/sbin/haproxy"));
        return places.stream()
                .filter(Files::isExecutable)
                .findFirst()
                .orElseGet(() -> fail("haproxy is not installed (looked in PATH and /usr/sbin): this test needs a real"
                        + " HAProxy; install it with 'apt-get install haproxy' (deploy/dev/test.sh does)"));
    }

    /**
     * The README's haproxy.cfg ("Two hosts"), as operators copy it, with its addresses replaced by this test's: the
     * snippet the guide gives is the one tested. Only a {@code global} section is added, for HAProxy's own log.
     */
    static String config() throws IOException {
        List<String> readme = Files.readAllLines(Path.of("README.md"));
        int first = readme.indexOf("# /etc/haproxy/haproxy.cfg (both hosts; the block CamerasBehindHaproxyIT runs)");
        assertThat(first).as("the haproxy.cfg block of README's Two hosts").isNotNegative();
        StringBuilder block = new StringBuilder();
        for (String line : readme.subList(first + 1, readme.size())) {
            if (line.isBlank()) {
                break;
            }
            block.append(line).append('\n');
        }
        Map<String, String> addresses = Map.of(
                "10.0.0.5:33334", "127.0.0.1:" + HAPROXY_PORT,
                "10.0.0.11:33334", "127.0.0.1:" + INSTANCE_PORTS[0],
                "10.0.0.12:33334", "127.0.0.1:" + INSTANCE_PORTS[1]);
        String cfg = block.toString();
        for (var a : addresses.entrySet()) {
            assertThat(cfg).as("README's haproxy.cfg names %s", a.getKey()).contains(a.getKey());
            cfg = cfg.replace(a.getKey(), a.getValue());
        }
        return """
                global
                    log stdout format raw local0 info
                    maxconn 256
                """ + cfg;
    }

    static Map<String, String> settings(int port) {
        Map<String, String> s = new HashMap<>(TestDb.serviceSettings(
                "DB_POOL_SIZE",
                "6",
                "TRANSIT_PORT",
                String.valueOf(port),
                "IMAGES_BASE_DIR",
                IMAGES.toString(),
                "CAMERA_CACHE_SECONDS",
                "0",
                "INGEST_PROXY_PROTOCOL",
                "true",
                // HAProxy connects to the instances from 127.0.0.1; the cameras reach HAProxy from other addresses.
                "INGEST_PROXY_SOURCES",
                "127.0.0.1/32"));
        return s;
    }

    private String plate() {
        return String.format("%04dHAP", sequence.incrementAndGet());
    }

    private String reading(String plate) {
        return synthetic.vega(CAMERA, plate, LocalDateTime.now(MADRID).minusSeconds(sequence.get()));
    }

    private long stored(String plate) throws Exception {
        return TestDb.count(db, "SELECT count(*) FROM alpr_readings WHERE plate = ?", plate);
    }

    private void awaitStored(String plate) {
        await().atMost(Duration.ofSeconds(30)).until(() -> stored(plate) == 1);
    }

    private String source(String plate) throws Exception {
        return TestDb.text(db, "SELECT host(source_address) FROM alpr_readings WHERE plate = ?", plate);
    }

    private static long storedBy(InProcessService instance) {
        return instance.bean("ingestStats", IngestStats.class).storedCount();
    }

    @Test
    void aCamerasReadingsKeepItsAddressThroughHaproxyAndFollowItToTheOtherInstanceWhenOneStops(@TempDir Path dir)
            throws Exception {
        Path haproxy = haproxy();
        TestDb.reset(db);
        TestFiles.deleteTree(IMAGES);
        TestDb.camera(db, CAMERA, null);
        TestDb.execute(
                db,
                "UPDATE cameras SET allowed_sources = '{" + CAMERA_ADDRESS + "/32}' WHERE serial_number = '" + CAMERA
                        + "'");
        Path cfg = dir.resolve("haproxy.cfg");
        Path haproxyLog = dir.resolve("haproxy.log");
        Files.writeString(cfg, config());
        Process check = new ProcessBuilder(haproxy.toString(), "-c", "-f", cfg.toString())
                .redirectErrorStream(true)
                .start();
        String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as("haproxy -c: %s", checked).isZero();

        List<InProcessService> instances = new ArrayList<>();
        Process proxy = null;
        try (LogCapture logs = new LogCapture()) {
            for (int port : INSTANCE_PORTS) {
                instances.add(InProcessService.start(settings(port), "ingest"));
            }
            proxy = new ProcessBuilder(haproxy.toString(), "-db", "-f", cfg.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(haproxyLog.toFile())
                    .start();
            Process running = proxy;
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                if (!running.isAlive()) {
                    fail("haproxy stopped: " + Files.readString(haproxyLog));
                }
                return listening(HAPROXY_PORT);
            });

            // The camera's first readings: stored under its own address, by whichever instance HAProxy chose.
            String first = plate();
            InProcessService holding;
            try (CameraClient camera = new CameraClient(CAMERA_ADDRESS, HAPROXY_PORT)) {
                camera.send(reading(first));
                awaitStored(first);
                assertThat(source(first)).isEqualTo(CAMERA_ADDRESS);
                holding = storedBy(instances.get(0)) == 1 ? instances.get(0) : instances.get(1);
                InProcessService other = holding == instances.get(0) ? instances.get(1) : instances.get(0);
                assertThat(storedBy(holding)).isEqualTo(1);
                assertThat(storedBy(other)).isZero();

                // Another address behind the same HAProxy cannot send for this camera.
                long refusedBefore = rejected(instances);
                String forged = plate();
                String next = plate();
                try (CameraClient forger = new CameraClient("127.0.0.6", HAPROXY_PORT)) {
                    forger.send(reading(forged));
                    await().atMost(Duration.ofSeconds(30)).until(() -> rejected(instances) == refusedBefore + 1);
                }
                assertThat(logs.linesContaining("(origen no permitido)"))
                        .singleElement()
                        .asString()
                        .contains("no envía desde 127.0.0.6");
                assertThat(stored(forged)).isZero();

                // The instance holding the camera's connection stops: the connection is closed through HAProxy.
                camera.send(reading(next));
                awaitStored(next);
                holding.close();
                instances.remove(holding);
                assertThat(camera.closedByServer(30_000))
                        .as("the camera sees its connection closed")
                        .isTrue();
            }

            // The camera reconnects, as Tattile cameras do, through HAProxy: the other instance stores what follows.
            InProcessService remaining = instances.get(0);
            long before = storedBy(remaining);
            List<String> after = List.of(plate(), plate(), plate());
            try (CameraClient camera = new CameraClient(CAMERA_ADDRESS, HAPROXY_PORT)) {
                for (String p : after) {
                    camera.send(reading(p));
                }
                for (String p : after) {
                    awaitStored(p);
                }
            }
            assertThat(storedBy(remaining) - before).isEqualTo(after.size());
            for (String p : after) {
                assertThat(source(p)).isEqualTo(CAMERA_ADDRESS);
            }
            // HAProxy's health checks (PROXY v2 LOCAL headers) and its connections were never taken for cameras.
            assertThat(logs.linesContaining("sin cabecera PROXY")).isEmpty();
            assertThat(logs.linesContaining("INGEST_PROXY_SOURCES")).isEmpty();
        } finally {
            if (proxy != null) {
                proxy.destroy();
                if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
                    proxy.destroyForcibly();
                }
            }
            for (InProcessService instance : instances) {
                instance.close();
            }
        }
    }

    private static long rejected(List<InProcessService> instances) {
        return instances.stream()
                .mapToLong(i -> i.bean("ingestStats", IngestStats.class).rejectedCount(Rejection.SOURCE_NOT_ALLOWED))
                .sum();
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
