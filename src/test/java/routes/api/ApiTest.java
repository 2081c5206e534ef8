package routes.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.TattileConfiguration;
import routes.store.ApiKeyRepository;
import routes.store.CameraRepository;
import routes.support.TestDb;

/** The HTTP API on a real port: health, readiness, metrics. */
@CamelMainTest(
        configurationClasses = TattileConfiguration.class,
        properties = {
            TestDb.HOST_PROPERTY,
            TestDb.NAME_PROPERTY,
            TestDb.USER_PROPERTY,
            TestDb.PASSWORD_PROPERTY,
            TestDb.ANY_READING_AGE_PROPERTY,
            "API_PORT=" + ApiTest.PORT,
            "API_MAX_BODY_BYTES=" + ApiTest.MAX_BODY,
            "TATTILE_FLOWS=ingest,api",
            "TRANSIT_PORT=23337",
            "IMAGES_BASE_DIR=" + ApiTest.IMAGES,
            "CAMERA_CACHE_SECONDS=0",
            "API_RATE_LIMIT_PER_MINUTE=20",
            "API_IP_RATE_LIMIT_PER_MINUTE=1000",
            "API_HEALTH_CACHE_SECONDS=1"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiTest {

    static final int PORT = 23390;
    static final int MAX_BODY = 256 * 1024;
    static final String IMAGES = "target/it-images/api";

    private final HikariDataSource db = TestDb.open();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
    }

    @AfterAll
    void close() {
        db.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + path))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String key) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + path))
                        .header("X-API-Key", key)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String key, String body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("X-API-Key", key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String key(String role) throws Exception {
        return new ApiKeyRepository(db).create(role.toLowerCase() + "-" + System.nanoTime(), role);
    }

    @Test
    void everyResourceButHealthNeedsAKeyOfTheRightRole() throws Exception {
        String admin = key("ADMIN");
        String reader = key("READ_ONLY");
        String writer = key("SOURCE_WRITER");
        String[] reads = {"/metrics", "/api/municipalities", "/api/cameras", "/api/endpoints", "/api/queue/stats"};
        for (String path : reads) {
            assertThat(get(path).statusCode()).as("no key: " + path).isEqualTo(401);
            assertThat(get(path, "tsk_not-a-key").statusCode())
                    .as("unknown key: " + path)
                    .isEqualTo(401);
            assertThat(get(path, admin).statusCode()).as("admin: " + path).isEqualTo(200);
            assertThat(get(path, reader).statusCode()).as("read-only: " + path).isEqualTo(200);
            assertThat(get(path, writer).statusCode())
                    .as("source writer: " + path)
                    .isEqualTo(403);
        }
        assertThat(post("/api/queue/requeue", reader, "{\"status\":\"DEAD\"}").statusCode())
                .isEqualTo(403);
        assertThat(post("/api/queue/requeue", writer, "{\"status\":\"DEAD\"}").statusCode())
                .isEqualTo(403);
        assertThat(post("/api/queue/requeue", admin, "{\"status\":\"DEAD\"}").statusCode())
                .isEqualTo(200);
        assertThat(post("/ingest/lectorvision", reader, "{}").statusCode()).isEqualTo(403);
        assertThat(post("/ingest/lectorvision", null, "{}").statusCode()).isEqualTo(401);
        HttpResponse<String> refused = get("/api/municipalities", writer);
        assertThat(json.readTree(refused.body()).path("error").asText()).contains("SOURCE_WRITER");
        new ApiKeyRepository(db).revoke(TestDb.text(db, "SELECT name FROM api_keys WHERE role = 'READ_ONLY'"));
        Thread.sleep(5_100); // key lookups are cached for 5 s
        assertThat(get("/api/municipalities", reader).statusCode())
                .as("revoked")
                .isEqualTo(401);
    }

    @Test
    void metricsArePrometheusTextWithTheReadingQueueSendAndJvmSeries() throws Exception {
        HttpResponse<String> r = get("/metrics", key("READ_ONLY"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(r.body())
                .contains("tattile_queue_depth{status=\"PENDING\"}")
                .contains("tattile_readings_received_total")
                .contains("tattile_readings_rejected_total{reason=\"UNKNOWN_CAMERA\"}")
                .contains("tattile_sends_total{outcome=\"DELIVERED\"}")
                .contains("tattile_send_latency_seconds_bucket")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void lectorVisionReadingsAreStoredLikeTattileOnes() throws Exception {
        TestDb.camera(db, "LV0001", null);
        String writer = key("SOURCE_WRITER");
        String image = Base64.getEncoder()
                .encodeToString(
                        new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3, 4, (byte) 0xFF, (byte) 0xD9});
        String doc = "{\"Plate\":\"1234LVX\",\"TimeStamp\":\"2026/05/01 10:00:00.123\",\"SerialNumber\":\"LV0001\","
                + "\"Fiability\":91.5,\"LaneNumber\":2,\"Country\":724,\"PlateCoord\":[1,2,3,4],\"ImageOcrBase64\":\""
                + image + "\"}";
        HttpResponse<String> r = post("/ingest/lectorvision", writer, doc);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(json.readTree(r.body()).path("stored").asBoolean()).isTrue();
        assertThat(
                        TestDb.text(
                                db,
                                "SELECT concat_ws('|', plate, device_sn, country_code, lane_id, bbox_max_y, has_image_ocr) FROM alpr_readings"))
                .isEqualTo("1234LVX|LV0001|ES|2|4|t");
        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue WHERE status = 'PENDING'"))
                .isEqualTo(1);
        assertThat(post("/ingest/lectorvision", writer, doc).statusCode())
                .as("a duplicate is accepted, not stored twice")
                .isEqualTo(202);
        assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings")).isEqualTo(1);

        HttpResponse<String> bad = post("/ingest/lectorvision", writer, "{not json");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json.readTree(bad.body()).path("error").asText()).isNotBlank();
        assertThat(post("/ingest/lectorvision", writer, doc.replace("LV0001", "UNKNOWN9"))
                        .statusCode())
                .isEqualTo(400);
        HttpResponse<String> huge =
                post("/ingest/lectorvision", writer, "{\"Plate\":\"" + "A".repeat(MAX_BODY + 10) + "\"}");
        assertThat(huge.statusCode()).isEqualTo(413);
    }

    private String lectorVision(String serial, String plate) {
        String image = Base64.getEncoder()
                .encodeToString(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, (byte) 0xFF, (byte) 0xD9});
        String now = LocalDateTime.now(ZoneId.of("Europe/Madrid"))
                .format(DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss.SSS"));
        return "{\"Plate\":\"" + plate + "\",\"TimeStamp\":\"" + now + "\",\"SerialNumber\":\"" + serial
                + "\",\"ImageOcrBase64\":\"" + image + "\"}";
    }

    @Test
    void aScopedSourceKeySendsOnlyForItsCamerasAndAnyOtherCameraGetsTheSame403() throws Exception {
        var keys = new ApiKeyRepository(db);
        var cameras = new CameraRepository(db);
        UUID girona = cameras.addMunicipality("Girona", null);
        UUID salt = cameras.addMunicipality("Salt", null);
        cameras.addCamera("GI01", girona, null, null, null);
        cameras.addCamera("SA01", salt, null, null, null);
        String gironaKey =
                keys.create("girona-writer", "SOURCE_WRITER", new ApiKeyRepository.Scope(Set.of(girona), Set.of()));
        String saltCameraKey =
                keys.create("sa01-writer", "SOURCE_WRITER", new ApiKeyRepository.Scope(Set.of(), Set.of("SA01")));
        String anyWriter = key("SOURCE_WRITER");

        assertThat(post("/ingest/lectorvision", gironaKey, lectorVision("GI01", "1111GIR"))
                        .statusCode())
                .isEqualTo(202);
        HttpResponse<String> otherMunicipality =
                post("/ingest/lectorvision", gironaKey, lectorVision("SA01", "2222GIR"));
        HttpResponse<String> unknown = post("/ingest/lectorvision", gironaKey, lectorVision("NOSUCH9", "3333GIR"));
        assertThat(otherMunicipality.statusCode()).isEqualTo(403);
        assertThat(unknown.statusCode()).isEqualTo(403);
        assertThat(unknown.body())
                .as("an unknown camera is not told apart from another municipality's")
                .isEqualTo(otherMunicipality.body());
        assertThat(post("/ingest/lectorvision", saltCameraKey, lectorVision("SA01", "4444SAL"))
                        .statusCode())
                .isEqualTo(202);
        assertThat(post("/ingest/lectorvision", saltCameraKey, lectorVision("GI01", "5555SAL"))
                        .statusCode())
                .isEqualTo(403);
        // An unscoped key is not limited (and an unknown camera stays a 400, as before).
        assertThat(post("/ingest/lectorvision", anyWriter, lectorVision("SA01", "6666ANY"))
                        .statusCode())
                .isEqualTo(202);
        assertThat(post("/ingest/lectorvision", anyWriter, lectorVision("NOSUCH9", "7777ANY"))
                        .statusCode())
                .isEqualTo(400);
        assertThat(TestDb.text(db, "SELECT string_agg(plate, ',' ORDER BY plate) FROM alpr_readings"))
                .isEqualTo("1111GIR,4444SAL,6666ANY");
        assertThat(TestDb.count(
                        db, "SELECT count(*) FROM audit_log WHERE outcome = 'FORBIDDEN' AND detail LIKE '%scope%'"))
                .isEqualTo(3);
        // A scoped key whose municipality is gone writes for no camera at all.
        TestDb.execute(
                db,
                "DELETE FROM api_key_scopes WHERE api_key_id = (SELECT id FROM api_keys WHERE name = 'girona-writer')");
        Thread.sleep(5_100); // key lookups are cached for 5 s
        assertThat(post("/ingest/lectorvision", gironaKey, lectorVision("GI01", "8888GIR"))
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void sqlMetacharactersAreDataAndAdminChangesAreAudited() throws Exception {
        String admin = key("ADMIN");
        String name = "Girona'); DROP TABLE cameras; --";
        HttpResponse<String> r = post("/api/municipalities/add", admin, json.writeValueAsString(Map.of("name", name)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(TestDb.text(db, "SELECT name FROM municipalities")).isEqualTo(name);
        assertThat(TestDb.count(db, "SELECT count(*) FROM cameras")).isZero(); // the table is still there
        assertThat(get("/api/municipalities", admin).body()).contains("DROP TABLE cameras");
        assertThat(post("/api/municipalities/add", admin, json.writeValueAsString(Map.of("name", name)))
                        .statusCode())
                .isEqualTo(409);
        assertThat(post("/api/cameras/add", admin, "{\"serial\":\"../etc\",\"municipality\":\"x\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(post("/api/queue/requeue", admin, "{\"id\":\"1' OR '1'='1\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(TestDb.text(
                        db,
                        "SELECT actor || '|' || action || '|' || outcome FROM audit_log WHERE action LIKE 'POST /api/municipalities%' "
                                + "AND outcome = 'OK' ORDER BY at LIMIT 1"))
                .startsWith("apikey:admin-")
                .endsWith("|POST /api/municipalities/add|OK");
        assertThat(TestDb.count(
                        db,
                        "SELECT count(*) FROM audit_log WHERE outcome = 'KEY_USED' AND actor LIKE 'apikey:admin-%'"))
                .as("key use is recorded once a minute, not per request")
                .isEqualTo(1);
    }

    private void assertHandled(HttpResponse<String> r, String what, Integer... allowed) {
        assertThat(r.statusCode()).as("%s -> %s", what, r.body()).isIn((Object[]) allowed);
    }

    /** As {@link #assertHandled}, or refused by the HTTP layer itself (a 30 KB query: HTTP/2 closes the connection). */
    private void assertHandledOrRefused(Callable<HttpResponse<String>> request, String what, Integer... allowed)
            throws Exception {
        HttpResponse<String> r;
        try {
            r = request.call();
        } catch (IOException refusedByTheHttpLayer) {
            return;
        }
        assertHandled(r, what, allowed);
    }

    @Test
    void hostileValuesInEveryParameterAndBodyFieldAreDataOrAClientErrorNeverAServerError() throws Exception {
        TestDb.execute(db, "INSERT INTO municipalities (name) VALUES ('Base')");
        TestDb.camera(db, "LV0002", null);
        List<String> hostile = List.of(
                "' OR 1=1 --",
                "'; DROP TABLE cameras; --",
                "%",
                "_",
                "\\",
                "\"",
                "\u0000",
                "a\u0000b",
                "ñ€日本",
                "\u202e",
                "x".repeat(10_000),
                "../../etc/passwd",
                "<script>",
                "${jndi:ldap://x}");
        int i = 0;
        for (String v : hostile) {
            i++;
            String admin = key("ADMIN"); // fresh keys: this test's requests stay under the per-key rate limit
            String writer = key("SOURCE_WRITER");
            String q = json.writeValueAsString(v);
            String u = URLEncoder.encode(v, StandardCharsets.UTF_8);
            assertHandled(
                    post("/api/municipalities/add", admin, "{\"name\":" + q + "}"),
                    "municipality name " + i,
                    201,
                    400,
                    409);
            assertHandled(
                    post("/api/municipalities/add", admin, "{\"name\":\"M" + i + "\",\"code\":" + q + "}"),
                    "code " + i,
                    201,
                    400);
            assertHandled(
                    post("/api/cameras/add", admin, "{\"serial\":" + q + ",\"municipality\":\"Base\"}"),
                    "serial " + i,
                    201,
                    400); // "_" is a valid serial
            assertHandled(
                    post("/api/cameras/add", admin, "{\"serial\":\"C" + i + "\",\"municipality\":" + q + "}"),
                    "municipality " + i,
                    201,
                    400,
                    404); // 201: the municipality of that name was just added
            assertHandled(
                    post(
                            "/api/cameras/add",
                            admin,
                            "{\"serial\":\"D" + i + "\",\"municipality\":\"Base\",\"codigo_lector\":" + q
                                    + ",\"description\":" + q + "}"),
                    "codigo_lector and description " + i,
                    201,
                    400);
            assertHandled(
                    post(
                            "/api/cameras/add",
                            admin,
                            "{\"serial\":\"E" + i + "\",\"municipality\":\"Base\",\"timezone\":" + q + "}"),
                    "timezone " + i,
                    400);
            assertHandled(post("/api/queue/requeue", admin, "{\"id\":" + q + "}"), "requeue id " + i, 400);
            assertHandled(post("/api/queue/requeue", admin, "{\"status\":" + q + "}"), "requeue status " + i, 400);
            assertHandled(
                    post("/api/queue/requeue", admin, "{\"status\":\"DEAD\",\"error_prefix\":" + q + "}"),
                    "error_prefix " + i,
                    200,
                    400);
            assertHandled(
                    post(
                            "/ingest/lectorvision",
                            writer,
                            "{\"Plate\":" + q + ",\"TimeStamp\":\"2026/05/01 10:00:00.123\","
                                    + "\"SerialNumber\":\"LV0002\"}"),
                    "lectorvision plate " + i,
                    202,
                    400);
            assertHandled(
                    post(
                            "/ingest/lectorvision",
                            writer,
                            "{\"Plate\":\"1234LVX\",\"TimeStamp\":" + q + ",\"SerialNumber\":" + q + "}"),
                    "lectorvision time and serial " + i,
                    400);
            for (String path : List.of(
                    "/api/municipalities",
                    "/api/cameras",
                    "/api/endpoints",
                    "/api/queue/stats",
                    "/metrics",
                    "/health")) {
                assertHandledOrRefused(
                        () -> get(path + "?name=" + u + "&status=" + u + "&id=" + u, admin),
                        path + " with query " + i,
                        200,
                        414,
                        431);
            }
            assertHandledOrRefused(
                    () -> get("/api/cameras/" + u.replace("+", "%20"), admin), "path " + i, 400, 404, 405, 414, 431);
            assertHandled(get("/health/ready"), "readiness after " + i, 200);
        }
        // The tables are all there and hold the hostile values as data.
        assertThat(TestDb.count(db, "SELECT count(*) FROM cameras")).isPositive();
        assertThat(TestDb.count(db, "SELECT count(*) FROM municipalities WHERE name = ?", "' OR 1=1 --"))
                .isEqualTo(1);
        assertThat(TestDb.count(db, "SELECT count(*) FROM municipalities WHERE name = ?", "'; DROP TABLE cameras; --"))
                .isEqualTo(1);
        assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings WHERE plate NOT SIMILAR TO '[A-Z0-9 -]+'"))
                .isZero();
    }

    @Test
    void theEndpointsListShowsEachEndpointsClusterWideCap() throws Exception {
        TestDb.execute(
                db,
                "INSERT INTO endpoints (name, url, max_in_flight) VALUES ('capped', 'https://a.example/m', 4), "
                        + "('open', 'https://b.example/m', NULL)");
        HttpResponse<String> r = get("/api/endpoints", key("READ_ONLY"));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode list = json.readTree(r.body());
        assertThat(list).hasSize(2);
        assertThat(list.get(0).path("name").asText()).isEqualTo("capped");
        assertThat(list.get(0).path("max_in_flight").asInt()).isEqualTo(4);
        assertThat(list.get(1).has("max_in_flight")).isTrue();
        assertThat(list.get(1).path("max_in_flight").isNull()).isTrue();
    }

    @Test
    void aKeyOverItsRateLimitGets429WithRetryAfter() throws Exception {
        String reader = key("READ_ONLY");
        for (int i = 0; i < 20; i++) {
            assertThat(get("/api/endpoints", reader).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> limited = get("/api/endpoints", reader);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(Integer.parseInt(limited.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(1, 60);
        assertThat(get("/api/endpoints", key("READ_ONLY")).statusCode())
                .as("another key is not limited")
                .isEqualTo(200);
    }

    @Test
    void healthNeedsAReadOnlyOrAdminKeyAndReportsTheDatabaseFlowsQueueAndCertificates() throws Exception {
        TestDb.camera(db, "H01", null);
        TestDb.execute(
                db,
                "INSERT INTO certificates (name, type, cert_path, key_path, valid_to) VALUES ('soon', 'PEM', 'c', 'k', now() + interval '10 days')");
        assertThat(get("/health").statusCode()).as("no key").isEqualTo(401);
        assertThat(get("/health", key("SOURCE_WRITER")).statusCode())
                .as("a source's key")
                .isEqualTo(403);
        String reader = key("READ_ONLY");
        // The report is computed at most once per API_HEALTH_CACHE_SECONDS (1 s here): a new certificate shows within
        // it.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> get("/health", reader).body().contains("\"soon\""));
        HttpResponse<String> r = get("/health", reader);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode h = json.readTree(r.body());
        assertThat(h.path("status").asText()).isEqualTo("UP");
        assertThat(h.path("database").path("status").asText()).isEqualTo("UP");
        assertThat(h.path("flows").path("ingest").asText()).isEqualTo("UP");
        assertThat(h.path("flows").path("api").asText()).isEqualTo("UP");
        for (String field : new String[] {"pending", "failed", "dead", "total_readings"}) {
            assertThat(h.path(field).isNumber()).as(field).isTrue();
        }
        assertThat(h.path("counts_estimated").asBoolean())
                .as("a small queue is counted exactly")
                .isFalse();
        assertThat(h.has("oldest_pending_age_seconds")).isTrue();
        assertThat(h.path("breakers").isObject()).isTrue();
        assertThat(h.path("certificates_expiring_30d").get(0).path("name").asText())
                .isEqualTo("soon");
        assertThat(get("/health", key("ADMIN")).statusCode()).isEqualTo(200);
    }

    @Test
    void onlyReadinessAndLivenessArePublicAndTheyTellNoVolumesOrNames() throws Exception {
        for (String path : List.of("/health/ready", "/health/live")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(json.readTree(r.body()).path("status").asText()).isEqualTo("UP");
            assertThat(r.body()).as(path).doesNotContain("pending", "certificates", "breakers", "total_readings");
        }
    }

    /**
     * Every computation stamps its report with computed_at: two computations are a cache time (1 s here) apart, whatever
     * the number of callers and however long the calls took — the server's own events, not a duration measured here.
     */
    @Test
    void theHealthReportIsComputedAtMostOncePerCacheTimeWhateverTheCallers() throws Exception {
        // Four callers of ten calls each: within API_RATE_LIMIT_PER_MINUTE, so every call is answered.
        List<String> readers = List.of(key("READ_ONLY"), key("READ_ONLY"), key("READ_ONLY"), key("READ_ONLY"));
        Set<String> computedAt = ConcurrentHashMap.newKeySet();
        var pool = Executors.newFixedThreadPool(8);
        try {
            var calls = new ArrayList<Future<?>>();
            for (int i = 0; i < 40; i++) {
                String reader = readers.get(i % readers.size());
                calls.add(pool.submit(() -> {
                    HttpResponse<String> r = get("/health", reader);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    computedAt.add(json.readTree(r.body()).path("computed_at").asText());
                    return null;
                }));
            }
            for (var c : calls) {
                c.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(computedAt).as("never one computation per call").hasSizeLessThan(40);
        List<Instant> computations =
                computedAt.stream().map(Instant::parse).sorted().toList();
        for (int i = 1; i < computations.size(); i++) {
            // computed_at is taken just before the time the cache counts from, to the millisecond: hence 999 ms.
            assertThat(Duration.between(computations.get(i - 1), computations.get(i)))
                    .as("between computations %s", computations)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(999));
        }
    }
}
