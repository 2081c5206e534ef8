package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.UnixOperatingSystemMXBean;
import com.zaxxer.hikari.HikariDataSource;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.BeanInject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.TattileConfiguration;
import routes.ingest.IngestStats;
import routes.ingest.Rejection;
import routes.support.CameraClient;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.SyntheticReadings;

/**
 * Hostile or broken clients on the camera port at once — {@value #IDLE_CONNECTIONS} idle connections,
 * a client sending one byte a second, and clients sending a document that never ends — while a normal
 * camera sends: its readings are stored promptly and memory stays bounded.
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
            "TRANSIT_PORT=" + SlowLorisAndFloodTest.PORT,
            "IMAGES_BASE_DIR=" + SlowLorisAndFloodTest.IMAGES,
            "INGEST_MAX_FRAME_BYTES=" + SlowLorisAndFloodTest.MAX_FRAME,
            "CAMERA_CACHE_SECONDS=0"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowLorisAndFloodTest {

    static final int PORT = 24130;
    static final String IMAGES = "target/it-images/slow-loris";
    static final int MAX_FRAME = 1024 * 1024;
    static final int IDLE_CONNECTIONS = 1000;
    static final String SERIAL = "LORIS01";
    /** Bounds for the whole attack: heap used after GC may grow at most this much, Netty's pooled memory stay below it. */
    static final long MEMORY_BOUND = 64L * 1024 * 1024;

    private final HikariDataSource db = TestDb.open();
    private final SyntheticReadings synthetic = new SyntheticReadings(9, 20 * 1024, 60 * 1024);

    @BeanInject("ingestStats")
    IngestStats stats;

    @BeforeAll
    void cleanSlate() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(Path.of(IMAGES));
        TestDb.camera(db, SERIAL, null);
    }

    @AfterAll
    void closeDb() {
        db.close();
    }

    @Test
    void idleSlowAndEndlessClientsDoNotDelayANormalCameraAndMemoryStaysBounded() throws Exception {
        var os = (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long fdLimit = os.getMaxFileDescriptorCount();
        assertThat(fdLimit)
                .as(
                        "this test opens %d client and %d server sockets in one JVM: raise ulimit -n (now %d)",
                        IDLE_CONNECTIONS, IDLE_CONNECTIONS, fdLimit)
                .isGreaterThanOrEqualTo(2L * IDLE_CONNECTIONS + 1000);
        long heapBefore = heapUsedAfterGc();
        long frameTooLargeBefore = stats.rejectedCount(Rejection.FRAME_TOO_LARGE);

        List<Socket> idle = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> attackers = new ArrayList<>();
        try {
            for (int i = 0; i < IDLE_CONNECTIONS; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", PORT), 5000);
                idle.add(s);
            }

            // One byte a second of a real document: never done within the test, never idle either.
            String slowDoc = synthetic.vega(SERIAL, "0001LOR", LocalDateTime.of(2026, 11, 1, 8, 0));
            byte[] slowBytes = slowDoc.getBytes(StandardCharsets.UTF_8);
            CameraClient slow = new CameraClient(PORT);
            AtomicInteger slowSent = new AtomicInteger();
            attackers.add(thread("slow-loris", () -> {
                while (!stop.get() && slowSent.get() < slowBytes.length) {
                    slow.send(new byte[] {slowBytes[slowSent.get()]});
                    slowSent.incrementAndGet();
                    Thread.sleep(1000);
                }
            }));

            // Two clients that open a document and never close its root, reconnecting whenever the service hangs up.
            AtomicInteger endlessClosed = new AtomicInteger();
            AtomicLong endlessBytes = new AtomicLong();
            for (int c = 0; c < 2; c++) {
                attackers.add(thread("endless-" + c, () -> {
                    byte[] chunk = new byte[64 * 1024];
                    Arrays.fill(chunk, (byte) 'A');
                    while (!stop.get()) {
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress("127.0.0.1", PORT), 5000);
                            OutputStream out = s.getOutputStream();
                            out.write("<root><PLATE_STRING>6666END</PLATE_STRING><IMAGE_OCR>"
                                    .getBytes(StandardCharsets.US_ASCII));
                            while (!stop.get()) {
                                out.write(chunk);
                                endlessBytes.addAndGet(chunk.length);
                                Thread.sleep(
                                        5); // about 10 MB/s each: a flood, without starving the 2 CPUs of a CI runner
                            }
                        } catch (IOException closedByService) {
                            endlessClosed.incrementAndGet();
                        }
                    }
                }));
            }

            // Meanwhile a normal camera: each of its readings is stored while the attack goes on — the flood already
            // running before the first and still running after the last, the slow document unfinished, the idle
            // connections open (they are used below). The order of events is asserted; the latency is reported.
            await().atMost(Duration.ofSeconds(10)).until(() -> endlessBytes.get() > 0 && slowSent.get() > 0);
            long floodBeforeCamera = endlessBytes.get();
            long maxLatencyMillis = 0;
            try (CameraClient camera = new CameraClient(PORT)) {
                for (int i = 1; i <= 20; i++) {
                    String plate = String.format("%04dNRM", i);
                    long start = System.nanoTime();
                    camera.send(synthetic.vega(
                            SERIAL, plate, LocalDateTime.of(2026, 11, 1, 9, 0).plusSeconds(i)));
                    await().atMost(Duration.ofSeconds(10))
                            .pollInterval(Duration.ofMillis(10))
                            .until(() ->
                                    TestDb.count(db, "SELECT count(*) FROM alpr_readings WHERE plate = ?", plate) == 1);
                    maxLatencyMillis = Math.max(maxLatencyMillis, (System.nanoTime() - start) / 1_000_000);
                    Thread.sleep(250);
                }
            }
            long floodAfterCamera = endlessBytes.get();
            int slowSentAfterCamera = slowSent.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> endlessBytes.get() > floodAfterCamera);

            long heapDuring = heapUsedAfterGc();
            var nettyMetric = PooledByteBufAllocator.DEFAULT.metric();
            long nettyPooled = nettyMetric.usedDirectMemory() + nettyMetric.usedHeapMemory();
            System.out.printf(
                    "[slow-loris] idle=%d slowBytesSent=%d endlessClosed=%d endlessMB=%d maxLatency=%d ms heapGrowth=%d MB"
                            + " nettyPooled=%d MB fdLimit=%d%n",
                    idle.size(),
                    slowSent.get(),
                    endlessClosed.get(),
                    endlessBytes.get() >> 20,
                    maxLatencyMillis,
                    (heapDuring - heapBefore) >> 20,
                    nettyPooled >> 20,
                    fdLimit);

            assertThat(floodAfterCamera)
                    .as("the flood ran while the camera's readings were stored")
                    .isGreaterThan(floodBeforeCamera);
            assertThat(slowSentAfterCamera)
                    .as("the slow document was still unfinished after the camera's last reading")
                    .isLessThan(slowBytes.length);
            assertThat(endlessClosed.get())
                    .as("a never-ending document closes its connection, again and again")
                    .isGreaterThanOrEqualTo(2);
            assertThat(stats.rejectedCount(Rejection.FRAME_TOO_LARGE) - frameTooLargeBefore)
                    .isGreaterThanOrEqualTo(2);
            assertThat(heapDuring - heapBefore)
                    .as("heap used after GC grows less than %d MB", MEMORY_BOUND >> 20)
                    .isLessThan(MEMORY_BOUND);
            assertThat(nettyPooled)
                    .as("Netty's pooled buffers stay below %d MB", MEMORY_BOUND >> 20)
                    .isLessThan(MEMORY_BOUND);

            // The slow client and the idle connections were kept and still work.
            stop.set(true);
            for (Thread t : attackers) {
                t.join(5000);
            }
            slow.send(Arrays.copyOfRange(slowBytes, slowSent.get(), slowBytes.length));
            for (int i = 0; i < 5; i++) {
                OutputStream out = idle.get(i * (IDLE_CONNECTIONS / 5)).getOutputStream();
                out.write(synthetic
                        .vega(
                                SERIAL,
                                String.format("%04dIDL", i),
                                LocalDateTime.of(2026, 11, 1, 10, 0).plusSeconds(i))
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> TestDb.count(
                                    db,
                                    "SELECT count(*) FROM alpr_readings WHERE plate = '0001LOR' OR plate LIKE '%IDL'")
                            == 6);
            slow.close();
            assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings WHERE plate = '6666END'"))
                    .isZero();
        } finally {
            stop.set(true);
            for (Thread t : attackers) {
                t.join(5000);
            }
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    interface Body {
        void run() throws Exception;
    }

    private static Thread thread(String name, Body body) {
        Thread t = new Thread(
                () -> {
                    try {
                        body.run();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static long heapUsedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
