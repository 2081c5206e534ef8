package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.TattileConfiguration;
import routes.store.ApiKeyRepository;
import routes.support.CameraClient;
import routes.support.LogCapture;
import routes.support.TestCertificates;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.MossosSandbox;
import routes.tools.SyntheticReadings;

/**
 * A long Mossos outage on a short clock: the breaker opens for 1 s at a time, back-offs are tens of
 * milliseconds and the retry budget is 3 attempts, so an outage of {@value #OUTAGE_MILLIS} ms is many
 * breaker cycles and far more than the retry budget — what 10 minutes are with the default settings
 * (30 s open, 5 s back-off, 11 attempts). Readings keep arriving over TCP meanwhile.
 */
@CamelMainTest(
        configurationClasses = TattileConfiguration.class,
        properties = {
            TestDb.HOST_PROPERTY,
            TestDb.NAME_PROPERTY,
            TestDb.USER_PROPERTY,
            TestDb.PASSWORD_PROPERTY,
            TestDb.ANY_READING_AGE_PROPERTY,
            "API_PORT=" + MossosOutageTest.API_PORT,
            "TATTILE_FLOWS=ingest,sender,api",
            "TRANSIT_PORT=" + MossosOutageTest.TCP_PORT,
            "IMAGES_BASE_DIR=" + MossosOutageTest.IMAGES,
            "CERTS_DIR=" + MossosOutageTest.CERTS,
            "CAMERA_CACHE_SECONDS=0",
            "MOSSOS_ENDPOINT_URL=http://127.0.0.1:" + MossosOutageTest.SANDBOX_PORT + "/matricules",
            "SENDER_POLL_INTERVAL_SECONDS=0.1",
            "SENDER_DEFAULT_RETRY_MAX=2",
            "SENDER_DEFAULT_BACKOFF_MS=50",
            "SENDER_MAX_BACKOFF_MS=400",
            "SENDER_BREAKER_FAILURES=3",
            "SENDER_BREAKER_OPEN_SECONDS=1",
            "SENDER_INSTANCE_ID=outage-test",
            "SENDER_LEASE_SECONDS=20",
            "API_IP_RATE_LIMIT_PER_MINUTE=100000",
            "API_RATE_LIMIT_PER_MINUTE=100000",
            "API_HEALTH_CACHE_SECONDS=1"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MossosOutageTest {

    static final int TCP_PORT = 24120;
    static final int API_PORT = 24121;
    static final int SANDBOX_PORT = 24122;
    static final String IMAGES = "target/it-images/mossos-outage";
    static final String CERTS = "target/it-certs/mossos-outage";
    static final long OUTAGE_MILLIS = 8000;
    static final int BREAKER_CYCLES = 4;
    static final String SERIAL = "OUT01";

    private final HikariDataSource db = TestDb.open();
    private final MossosSandbox sandbox = new MossosSandbox(SANDBOX_PORT, 16);
    private final SyntheticReadings synthetic = new SyntheticReadings(8, 2048, 4096);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private int sequence;

    MossosOutageTest() throws Exception {}

    @BeforeAll
    void registry() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(Path.of(IMAGES));
        TestCertificates.Generated cert =
                TestCertificates.generate(Path.of(CERTS, "outage"), "Ajuntament de Tall", 365, null);
        sandbox.trust(List.of(cert.certificate()));
        UUID certId = TestCertificates.registerPem(db, "tall", cert);
        TestDb.execute(db, "INSERT INTO municipalities (name, certificate_id) VALUES ('Tall', '" + certId + "')");
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, municipality_id) SELECT '" + SERIAL
                        + "', id FROM municipalities WHERE name = 'Tall'");
    }

    @AfterAll
    void close() {
        sandbox.close();
        db.close();
    }

    @Test
    void aLongOutageWithReadingsArrivingMakesNothingDeadShowsTheBreakerAndDrainsEveryReadingOnceAfter()
            throws Exception {
        String metricsKey = new ApiKeyRepository(db).create("outage-metrics-" + System.nanoTime(), "READ_ONLY");
        Set<String> sent = new TreeSet<>();
        Set<String> healthStates = new TreeSet<>();
        Set<String> metricStates = new TreeSet<>();
        int requestsDuringOutage;
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(TCP_PORT)) {
            // Healthy first: the endpoint has delivered recently.
            for (int i = 0; i < 3; i++) {
                sent.add(send(camera));
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> sandbox.received().size() == 3);
            assertThat(breakerInHealth(metricsKey)).isEqualTo("CLOSED");

            sandbox.down(true);
            int requestsBefore = sandbox.requestCount();
            // The outage lasts OUTAGE_MILLIS and at least BREAKER_CYCLES openings of the breaker: many cycles however
            // slowly a loaded machine goes through them (a deadline, not a bound, ends it if the breaker stops
            // cycling).
            long start = System.nanoTime();
            long end = start + OUTAGE_MILLIS * 1_000_000;
            long deadline = start + 60_000L * 1_000_000;
            while (System.nanoTime() < end || openings(logs) < BREAKER_CYCLES && System.nanoTime() < deadline) {
                sent.add(send(camera));
                healthStates.add(breakerInHealth(metricsKey));
                metricStates.add(breakerInMetrics(metricsKey));
                Thread.sleep(100);
            }
            long outageMillis = (System.nanoTime() - start) / 1_000_000;
            requestsDuringOutage = sandbox.requestCount() - requestsBefore;
            int readings = sent.size();

            assertThat(healthStates)
                    .as("/health shows the breaker open during the outage")
                    .contains("OPEN");
            assertThat(metricStates)
                    .as("/metrics tattile_endpoint_breaker_state: 2 = open")
                    .contains("2.0");
            assertThat(openings(logs))
                    .as("many breaker cycles: it opened, let a trial through after 1 s, and opened again")
                    .isGreaterThanOrEqualTo(BREAKER_CYCLES);
            assertThat(count("SELECT count(*) FROM messages_queue WHERE status = 'DEAD'"))
                    .isZero();
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> count("SELECT count(*) FROM alpr_readings")
                            == readings - 3); // every reading of the outage stored, waiting
            assertThat(count("SELECT coalesce(max(attempts), 0) FROM messages_queue"))
                    .as("an outage costs a reading at most one attempt")
                    .isLessThanOrEqualTo(1);

            sandbox.down(false);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> count("SELECT count(*) FROM alpr_readings") == 0);
            assertThat(camera.closedByServer(50)).isFalse();
            System.out.printf(
                    "[mossos-outage] readings=%d outage=%d ms requestsDuringOutage=%d breakerOpenings=%d%n",
                    readings,
                    outageMillis,
                    requestsDuringOutage,
                    logs.linesContaining("circuito abierto").size());
        }
        Map<String, Long> perReading = sandbox.received().stream()
                .collect(Collectors.groupingBy(r -> r.codiLector() + "|" + r.matricula(), Collectors.counting()));
        assertThat(perReading.keySet())
                .as("every reading delivered after the outage")
                .containsExactlyInAnyOrderElementsOf(sent);
        assertThat(perReading.values()).as("each exactly once").containsOnly(1L);
        assertThat(count("SELECT count(*) FROM delivery_log WHERE outcome = 'DEAD'"))
                .isZero();
        assertThat(count("SELECT count(*) FROM messages_queue")).isZero();
        assertThat(TestFiles.regularFiles(Path.of(IMAGES))).isEmpty();
        // /health is computed at most once a second (API_HEALTH_CACHE_SECONDS): the closed breaker shows within it.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> breakerInHealth(metricsKey).equals("CLOSED"));
        assertThat(breakerInMetrics(metricsKey)).isEqualTo("0.0");
        assertThat(requestsDuringOutage)
                .as("the breaker keeps the dead endpoint from being hammered")
                .isLessThan(sent.size() * 3);
    }

    private static int openings(LogCapture logs) {
        return logs.linesContaining("[SENDER] Endpoint global no disponible: circuito abierto")
                .size();
    }

    private String send(CameraClient camera) throws Exception {
        int n = ++sequence;
        String plate = String.format("%04dOUT", n);
        camera.send(synthetic.vega(
                SERIAL, plate, LocalDateTime.of(2026, 10, 1, 10, 0).plusSeconds(n)));
        return SERIAL + "|" + plate;
    }

    private String breakerInHealth(String key) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + API_PORT + "/health"))
                        .header("X-API-Key", key)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = json.readTree(r.body());
        assertThat(body.path("status").asText())
                .as("the service itself stays UP: " + r.body())
                .isEqualTo("UP");
        return body.path("breakers").path("global").asText("none");
    }

    private String breakerInMetrics(String key) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + API_PORT + "/metrics"))
                        .header("X-API-Key", key)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> lines = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("tattile_endpoint_breaker_state{") && line.contains("endpoint=\"global\"")) {
                lines.add(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return lines.isEmpty() ? "none" : lines.get(0);
    }

    private long count(String sql) throws Exception {
        return TestDb.count(db, sql);
    }
}
