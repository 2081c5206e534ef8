package routes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.support.TestDb;

/**
 * Jolokia in the packaged jar, as an attacker on the same host (or a web page in the operator's browser, through
 * the SSH tunnel) would try it: nothing without credentials, and with them only reads and a route's start/stop.
 * Each refused request below is one that took over the service before (issue 12, item 1).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JolokiaIT {

    static final int PORT = 23441;
    static final int JOLOKIA_PORT = 23478;
    static final String USER = "hawtio";
    static final String PASSWORD = "s3cret, with = and \"quotes\"";
    static final String ROUTE = "org.apache.camel:context=tattile-sender,type=routes,name=\"ingest-tattile-tcp\"";
    static final String CONTEXT = "org.apache.camel:context=tattile-sender,type=context,name=\"tattile-sender\"";

    private final HikariDataSource db = TestDb.open();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private JarService service;

    @BeforeAll
    void start() throws Exception {
        TestDb.reset(db);
        Path passwordFile = Path.of("target/it-jolokia/password").toAbsolutePath();
        Files.createDirectories(passwordFile.getParent());
        Files.writeString(passwordFile, PASSWORD + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        service = JarService.start(
                        Path.of("target/jolokia-it.log"),
                        Map.of(
                                "TATTILE_FLOWS",
                                "ingest",
                                "TRANSIT_PORT",
                                String.valueOf(PORT),
                                "IMAGES_BASE_DIR",
                                Path.of("target/it-images/jolokia")
                                        .toAbsolutePath()
                                        .toString(),
                                "JOLOKIA_PORT",
                                String.valueOf(JOLOKIA_PORT),
                                "JOLOKIA_USER",
                                USER,
                                "JOLOKIA_PASSWORD_FILE",
                                passwordFile.toString()))
                .awaitStarted(PORT);
        await().atMost(Duration.ofSeconds(30)).until(() -> JarService.listening(JOLOKIA_PORT));
    }

    @AfterAll
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        db.close();
    }

    private HttpResponse<String> post(String body, String user, String password, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + JOLOKIA_PORT + "/jolokia/"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (user != null) {
            b.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request with the right credentials: Jolokia's JSON answer. */
    private JsonNode call(Map<String, Object> request) throws Exception {
        HttpResponse<String> r = post(json.writeValueAsString(request), USER, PASSWORD, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    private static void assertRefused(JsonNode answer) {
        assertThat(answer.path("status").asInt()).as(answer.toString()).isNotEqualTo(200);
        assertThat(answer.has("value")).as(answer.toString()).isFalse();
    }

    @Test
    void withoutCredentialsOrWithAWrongPasswordEveryRequestIs401() throws Exception {
        String version = "{\"type\":\"version\"}";
        assertThat(post(version, null, null, null).statusCode()).isEqualTo(401);
        assertThat(post(version, USER, "wrong", null).statusCode()).isEqualTo(401);
        assertThat(post(version, "admin", PASSWORD, null).statusCode()).isEqualTo(401);
        var get = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + JOLOKIA_PORT + "/jolokia/read/"
                                + ROUTE.replace("\"", "%22") + "/State"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(401);
        assertThat(call(Map.of("type", "version")).path("status").asInt()).isEqualTo(200);
    }

    @Test
    void theOperationsThatTookOverTheServiceAreRefused() throws Exception {
        // Loading foreign code into the JVM.
        assertRefused(call(Map.of(
                "type",
                "exec",
                "mbean",
                "com.sun.management:type=DiagnosticCommand",
                "operation",
                "jvmtiAgentLoad",
                "arguments",
                List.of("/tmp/evil.so"))));
        assertRefused(call(Map.of(
                "type",
                "exec",
                "mbean",
                "com.sun.management:type=HotSpotDiagnostic",
                "operation",
                "dumpHeap",
                "arguments",
                List.of("target/it-jolokia/heap.hprof", true))));
        assertThat(Path.of("target/it-jolokia/heap.hprof")).doesNotExist();
        // The Camel context sending to any endpoint: a bean (the settings, DB_PASSWORD) or SQL (a new ADMIN key).
        assertRefused(call(Map.of(
                "type",
                "exec",
                "mbean",
                CONTEXT,
                "operation",
                "requestBody(java.lang.String,java.lang.Object)",
                "arguments",
                List.of("bean:settings?method=text(DB_PASSWORD)", "x"))));
        assertRefused(call(Map.of(
                "type",
                "exec",
                "mbean",
                CONTEXT,
                "operation",
                "sendBody",
                "arguments",
                List.of(
                        "sql:INSERT INTO api_keys (name, key_hash, role) VALUES ('evil', repeat('a', 64), 'ADMIN')",
                        "x"))));
        assertThat(TestDb.count(db, "SELECT count(*) FROM api_keys")).isZero();
        // Changing a route definition or removing one.
        assertRefused(call(Map.of("type", "exec", "mbean", ROUTE, "operation", "remove")));
        assertRefused(call(Map.of(
                "type",
                "exec",
                "mbean",
                CONTEXT,
                "operation",
                "addOrUpdateRoutesFromXml",
                "arguments",
                List.of("<routes/>"))));
        // Writing an attribute.
        assertRefused(
                call(Map.of("type", "write", "mbean", "java.lang:type=Memory", "attribute", "Verbose", "value", true)));
        assertRefused(call(Map.of("type", "write", "mbean", ROUTE, "attribute", "TracingPattern", "value", "*")));
        // Only Camel's and the JVM's MBeans are listed.
        JsonNode list = call(Map.of("type", "list", "config", Map.of("maxDepth", 1)));
        assertThat(list.path("value").fieldNames()).toIterable().containsOnly("org.apache.camel", "java.lang");
        assertThat(TestDb.count(db, "SELECT count(*) FROM api_keys")).isZero();
    }

    @Test
    void theJsr160ProxyIsOffAndNeverConnectsToTheNamedTarget() throws Exception {
        try (ServerSocket rmi = new ServerSocket(0)) {
            JsonNode answer = call(Map.of(
                    "type",
                    "read",
                    "mbean",
                    "java.lang:type=Memory",
                    "attribute",
                    "HeapMemoryUsage",
                    "target",
                    Map.of("url", "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + rmi.getLocalPort() + "/jmxrmi")));
            assertRefused(answer);
            // A lookup would have connected before the answer came back: nothing is waiting to be accepted.
            rmi.setSoTimeout(200);
            try {
                rmi.accept().close();
                throw new AssertionError("the agent connected to the proxy target");
            } catch (SocketTimeoutException expected) {
                // no connection attempt
            }
        }
    }

    @Test
    void aForeignOriginGetsNoCorsGrant() throws Exception {
        HttpResponse<String> r = post("{\"type\":\"version\"}", USER, PASSWORD, "http://evil.example");
        assertThat(r.headers().allValues("Access-Control-Allow-Origin")).doesNotContain("http://evil.example", "*");
        var preflight = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + JOLOKIA_PORT + "/jolokia/"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", "http://evil.example")
                        .header("Access-Control-Request-Method", "POST")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.headers().allValues("Access-Control-Allow-Origin"))
                .doesNotContain("http://evil.example", "*");
        assertThat(preflight.headers().allValues("Access-Control-Allow-Credentials"))
                .doesNotContain("true");
    }

    @Test
    void hawtioCanReadRoutesDrawThemAndStopAndStartOne() throws Exception {
        assertThat(call(Map.of("type", "read", "mbean", ROUTE, "attribute", "State"))
                        .path("value")
                        .asText())
                .isEqualTo("Started");
        assertThat(call(Map.of("type", "read", "mbean", "java.lang:type=Memory", "attribute", "HeapMemoryUsage"))
                        .path("status")
                        .asInt())
                .isEqualTo(200);
        // The route diagram and its counters.
        assertThat(call(Map.of("type", "exec", "mbean", CONTEXT, "operation", "dumpRoutesAsXml()"))
                        .path("value")
                        .asText())
                .contains("ingest-tattile-tcp");
        assertThat(call(Map.of(
                                "type",
                                "exec",
                                "mbean",
                                CONTEXT,
                                "operation",
                                "dumpRoutesStatsAsXml(boolean,boolean)",
                                "arguments",
                                List.of(false, true)))
                        .path("status")
                        .asInt())
                .isEqualTo(200);
        // Stop and start the camera listener, as during a maintenance window.
        assertThat(call(Map.of("type", "exec", "mbean", ROUTE, "operation", "stop()"))
                        .path("status")
                        .asInt())
                .isEqualTo(200);
        assertThat(call(Map.of("type", "read", "mbean", ROUTE, "attribute", "State"))
                        .path("value")
                        .asText())
                .isEqualTo("Stopped");
        await().atMost(Duration.ofSeconds(10)).until(() -> !JarService.listening(PORT));
        assertThat(call(Map.of("type", "exec", "mbean", ROUTE, "operation", "start()"))
                        .path("status")
                        .asInt())
                .isEqualTo(200);
        assertThat(call(Map.of("type", "read", "mbean", ROUTE, "attribute", "State"))
                        .path("value")
                        .asText())
                .isEqualTo("Started");
        await().atMost(Duration.ofSeconds(10)).until(() -> JarService.listening(PORT));
        assertThat(service.log()).doesNotContain(PASSWORD);
    }
}
