package routes.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.store.ApiKeyRepository;
import routes.store.S3Config;
import routes.store.S3ImageStore;
import routes.support.InProcessService;
import routes.support.TestDb;

/**
 * {@code /health} and {@code /health/ready} are the aggregate of checks in Camel's health-check registry, the ones JMX
 * and Hawtio show, and Camel's route metrics land in the same {@code /metrics} as the application's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthChecksTest {

    static final int TRANSIT_PORT = 24831;
    static final int API_PORT = 24832;

    private final HikariDataSource db = TestDb.open();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private InProcessService service;
    private String key;

    @BeforeAll
    void start() throws Exception {
        service = InProcessService.start(
                TestDb.serviceSettings(
                        "TRANSIT_PORT",
                        String.valueOf(TRANSIT_PORT),
                        "API_PORT",
                        String.valueOf(API_PORT),
                        "IMAGES_BASE_DIR",
                        Path.of("target/it-images/health-checks")
                                .toAbsolutePath()
                                .toString(),
                        "API_HEALTH_CACHE_SECONDS",
                        "1"),
                "ingest,api");
        key = new ApiKeyRepository(db).create("health-checks-" + System.nanoTime(), "READ_ONLY");
    }

    @AfterAll
    void stop() throws Exception {
        service.close();
        db.close();
    }

    @Test
    void theApplicationsChecksAreInCamelsRegistryAndReadinessAgreesWithHealthReady() throws Exception {
        CamelContext context = service.context();
        assertThat(HealthCheckRegistry.get(context).getCheckIDs())
                .contains(DatabaseCheck.ID, FlowsCheck.ID, QueueCheck.ID, CertificatesCheck.ID, BreakersCheck.ID);
        Map<String, HealthCheck.State> readiness = states(HealthCheckHelper.invokeReadiness(context, "full"));
        assertThat(readiness)
                .containsEntry(ImageStoreCheck.ID, HealthCheck.State.UP)
                .containsEntry(DatabaseCheck.ID, HealthCheck.State.UP)
                .containsEntry(FlowsCheck.ID, HealthCheck.State.UP);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);

        JsonNode health = json.readTree(get("/health").body());
        assertThat(health.path("status").asText()).isEqualTo("UP");
        assertThat(health.path("database").path("status").asText()).isEqualTo("UP");
        assertThat(health.path("flows").path("ingest").asText()).isEqualTo("UP");
        assertThat(health.path("flows").path("api").asText()).isEqualTo("UP");
        assertThat(health.has("pending")).isTrue();
        assertThat(health.path("images").path("status").asText()).isEqualTo("UP");
        assertThat(health.path("images").path("store").asText()).startsWith("folder ");
        assertThat(health.path(CertificatesCheck.EXPIRING).isArray()).isTrue();
    }

    @Test
    void aStoppedFlowIsDownInCamelsReadinessAndInHealthReadyAlike() throws Exception {
        CamelContext context = service.context();
        context.getRouteController().stopRoute("ingest-tattile-tcp");
        try {
            assertThat(states(HealthCheckHelper.invokeReadiness(context, "full")))
                    .containsEntry(FlowsCheck.ID, HealthCheck.State.DOWN);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> get("/health/ready").statusCode() == 503);
            await().atMost(Duration.ofSeconds(5)).until(() -> get("/health").statusCode() == 503);
            JsonNode health = json.readTree(get("/health").body());
            assertThat(health.path("status").asText()).isEqualTo("DOWN");
            assertThat(health.path("flows").path("ingest").asText()).isEqualTo("DOWN");
        } finally {
            context.getRouteController().startRoute("ingest-tattile-tcp");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> get("/health/ready").statusCode() == 200);
        await().atMost(Duration.ofSeconds(5)).until(() -> get("/health").statusCode() == 200);
    }

    @Test
    void theDatabaseCheckIsDownWithTheErrorKindWhenNoConnectionCanBeHad() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/none"); // nothing listens on port 1
        config.setConnectionTimeout(500);
        config.setInitializationFailTimeout(-1);
        try (HikariDataSource unreachable = new HikariDataSource(config)) {
            DatabaseCheck check = new DatabaseCheck(unreachable);
            check.setCamelContext(service.context());
            HealthCheck.Result result = check.call();
            assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(result.getDetails()).containsEntry("error", "SQLTransientConnectionException");
            assertThat(check.isLiveness())
                    .as("an outage is waited out, not restarted")
                    .isFalse();
        }
    }

    @Test
    void anImageStoreThatDoesNotAnswerIsDownInReadinessWithTheErrorKindAndNoSecret() {
        S3Config config = new S3Config(
                URI.create("http://127.0.0.1:1"),
                "images",
                "us-east-1",
                "health-key",
                "health-secret-never-shown",
                true,
                ""); // nothing listens on port 1
        try (S3ImageStore unreachable = new S3ImageStore(config)) {
            ImageStoreCheck check = new ImageStoreCheck(unreachable);
            check.setCamelContext(service.context());
            HealthCheck.Result result = check.call();
            assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(result.getDetails()).containsEntry("error", "ImageStorageUnavailableException");
            assertThat(check.isReadiness()).isTrue();
            assertThat(check.isLiveness()).isFalse();
            assertThat(result.getDetails().toString()).doesNotContain("health-secret-never-shown");
        }
    }

    @Test
    void camelsRouteMetricsAreInTheSameScrapeAsTheApplications() throws Exception {
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        String scrape = get("/metrics").body();
        assertThat(scrape).contains("tattile_readings_received");
        assertThat(scrape.lines()
                        .filter(l -> l.startsWith("camel_exchanges") && l.contains("routeId=\"api-health-live\"")))
                .as("Camel's per-route metrics for a route just called")
                .isNotEmpty();
    }

    private static Map<String, HealthCheck.State> states(Collection<HealthCheck.Result> results) {
        return results.stream().collect(Collectors.toMap(r -> r.getCheck().getId(), HealthCheck.Result::getState));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + API_PORT + path))
                        .header("X-API-Key", key)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
