package routes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.support.CameraClient;
import routes.support.S3ProxyServer;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.MossosSandbox;
import routes.tools.SyntheticReadings;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Two hosts (issue 15, point 5): two service processes (the packaged jar; ingest, sender and maintenance) with their
 * own {@code IMAGES_BASE_DIR} and camera port, sharing one PostgreSQL and one S3 bucket (S3Proxy). Ten cameras send
 * 10,000 small readings, every other camera to the other instance (five each, 1,000 readings per camera, one persistent
 * connection each); both instances send to the verifying sandbox. When half the readings are written, instance B gets
 * {@code kill -9}: its cameras' connections break and they reconnect to A (HAProxy moves them in production; that part
 * is {@code CamerasBehindHaproxyIT}), A takes over B's periodic jobs, recovers B's leases after they run out and
 * finishes everything, and the maintenance sweep removes the objects the kill left in the bucket.
 *
 * <p>What a kill may cost is what {@code RELIABILITY.md} documents and nothing more: documents B had not committed are
 * lost (only a camera's tail on B, never a hole before a committed one), and sends B had in flight may reach Mossos a
 * second time (only readings B held as {@code SENDING}, at most {@code SENDER_CONCURRENCY}). Every committed reading is
 * delivered, none fails or goes DEAD, the queue ends empty, the bucket ends empty and no image is ever written in either
 * instance's folder.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoHostsIT {

    static final int PORT_A = 25401;
    static final int PORT_B = 25402;
    static final int SANDBOX_PORT = 25403;
    static final int READINGS = 10_000;
    static final int CAMERAS_PER_INSTANCE = 5;
    static final int CONCURRENCY = 8;
    /** Milliseconds a camera waits between two readings: ten cameras, at most 250 readings a second in all. */
    static final long CAMERA_PAUSE_MS = 40;
    /**
     * Readings a camera lets be written but not yet stored before it waits. The cameras send faster than two services
     * on a 2-core machine store; without a window the readings would pile up in the sockets' buffers (hundreds per
     * connection, all lost in a kill) and the test would measure that pile rather than the kill.
     */
    static final int WINDOW = 10;

    static final String BUCKET = "two-hosts";
    static final String PREFIX = "tattile/";
    static final Path IMAGES_A = Path.of("target/it-images/two-hosts-a").toAbsolutePath();
    static final Path IMAGES_B = Path.of("target/it-images/two-hosts-b").toAbsolutePath();
    static final Path CERTS = Path.of("target/it-certs/two-hosts").toAbsolutePath();
    static final Path LOG_A = Path.of("target/two-hosts-it-a.log");
    static final Path LOG_B = Path.of("target/two-hosts-it-b.log");
    static final ZoneId MADRID = ZoneId.of("Europe/Madrid");

    static final Pattern RECOVERED = Pattern.compile("\\[SENDER] (\\d+) lecturas en SENDING con la reserva vencida");
    static final Pattern ORPHANS = Pattern.compile("\\[MAINTENANCE] Imágenes huérfanas eliminadas: (\\d+)");

    private final HikariDataSource db = TestDb.open();

    @AfterAll
    void close() {
        db.close();
    }

    /** A few hundred bytes that pass the ingest's JPEG check (SOI, EOI): the images' size does not matter here. */
    static byte[] smallJpeg() {
        byte[] b = new byte[400];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7 % 251);
        }
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0xD8;
        b[2] = (byte) 0xFF;
        b[3] = (byte) 0xE0;
        b[b.length - 2] = (byte) 0xFF;
        b[b.length - 1] = (byte) 0xD9;
        return b;
    }

    static String plate(int n) {
        return String.format("%04dTHS", n);
    }

    /**
     * Readings stored per camera, in {@code alpr_readings} or already delivered ({@code delivery_log}; both change in
     * the delivery's one transaction), read every 200 ms for the cameras' window.
     */
    static final class Progress extends Thread {
        private final HikariDataSource db;
        private volatile Map<String, Long> stored = Map.of();
        private volatile boolean done;
        volatile Exception failure;

        Progress(HikariDataSource db) {
            super("stored-per-camera");
            this.db = db;
            setDaemon(true);
        }

        long stored(String serial) {
            return stored.getOrDefault(serial, 0L);
        }

        @Override
        public void run() {
            while (!done) {
                Map<String, Long> now = new HashMap<>();
                try (var c = db.getConnection();
                        var s = c.createStatement();
                        var rs = s.executeQuery("""
                                SELECT c.serial_number, count(x.camera_id) FROM cameras c LEFT JOIN (
                                    SELECT camera_id FROM alpr_readings
                                    UNION ALL SELECT camera_id FROM delivery_log WHERE outcome = 'DELIVERED') x
                                  ON x.camera_id = c.id GROUP BY c.serial_number""")) {
                    while (rs.next()) {
                        now.put(rs.getString(1), rs.getLong(2));
                    }
                    stored = now;
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    failure = e;
                    return;
                }
            }
        }

        void finish() throws InterruptedException {
            done = true;
            join(10_000);
        }
    }

    /**
     * One camera on its own persistent connection, sending its readings in order, one every {@link #CAMERA_PAUSE_MS}
     * at most and never more than {@link #WINDOW} not yet stored. When its connection to B breaks (B was killed: a
     * write fails, or the connection is found closed while it waits) it reconnects to A, as HAProxy moves a camera in
     * production, and sends there the document whose write failed.
     */
    static final class Camera extends Thread {
        final String serial;
        final int first;
        final int count;
        final boolean startsOnB;
        final Progress progress;
        final Map<String, Long> writtenAt;
        final AtomicInteger written;
        final SyntheticReadings docs;
        final String image = Base64.getEncoder().encodeToString(smallJpeg());
        /** Plates fully written on B's connection, in the order written. */
        final List<String> toB = new ArrayList<>();
        /** Plates fully written on A's connection. */
        final List<String> toA = new ArrayList<>();

        volatile int reconnects;
        volatile Exception failure;

        private int port;
        private CameraClient client;
        /** This camera's readings stored before its current connection, and those written on it. */
        private long storedBefore;

        private int writtenHere;

        Camera(
                int index,
                boolean startsOnB,
                int count,
                Progress progress,
                Map<String, Long> writtenAt,
                AtomicInteger written) {
            super("camera-" + index);
            this.serial = String.format("TWOH%02d", index);
            this.first = index * count;
            this.count = count;
            this.startsOnB = startsOnB;
            this.progress = progress;
            this.writtenAt = writtenAt;
            this.written = written;
            this.docs = new SyntheticReadings(100 + index, 0, 0);
        }

        String document(String plate, LocalDateTime when) {
            return docs.vega(serial, plate, when).replace("</root>", "<IMAGE_OCR>" + image + "</IMAGE_OCR>\n</root>");
        }

        /** B's connection broke: on to A. A's breaking is a failure of the test. */
        private void moveToA(IOException cause) throws IOException {
            if (port != PORT_B) {
                throw cause;
            }
            client.close();
            port = PORT_A;
            client = new CameraClient(PORT_A);
            storedBefore = progress.stored(serial);
            writtenHere = 0;
            reconnects++;
        }

        @Override
        public void run() {
            LocalDateTime base = LocalDateTime.now(MADRID).minusMinutes(20);
            try {
                port = startsOnB ? PORT_B : PORT_A;
                client = new CameraClient(port);
                for (int i = 0; i < count; i++) {
                    while (writtenHere - (progress.stored(serial) - storedBefore) >= WINDOW) {
                        if (isInterrupted()) {
                            throw new InterruptedException();
                        }
                        if (client.closedByServer(20)) {
                            moveToA(new IOException(serial + ": connection to A closed"));
                        }
                    }
                    String plate = plate(first + i);
                    String doc = document(plate, base.plusNanos((first + i) * 10_000_000L));
                    while (true) {
                        try {
                            client.send(doc);
                            break;
                        } catch (IOException broken) {
                            moveToA(broken);
                        }
                    }
                    writtenAt.put(plate, System.nanoTime());
                    (port == PORT_B ? toB : toA).add(plate);
                    writtenHere++;
                    written.incrementAndGet();
                    Thread.sleep(CAMERA_PAUSE_MS);
                }
            } catch (Exception e) {
                failure = e;
            } finally {
                if (client != null) {
                    try {
                        client.close();
                    } catch (IOException ignored) {
                        // closing a camera's socket
                    }
                }
            }
        }
    }

    private Map<String, String> instance(String name, int port, Path images, String sandboxUrl, S3ProxyServer s3)
            throws IOException {
        Map<String, String> m = new HashMap<>(s3.settings(BUCKET, PREFIX));
        m.put("TATTILE_FLOWS", "ingest,sender,maintenance");
        m.put("TRANSIT_PORT", String.valueOf(port));
        m.put("IMAGES_BASE_DIR", images.toString());
        m.put("DB_POOL_SIZE", "16");
        m.put("CAMERA_CACHE_SECONDS", "0");
        m.put("MOSSOS_ENDPOINT_URL", sandboxUrl);
        m.put("SENDER_INSTANCE_ID", "instance-" + name);
        m.put("SENDER_CONCURRENCY", String.valueOf(CONCURRENCY));
        m.put("SENDER_LEASE_SECONDS", "30");
        m.put("SENDER_POLL_INTERVAL_SECONDS", "0.2");
        // Maintenance every 15 s on the one instance that holds its lease; the shortest grace the setting accepts.
        m.put("MAINTENANCE_INTERVAL_MINUTES", "0.25");
        m.put("IMAGES_ORPHAN_GRACE_MINUTES", "1");
        return m;
    }

    private Set<String> plates(String sql) throws Exception {
        Set<String> plates = new HashSet<>();
        try (var c = db.getConnection();
                var s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            while (rs.next()) {
                plates.add(rs.getString(1));
            }
        }
        return plates;
    }

    /** Which instance holds each periodic job's lease (routes.store.ClusterLock). */
    private Map<String, String> holders() throws Exception {
        Map<String, String> holders = new HashMap<>();
        try (var c = db.getConnection();
                var s = c.createStatement();
                var rs = s.executeQuery("SELECT job, holder FROM cluster_locks")) {
            while (rs.next()) {
                holders.put(rs.getString(1), rs.getString(2));
            }
        }
        return holders;
    }

    private static Set<String> plates(MossosSandbox sandbox) {
        return sandbox.received().stream()
                .map(MossosSandbox.Received::matricula)
                .collect(Collectors.toSet());
    }

    private static List<String> objects(S3Client raw) {
        List<String> keys = new ArrayList<>();
        raw.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().forEach(o -> keys.add(o.key()));
        return keys;
    }

    private static long sum(Pattern p, String log) {
        long total = 0;
        Matcher m = p.matcher(log);
        while (m.find()) {
            total += Long.parseLong(m.group(1));
        }
        return total;
    }

    @Test
    void twoHostsOnOneDatabaseAndOneBucketDeliverEveryCommittedReadingAndOneFinishesWhenTheOtherIsKilled()
            throws Exception {
        long started = System.nanoTime();
        for (Path p : List.of(IMAGES_A, IMAGES_B, CERTS)) {
            TestFiles.deleteTree(p);
        }
        Files.deleteIfExists(LOG_A);
        Files.deleteIfExists(LOG_B);
        Files.createDirectories(IMAGES_A);
        Files.createDirectories(IMAGES_B);
        List<String> serials = new ArrayList<>();
        for (int i = 0; i < 2 * CAMERAS_PER_INSTANCE; i++) {
            serials.add(String.format("TWOH%02d", i));
        }
        var cert = FaultFixtures.registry(db, CERTS, "Dos", serials);

        Map<String, Long> writtenAt = new ConcurrentHashMap<>();
        AtomicInteger written = new AtomicInteger();
        Progress progress = new Progress(db);
        List<Camera> cameras = new ArrayList<>();
        for (int i = 0; i < 2 * CAMERAS_PER_INSTANCE; i++) {
            cameras.add(new Camera(i, i % 2 == 1, READINGS / (2 * CAMERAS_PER_INSTANCE), progress, writtenAt, written));
        }

        long inFlightAtKill;
        Map<String, String> holdersAtKill;
        long killedAt;
        int writtenAtKill;
        Set<String> committedAtKill = new HashSet<>();
        Set<String> sendingOnB = new HashSet<>();
        int objectsAtDrain;
        String logA;
        String logB;
        List<MossosSandbox.Received> received;
        try (S3ProxyServer s3 = S3ProxyServer.start();
                S3Client raw = s3.client();
                MossosSandbox sandbox = new MossosSandbox(SANDBOX_PORT, 64)) {
            s3.createBucket(BUCKET);
            // Each send takes at least 20 ms, so that B has sends in flight when it is killed.
            sandbox.trust(List.of(cert.certificate())).latency(20);
            JarService a = JarService.start(LOG_A, instance("a", PORT_A, IMAGES_A, sandbox.url(), s3));
            JarService b = JarService.start(LOG_B, instance("b", PORT_B, IMAGES_B, sandbox.url(), s3));
            try {
                a.awaitStarted(PORT_A);
                b.awaitStarted(PORT_B);
                progress.start();
                cameras.forEach(Thread::start);

                // Half the readings written, B delivering and holding leases: kill -9 B.
                await().atMost(Duration.ofMinutes(4))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> written.get() >= READINGS / 2
                                && TestDb.count(
                                                db,
                                                "SELECT count(*) FROM messages_queue WHERE status = 'SENDING' AND locked_by = 'instance-b'")
                                        > 0
                                && b.log().contains("enviada correctamente a Mossos"));
                holdersAtKill = holders();
                killedAt = System.nanoTime();
                writtenAtKill = written.get();
                b.kill9();
                inFlightAtKill = TestDb.count(
                        db,
                        "SELECT count(*) FROM messages_queue WHERE status = 'SENDING' AND locked_by = 'instance-b'");
                sendingOnB.addAll(plates("""
                        SELECT r.plate FROM messages_queue q JOIN alpr_readings r ON r.id = q.reading_id
                        WHERE q.status = 'SENDING' AND q.locked_by = 'instance-b'"""));
                // Committed by now: stored and not yet delivered, or delivered. (Database first, then the sandbox: a
                // reading delivered in between is in the first.) Nothing B was sent can be committed after this.
                committedAtKill.addAll(plates("SELECT plate FROM alpr_readings"));
                committedAtKill.addAll(plates(sandbox));

                for (Camera c : cameras) {
                    c.join(Duration.ofMinutes(4).toMillis());
                    assertThat(c.failure).as("camera %s", c.serial).isNull();
                    assertThat(c.isAlive()).as("camera %s finished", c.serial).isFalse();
                }
                assertThat(written.get()).isEqualTo(READINGS);
                progress.finish();
                assertThat(progress.failure).isNull();
                await().atMost(Duration.ofMinutes(4))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> TestDb.count(db, "SELECT count(*) FROM messages_queue") == 0);
                objectsAtDrain = objects(raw).size();
                // The objects of documents cut by the kill (and of readings B delivered but had not deleted yet) are
                // orphans: the maintenance sweep, now on A, deletes them once they are older than the grace period.
                // (Its count also holds objects of readings delivered while it ran: listed, then their reading gone.)
                await().atMost(Duration.ofSeconds(150))
                        .pollInterval(Duration.ofSeconds(2))
                        .until(() -> objects(raw).isEmpty());
                assertThat(a.isAlive()).isTrue();
                assertThat(holders())
                        .as("A runs the cluster's periodic jobs now")
                        .isEqualTo(Map.of("maintenance-schedule", "instance-a", "sender-lease-recovery", "instance-a"));
                logA = a.log();
                logB = b.log();
                received = sandbox.received();
                assertThat(sandbox.rejectedCount()).isZero();
            } finally {
                progress.interrupt();
                for (Camera c : cameras) {
                    c.interrupt();
                }
                a.close();
                b.close();
            }
        }

        Set<String> toA = new HashSet<>();
        Set<String> toB = new HashSet<>();
        for (Camera c : cameras) {
            toA.addAll(c.toA);
            toB.addAll(c.toB);
        }
        Map<String, Long> perPlate = received.stream()
                .collect(Collectors.groupingBy(MossosSandbox.Received::matricula, Collectors.counting()));
        Set<String> delivered = perPlate.keySet();
        Set<String> committedOnB = new HashSet<>(toB);
        committedOnB.retainAll(committedAtKill);
        Set<String> lost = new HashSet<>(toB);
        lost.removeAll(delivered);
        long lostAfterKill =
                lost.stream().filter(p -> writtenAt.get(p) > killedAt).count();
        long twice = perPlate.values().stream().filter(n -> n > 1).count();
        int reconnects = cameras.stream().mapToInt(c -> c.reconnects).sum();
        long recovered = sum(RECOVERED, logA);
        long swept = sum(ORPHANS, logA) + sum(ORPHANS, logB);
        System.out.printf(
                "[two-hosts] written %d (%d on A, %d on B; %d when B was killed), committed %d, delivered %d; lost on B"
                        + " %d (%d written after the kill); B's leases at the kill %d, recovered by A %d, sent twice"
                        + " %d; cameras moved to A %d; periodic jobs at the kill %s; objects left when the queue drained"
                        + " %d, deleted by the maintenance sweep %d; %d s%n",
                writtenAt.size(),
                toA.size(),
                toB.size(),
                writtenAtKill,
                toA.size() + committedOnB.size(),
                delivered.size(),
                lost.size(),
                lostAfterKill,
                inFlightAtKill,
                recovered,
                twice,
                reconnects,
                holdersAtKill,
                objectsAtDrain,
                swept,
                (System.nanoTime() - started) / 1_000_000_000);

        // Both instances took readings and sent; B's cameras all moved to A.
        assertThat(toA.size() + toB.size()).isEqualTo(READINGS);
        assertThat(toB).isNotEmpty();
        assertThat(logA).contains("enviada correctamente a Mossos");
        assertThat(logB).contains("enviada correctamente a Mossos");
        assertThat(reconnects).isEqualTo(CAMERAS_PER_INSTANCE);

        // Every committed reading delivered: all A received, and all B had committed at its kill; nothing else.
        assertThat(delivered).containsAll(toA);
        assertThat(delivered).containsAll(committedOnB);
        Set<String> deliveredOfB = new HashSet<>(delivered);
        deliveredOfB.retainAll(toB);
        assertThat(deliveredOfB)
                .as("nothing sent to B is committed after its kill")
                .isEqualTo(committedOnB);
        assertThat(toA.size() + committedOnB.size()).isEqualTo(delivered.size());
        assertThat(TestDb.count(db, "SELECT count(*) FROM delivery_log WHERE outcome = 'DELIVERED'"))
                .isEqualTo(delivered.size());
        assertThat(TestDb.count(db, "SELECT count(DISTINCT reading_id) FROM delivery_log WHERE outcome = 'DELIVERED'"))
                .isEqualTo(delivered.size());

        // Lost: only what B had not committed, each camera's tail on B, never a hole before a committed reading.
        for (Camera c : cameras) {
            int lastCommitted = -1;
            for (int i = 0; i < c.toB.size(); i++) {
                if (delivered.contains(c.toB.get(i))) {
                    lastCommitted = i;
                }
            }
            List<String> holes = c.toB.subList(0, lastCommitted + 1).stream()
                    .filter(p -> !delivered.contains(p))
                    .toList();
            assertThat(holes)
                    .as("readings of %s lost on B although written before one of its committed readings", c.serial)
                    .isEmpty();
        }

        assertThat(lost.size())
                .as("at most the window of each of B's cameras: what was written to B but not yet stored")
                .isLessThanOrEqualTo(WINDOW * CAMERAS_PER_INSTANCE);

        // Sent twice: only sends B had in flight at the kill, recovered by A after their lease.
        assertThat(inFlightAtKill).isBetween(1L, (long) CONCURRENCY);
        assertThat(recovered).as("leases recovered by A").isEqualTo(inFlightAtKill);
        assertThat(perPlate.values()).allMatch(n -> n <= 2);
        assertThat(twice).isLessThanOrEqualTo(inFlightAtKill);
        assertThat(perPlate.entrySet().stream()
                        .filter(e -> e.getValue() > 1)
                        .map(Map.Entry::getKey)
                        .toList())
                .as("readings sent twice")
                .allMatch(sendingOnB::contains);

        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue")).isZero();
        assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings")).isZero();
        assertThat(TestDb.count(db, "SELECT count(*) FROM delivery_log WHERE outcome <> 'DELIVERED'"))
                .as("no failed attempt, nothing DEAD")
                .isZero();
        assertThat(TestFiles.regularFiles(IMAGES_A))
                .as("nothing in A's image folder")
                .isEmpty();
        assertThat(TestFiles.regularFiles(IMAGES_B))
                .as("nothing in B's image folder")
                .isEmpty();
    }
}
