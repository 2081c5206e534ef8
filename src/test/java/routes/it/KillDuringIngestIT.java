package routes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.store.ImageStore;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.MossosSandbox;
import routes.tools.SyntheticReadings;

/**
 * {@code kill -9} of the service while four cameras send readings. Cameras get no application-level
 * acknowledgement, so a document in flight at the kill can be lost; this test measures that window and
 * proves the rest: every reading committed before the kill is whole (rows and files) and is sent after a
 * restart, and the orphan sweep removes what the kill left half-written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KillDuringIngestIT {

    static final int PORT = 24301;
    static final int SANDBOX_PORT = 24302;
    static final Path IMAGES = Path.of("target/it-images/kill-ingest").toAbsolutePath();
    static final Path CERTS = Path.of("target/it-certs/kill-ingest").toAbsolutePath();
    static final Path LOG = Path.of("target/kill-ingest-it.log");
    static final List<String> CAMERAS = List.of("KILL01", "KILL02", "KILL03", "KILL04");

    private final HikariDataSource db = TestDb.open();
    private final ImageStore images = new ImageStore(IMAGES, false);

    @AfterAll
    void close() {
        db.close();
    }

    /** A camera sending at its own pace until its connection breaks; notes when each document was fully written. */
    private Thread camera(String serial, Map<String, Long> written, AtomicBoolean stop, SyntheticReadings docs) {
        Thread t = new Thread(
                () -> {
                    LocalDateTime when =
                            LocalDateTime.now(ZoneId.of("Europe/Madrid")).minusMinutes(30);
                    try (Socket s = new Socket("127.0.0.1", PORT)) {
                        s.setTcpNoDelay(true);
                        OutputStream out = new BufferedOutputStream(s.getOutputStream(), 256 * 1024);
                        for (int i = 0; !stop.get(); i++) {
                            String plate = docs.plate();
                            out.write(docs.vega(serial, plate, when.plusNanos(i * 7_000_000L))
                                    .getBytes(StandardCharsets.UTF_8));
                            out.flush();
                            written.put(serial + "|" + plate, System.nanoTime());
                            Thread.sleep(40);
                        }
                    } catch (IOException | InterruptedException e) {
                        // the service was killed: this camera's connection is gone
                    }
                },
                "camera-" + serial);
        t.start();
        return t;
    }

    private Set<String> storedKeys() throws Exception {
        Set<String> keys = new HashSet<>();
        try (var c = db.getConnection();
                var s = c.createStatement();
                var rs = s.executeQuery("SELECT device_sn, plate FROM alpr_readings")) {
            while (rs.next()) {
                keys.add(rs.getString(1) + "|" + rs.getString(2));
            }
        }
        return keys;
    }

    @Test
    void aKillDuringIngestLosesOnlyDocumentsInFlightAndEveryCommittedReadingStaysWholeAndIsSent() throws Exception {
        TestFiles.deleteTree(IMAGES);
        TestFiles.deleteTree(CERTS);
        var cert = FaultFixtures.registry(db, CERTS, "Falla", CAMERAS);
        Map<String, String> ingestOnly = Map.of(
                "TATTILE_FLOWS",
                "ingest",
                "TRANSIT_PORT",
                String.valueOf(PORT),
                "IMAGES_BASE_DIR",
                IMAGES.toString(),
                "CAMERA_CACHE_SECONDS",
                "0");

        Map<String, Long> written = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        long killedAt;
        try (JarService service = JarService.start(LOG, ingestOnly).awaitStarted(PORT)) {
            var docs = new SyntheticReadings(11, 20 * 1024, 60 * 1024);
            List<Thread> cameras = new ArrayList<>();
            for (String serial : CAMERAS) {
                cameras.add(camera(serial, written, stop, docs));
            }
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> TestDb.count(db, "SELECT count(*) FROM alpr_readings") >= 150);
            killedAt = System.nanoTime();
            service.kill9();
            stop.set(true);
            for (Thread t : cameras) {
                t.join(10_000);
            }
        }

        // What a kill can cost: documents fully written by a camera but not committed. Measure how recent they were.
        Set<String> stored = storedKeys();
        assertThat(written.keySet()).containsAll(stored); // nothing stored that a camera did not send
        List<Long> lostAgeMs = new ArrayList<>();
        written.forEach((key, at) -> {
            if (!stored.contains(key) && at <= killedAt) {
                lostAgeMs.add((killedAt - at) / 1_000_000);
            }
        });
        long window = lostAgeMs.stream().mapToLong(Long::longValue).max().orElse(0);
        System.out.printf(
                "[kill-ingest] written %d, committed %d, lost %d, oldest lost document written %d ms before the kill%n",
                written.size(), stored.size(), lostAgeMs.size(), window);
        assertThat(stored.size()).isGreaterThanOrEqualTo(150);
        // Lost only what was in flight: a camera's documents are stored in order, on its connection's worker, so every
        // document it lost was written after its last committed one — never a hole before a committed reading. (The
        // window above is reported, not bounded: how far the ingest lags behind a camera depends on the machine.)
        for (String serial : CAMERAS) {
            long lastCommitted = written.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(serial + "|") && stored.contains(e.getKey()))
                    .mapToLong(Map.Entry::getValue)
                    .max()
                    .orElse(Long.MIN_VALUE);
            List<String> holes = written.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(serial + "|")
                            && !stored.contains(e.getKey())
                            && e.getValue() < lastCommitted)
                    .map(Map.Entry::getKey)
                    .toList();
            assertThat(holes)
                    .as("documents of %s lost although written before one of its committed readings", serial)
                    .isEmpty();
        }
        // How many were in flight at the kill depends on how far the ingest lagged behind the cameras on this machine
        // (38 on a loaded CI run, where the documents lost were all the tails above): reported, not bounded.

        // Every committed reading is whole: both rows, both files.
        assertThat(FaultFixtures.halfStoredReadings(db)).isZero();
        assertThat(FaultFixtures.missingImages(db, images)).isEmpty();
        int leftBehind = FaultFixtures.unreferencedFiles(db, images).size();
        var swept = FaultFixtures.sweepAsIfLater(db, images);
        System.out.printf(
                "[kill-ingest] files left by the kill: %d; the sweep deleted %d orphans and %d temporary files%n",
                leftBehind, swept.orphansDeleted(), swept.tempFilesDeleted());
        assertThat(FaultFixtures.unreferencedFiles(db, images)).isEmpty();
        assertThat(FaultFixtures.missingImages(db, images)).isEmpty();

        // After a restart (all flows) every committed reading is sent, once.
        try (MossosSandbox sandbox = new MossosSandbox(SANDBOX_PORT, 16)) {
            sandbox.trust(List.of(cert.certificate()));
            Map<String, String> all = new HashMap<>(ingestOnly);
            all.put("TATTILE_FLOWS", "ingest,sender,maintenance");
            all.put("MOSSOS_ENDPOINT_URL", sandbox.url());
            try (JarService restarted = JarService.start(LOG, all).awaitStarted(PORT)) {
                await().atMost(Duration.ofSeconds(90))
                        .until(() -> TestDb.count(db, "SELECT count(*) FROM messages_queue") == 0);
                assertThat(restarted.isAlive()).isTrue();
            }
            List<String> sent = sandbox.received().stream()
                    .map(r -> r.codiLector() + "|" + r.matricula())
                    .toList();
            assertThat(sent).hasSize(stored.size()).doesNotHaveDuplicates();
            assertThat(new HashSet<>(sent)).isEqualTo(stored);
            assertThat(sandbox.rejectedCount()).isZero();
        }
        assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings")).isZero();
    }
}
