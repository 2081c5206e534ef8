package routes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.store.ImageStore;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.MossosSandbox;

/** Two service processes on one database drain 10,000 queued readings into one sandbox: each reading is sent exactly once. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoInstancesIT {

    static final int SANDBOX_PORT = 24321;
    static final int READINGS = 10_000;
    static final Path IMAGES = Path.of("target/it-images/two-instances").toAbsolutePath();
    static final Path CERTS = Path.of("target/it-certs/two-instances").toAbsolutePath();

    private final HikariDataSource db = TestDb.open();

    @AfterAll
    void close() {
        db.close();
    }

    @Test
    void twoInstancesOnOneDatabaseSendTenThousandReadingsEachExactlyOnce() throws Exception {
        TestFiles.deleteTree(IMAGES);
        TestFiles.deleteTree(CERTS);
        List<String> cameras = List.of("TWO01", "TWO02", "TWO03", "TWO04");
        var cert = FaultFixtures.registry(db, CERTS, "Dues", cameras);
        FaultFixtures.preload(db, new ImageStore(IMAGES, false), cameras, READINGS, new byte[1024], null);

        try (MossosSandbox sandbox = new MossosSandbox(SANDBOX_PORT, 64)) {
            sandbox.trust(List.of(cert.certificate()));
            List<JarService> instances = new ArrayList<>();
            try {
                for (String name : List.of("a", "b")) {
                    instances.add(JarService.start(
                            Path.of("target/two-instances-it-" + name + ".log"),
                            Map.of(
                                    "TATTILE_FLOWS",
                                    "sender",
                                    "IMAGES_BASE_DIR",
                                    IMAGES.toString(),
                                    "MOSSOS_ENDPOINT_URL",
                                    sandbox.url(),
                                    "SENDER_INSTANCE_ID",
                                    "instance-" + name,
                                    "SENDER_POLL_INTERVAL_SECONDS",
                                    "0.2")));
                }
                for (JarService i : instances) {
                    i.awaitStarted(0);
                }
                await().atMost(Duration.ofMinutes(4))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> TestDb.count(db, "SELECT count(*) FROM messages_queue") == 0);
                for (JarService i : instances) {
                    assertThat(i.isAlive()).isTrue();
                    assertThat(i.log()).as("both instances sent").contains("enviada correctamente a Mossos");
                }
            } finally {
                for (JarService i : instances) {
                    i.close();
                }
            }
            Map<String, Long> perReading = sandbox.received().stream()
                    .collect(Collectors.groupingBy(MossosSandbox.Received::key, Collectors.counting()));
            assertThat(perReading).hasSize(READINGS);
            assertThat(perReading.values()).as("sends per reading").allMatch(n -> n == 1);
            assertThat(sandbox.rejectedCount()).isZero();
        }
        assertThat(TestDb.count(db, "SELECT count(*) FROM delivery_log WHERE outcome = 'DELIVERED'"))
                .isEqualTo(READINGS);
    }
}
