package routes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.support.CameraClient;
import routes.support.RawHttp;
import routes.support.TestDb;
import routes.tools.SyntheticReadings;

/**
 * The packaged jar, with the systemd unit's heap (256 MB) and its -XX:+ExitOnOutOfMemoryError, under the API
 * attack that took it down before: 64 concurrent unauthenticated 8 MB uploads and 500 slow-loris connections,
 * while a camera keeps sending readings over TCP. The service must stay up, answer the uploads without reading
 * them, shed the slow connections, and store every reading of the camera.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiFloodIT {

    static final int PORT = 23461;
    static final int API_PORT = 23462;
    static final String SERIAL = "FLOOD01";
    static final int UPLOADS = 64;
    static final long UPLOAD_BYTES = 8L * 1024 * 1024;
    static final int SLOW_CONNECTIONS = 500;
    static final int READINGS = 150;

    private final HikariDataSource db = TestDb.open();
    private JarService service;

    @BeforeAll
    void start() throws Exception {
        TestDb.reset(db);
        TestDb.camera(db, SERIAL, null);
        service = JarService.start(
                        Path.of("target/api-flood-it.log"),
                        Map.of(
                                "TATTILE_FLOWS",
                                "ingest,api",
                                "TRANSIT_PORT",
                                String.valueOf(PORT),
                                "API_PORT",
                                String.valueOf(API_PORT),
                                "CAMERA_CACHE_SECONDS",
                                "0",
                                "IMAGES_BASE_DIR",
                                Path.of("target/it-images/api-flood")
                                        .toAbsolutePath()
                                        .toString(),
                                "API_HEADER_TIMEOUT_SECONDS",
                                "5"))
                .awaitStarted(PORT);
        await().atMost(Duration.ofSeconds(30)).until(() -> JarService.listening(API_PORT));
    }

    @AfterAll
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        db.close();
    }

    /** An unauthenticated upload of 8 MB: what the server answered (its status), or 0 when it closed the connection first. */
    private static int upload(String from, CountDownLatch connected) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            try {
                s.connect(new InetSocketAddress("127.0.0.1", API_PORT), 5000);
            } finally {
                connected.countDown();
            }
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(
                    ("POST /ingest/lectorvision HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                                    + UPLOAD_BYTES + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'A');
            try {
                for (long sent = 0; sent < UPLOAD_BYTES; sent += chunk.length) {
                    out.write(chunk);
                }
            } catch (IOException closedByTheServer) {
                // expected: the answer came before the body, and the connection was closed
            }
            try {
                byte[] head = s.getInputStream().readNBytes(12);
                return head.length == 12
                        ? Integer.parseInt(new String(head, StandardCharsets.US_ASCII).substring(9, 12))
                        : 0;
            } catch (IOException reset) {
                return 0;
            }
        }
    }

    @Test
    void unauthenticatedUploadsAndSlowLorisConnectionsLeaveTheServiceUpAndTheCameraStoring() throws Exception {
        List<RawHttp> slow = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(UPLOADS + 1);
        Map<Integer, Integer> answers = new ConcurrentHashMap<>();
        try {
            // 64 unauthenticated 8 MB uploads at once, from 4 addresses (16 each); all connected before the slow-loris
            // wave below.
            CountDownLatch connected = new CountDownLatch(UPLOADS);
            List<Future<Integer>> uploads = new ArrayList<>();
            for (int i = 0; i < UPLOADS; i++) {
                String from = "127.0.3." + (1 + i % 4);
                uploads.add(pool.submit(() -> upload(from, connected)));
            }
            assertThat(connected.await(30, TimeUnit.SECONDS)).isTrue();
            // 500 slow-loris connections from 25 addresses (20 each, under the per-address cap): a request line, never
            // finished.
            for (int i = 0; i < SLOW_CONNECTIONS; i++) {
                try {
                    RawHttp c = new RawHttp("127.0.2." + (1 + i % 25), API_PORT);
                    c.send("GET /health/live HTTP/1.1\r\nHost: x\r\n");
                    slow.add(c);
                } catch (IOException refused) {
                    // over the connection caps: closed at once
                }
            }
            // Meanwhile a camera sends its readings.
            SyntheticReadings synthetic = new SyntheticReadings(7, 30_000, 60_000);
            LocalDateTime now = LocalDateTime.now(ZoneId.of("Europe/Madrid"));
            try (CameraClient camera = new CameraClient(PORT)) {
                for (int i = 0; i < READINGS; i++) {
                    camera.send(synthetic.vega(SERIAL, String.format("%04dFLD", i), now.minusSeconds(READINGS - i)));
                }
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> TestDb.count(db, "SELECT count(*) FROM alpr_readings") == READINGS);
                assertThat(camera.closedByServer(50))
                        .as("the camera's connection stays open")
                        .isFalse();
            }
            for (Future<Integer> f : uploads) {
                answers.merge(f.get(), 1, Integer::sum);
            }
        } finally {
            pool.shutdownNow();
            for (RawHttp c : slow) {
                c.close();
            }
        }
        System.out.printf(
                "[api-flood] uploads answered %s (0: closed by the caps), slow connections opened %d, readings stored %d%n",
                answers, slow.size(), READINGS);
        assertThat(service.isAlive())
                .as("the service survived (its heap is 256 MB and it exits on OutOfMemoryError)")
                .isTrue();
        assertThat(answers.keySet())
                .as("every upload was refused (401) or cut by the connection caps (0), none read: %s", answers)
                .isSubsetOf(401, 0);
        assertThat(answers.getOrDefault(401, 0))
                .as("uploads answered 401 before their body")
                .isPositive();
        assertThat(service.log()).doesNotContain("OutOfMemoryError");
        // Once the slow connections are gone, the API answers as usual.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (RawHttp c = new RawHttp("127.0.4.1", API_PORT)) {
                return c.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
                                .read(5000)
                                .status()
                        == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }
}
