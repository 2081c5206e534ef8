package routes.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import routes.api.Metrics;
import routes.config.Setting;
import routes.store.ApiKeyRepository;
import routes.store.ClusterLock;
import routes.store.ImageStore;
import routes.support.InProcessService;
import routes.support.LogCapture;
import routes.support.TestDb;
import routes.support.TestFiles;

/**
 * Two instances (maintenance, sender and API flows, their own SENDER_INSTANCE_ID) on one database and one images
 * folder, as two hosts run them: the maintenance jobs and lease recovery run on one of them at a time, round after
 * round on the same one, /health on both names it, and when it stops the other takes over. The maintenance interval is
 * 2.4 s here, lease recovery's 2.5 s. What ran where is read from each instance's lock and route metrics and from the
 * files: an orphan image is deleted only by a sweep.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MaintenanceOncePerClusterTest {

    static final int API_PORT_A = 25201;
    static final int API_PORT_B = 25202;
    static final Path IMAGES = Path.of("target/it-images/maintenance-cluster").toAbsolutePath();

    private final HikariDataSource db = TestDb.open();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final ImageStore images = new ImageStore(IMAGES, false);
    private final Map<String, InProcessService> instances = new HashMap<>();
    private final Map<String, Integer> apiPorts = Map.of("cluster-a", API_PORT_A, "cluster-b", API_PORT_B);
    private Connection blocker;
    private String key;
    private String holder;

    @BeforeAll
    void startTwoInstancesWhileTheMaintenanceLockIsHeldElsewhere() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(IMAGES);
        key = new ApiKeyRepository(db).create("maintenance-cluster-" + System.nanoTime(), "READ_ONLY");
        blocker = db.getConnection();
        try (Statement s = blocker.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + ClusterLock.NAMESPACE + ", " + ClusterLock.Job.MAINTENANCE.key()
                    + ")");
        }
        for (String id : List.of("cluster-a", "cluster-b")) {
            instances.put(id, InProcessService.start(settings(id, apiPorts.get(id)), "maintenance,sender,api"));
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (InProcessService s : instances.values()) {
            s.close();
        }
        blocker.close();
        db.close();
    }

    @Test
    @Order(1)
    void whileTheLockIsHeldElsewhereNeitherInstanceSweepsAndOnceItIsFreeOneDoes() throws Exception {
        List<String> orphans = orphans(3);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> instances.values().stream()
                        .allMatch(s -> lock(s, "maintenanceLock").skipped() >= 2));
        for (InProcessService s : instances.values()) {
            assertThat(lock(s, "maintenanceLock").ran()).isZero();
            assertThat(exchanges(s, "maintenance-orphan-images")).isZero();
        }
        assertThat(orphans).allMatch(images::exists);

        try (Statement s = blocker.createStatement()) {
            s.execute("SELECT pg_advisory_unlock(" + ClusterLock.NAMESPACE + ", " + ClusterLock.Job.MAINTENANCE.key()
                    + ")");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> orphans.stream().noneMatch(images::exists));
        List<String> ran = instances.entrySet().stream()
                .filter(e -> lock(e.getValue(), "maintenanceLock").ran() > 0)
                .map(Map.Entry::getKey)
                .toList();
        assertThat(ran).as("instances that ran a maintenance round").hasSize(1);
        holder = ran.get(0);
        assertThat(exchanges(instances.get(holder), "maintenance-orphan-images"))
                .isPositive();
    }

    @Test
    @Order(2)
    void roundAfterRoundOnlyTheHolderRunsAndHealthOnBothNamesIt() throws Exception {
        String other = other(holder);
        long holderRounds = lock(instances.get(holder), "maintenanceLock").ran();
        long otherSkips = lock(instances.get(other), "maintenanceLock").skipped();
        List<String> orphans = orphans(2);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> lock(instances.get(holder), "maintenanceLock").ran() >= holderRounds + 3
                        && lock(instances.get(other), "maintenanceLock").skipped() >= otherSkips + 3);
        assertThat(orphans).noneMatch(images::exists);
        assertThat(lock(instances.get(other), "maintenanceLock").ran()).isZero();
        assertThat(exchanges(instances.get(other), "maintenance-orphan-images")).isZero();
        assertThat(exchanges(instances.get(other), "maintenance-dead-retention"))
                .isZero();

        // Lease recovery too: one instance runs it (each has its own lock of that job), the other skips.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> instances.values().stream()
                        .allMatch(s -> lock(s, "leaseRecoveryLock").ran()
                                        + lock(s, "leaseRecoveryLock").skipped()
                                >= 3));
        List<String> recovering = instances.entrySet().stream()
                .filter(e -> lock(e.getValue(), "leaseRecoveryLock").ran() > 0)
                .map(Map.Entry::getKey)
                .toList();
        assertThat(recovering).as("instances that ran lease recovery").hasSize(1);

        for (String asked : instances.keySet()) {
            JsonNode health = health(asked);
            assertThat(health.path("status").asText()).isEqualTo("UP");
            assertThat(health.path("flows").path("maintenance").asText()).isEqualTo("UP");
            assertThat(health.has("pending")).isTrue();
            JsonNode maintenance = health.path("maintenance");
            assertThat(maintenance.path("maintenance-schedule").path("holder").asText())
                    .as("/health of %s", asked)
                    .isEqualTo(holder);
            assertThat(Instant.parse(maintenance
                            .path("maintenance-schedule")
                            .path("since")
                            .asText()))
                    .isBefore(Instant.now());
            assertThat(maintenance.path("sender-lease-recovery").path("holder").asText())
                    .isEqualTo(recovering.get(0));
        }
    }

    @Test
    @Order(3)
    void whenTheHolderStopsTheOtherTakesTheRoundsOver() throws Exception {
        String survivor = other(holder);
        List<String> orphans;
        try (LogCapture logs = new LogCapture()) {
            instances.remove(holder).close();
            orphans = orphans(2);
            await().atMost(Duration.ofSeconds(30)).until(() -> orphans.stream().noneMatch(images::exists));
            assertThat(logs.linesContaining("ejecuta ahora"))
                    .as("handed over as it stopped: not taken over from a lease that ran out")
                    .isEmpty();
        }
        assertThat(lock(instances.get(survivor), "maintenanceLock").ran()).isPositive();
        assertThat(exchanges(instances.get(survivor), "maintenance-orphan-images"))
                .isPositive();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> lock(instances.get(survivor), "leaseRecoveryLock").ran() > 0);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode maintenance = health(survivor).path("maintenance");
            assertThat(maintenance.path("maintenance-schedule").path("holder").asText())
                    .isEqualTo(survivor);
            assertThat(maintenance.path("sender-lease-recovery").path("holder").asText())
                    .isEqualTo(survivor);
        });
    }

    private Map<String, String> settings(String id, int apiPort) {
        var db = TestDb.settings();
        Map<String, String> s = new HashMap<>();
        s.put("DB_HOST", db.text(Setting.DB_HOST));
        s.put("DB_PORT", db.text(Setting.DB_PORT));
        s.put("DB_NAME", TestDb.NAME);
        s.put("API_PORT", String.valueOf(apiPort));
        s.put("TRANSIT_PORT", String.valueOf(apiPort + 10)); // not opened: no ingest flow
        s.put("IMAGES_BASE_DIR", IMAGES.toString());
        s.put("IMAGES_ORPHAN_GRACE_MINUTES", "1");
        s.put("MAINTENANCE_INTERVAL_MINUTES", "0.04"); // 2.4 s: a holder is taken over only after a 2.4 s stall
        s.put("SENDER_LEASE_SECONDS", "10");
        s.put("SENDER_INSTANCE_ID", id);
        s.put("API_HEALTH_CACHE_SECONDS", "1");
        s.put("JOLOKIA_PORT", "0");
        return s;
    }

    /** Image files no reading references, older than the grace period: only a sweep deletes them. */
    private List<String> orphans(int n) throws Exception {
        List<String> paths = new ArrayList<>();
        Instant t = Instant.parse("2026-05-01T10:00:00Z");
        for (int i = 0; i < n; i++) {
            String path = ImageStore.relativePath("CLUSTER01", "1234ABC", t, UUID.randomUUID(), ImageStore.Kind.OCR);
            images.write(path, new byte[] {1});
            Files.setLastModifiedTime(
                    images.resolve(path), FileTime.from(Instant.now().minus(2, ChronoUnit.HOURS)));
            paths.add(path);
        }
        return paths;
    }

    private String other(String id) {
        return id.equals("cluster-a") ? "cluster-b" : "cluster-a";
    }

    private static ClusterLock lock(InProcessService service, String name) {
        return service.bean(name, ClusterLock.class);
    }

    /** Exchanges a route of that instance completed or failed (Camel's route metrics, from its /metrics registry). */
    private static double exchanges(InProcessService service, String routeId) {
        return service.bean("metrics", Metrics.class)
                .scrape()
                .lines()
                .filter(l -> l.startsWith("camel_exchanges_total{") && l.contains("routeId=\"" + routeId + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private JsonNode health(String instance) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPorts.get(instance) + "/health"))
                        .header("X-API-Key", key)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
