package routes.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.BeanInject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.TattileConfiguration;
import routes.store.ApiKeyRepository;
import routes.support.RawHttp;
import routes.support.TestDb;

/**
 * The API's front door on a real port, as a hostile client would try it over raw sockets: nothing of a body
 * is read before the key and role are checked, the key only counts in {@code X-API-Key}, form bodies are
 * refused, the client address is the connection's whatever the request says, and connections, requests in
 * progress, headers and bodies all have limits. Each test speaks from its own loopback address (127.0.0.x),
 * so the per-address limits of one do not touch another.
 */
@CamelMainTest(
        configurationClasses = TattileConfiguration.class,
        properties = {
            TestDb.HOST_PROPERTY,
            TestDb.NAME_PROPERTY,
            TestDb.USER_PROPERTY,
            TestDb.PASSWORD_PROPERTY,
            "TATTILE_FLOWS=ingest,api",
            "TRANSIT_PORT=23338",
            "API_PORT=" + ApiGateTest.PORT,
            "API_MAX_BODY_BYTES=" + ApiGateTest.MAX_BODY,
            "IMAGES_BASE_DIR=target/it-images/api-gate",
            "API_IP_RATE_LIMIT_PER_MINUTE=30",
            "API_RATE_LIMIT_PER_MINUTE=1000",
            "API_MAX_CONNECTIONS_PER_CLIENT=8",
            "API_MAX_REQUESTS_IN_PROGRESS=2",
            "API_HEADER_TIMEOUT_SECONDS=1",
            "API_IDLE_TIMEOUT_SECONDS=2",
            "API_REQUEST_TIMEOUT_SECONDS=2"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiGateTest {

    static final int PORT = 23391;
    static final int MAX_BODY = 128 * 1024;
    static final int WAIT = 5_000;

    @BeanInject("apiGate")
    ApiGate gate;

    private final HikariDataSource db = TestDb.open();
    private String admin;
    private String writer;
    private String reader;

    @BeforeAll
    void keys() throws Exception {
        TestDb.reset(db);
        ApiKeyRepository keys = new ApiKeyRepository(db);
        admin = keys.create("gate-admin", "ADMIN");
        writer = keys.create("gate-writer", "SOURCE_WRITER");
        reader = keys.create("gate-reader", "READ_ONLY");
    }

    /**
     * A previous test's requests end when the gate sees their connections close, which it does on its own time: wait
     * for that, or a request here could find the API_MAX_REQUESTS_IN_PROGRESS cap still taken (503).
     */
    @BeforeEach
    void previousRequestsEnded() {
        await().atMost(Duration.ofSeconds(30)).until(() -> gate.requestsInProgress() == 0);
    }

    @AfterAll
    void close() {
        db.close();
    }

    private static String post(String path, String headers, long contentLength) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + headers
                + "Content-Length: " + contentLength + "\r\n\r\n";
    }

    /** The answer to a request whose body has not been sent at all: it came without reading one, then the connection closed. */
    private static RawHttp.Response answeredWithoutTheBody(String from, String request) throws Exception {
        try (RawHttp c = new RawHttp(from, PORT)) {
            c.send(request); // an 8 MB body is announced and never sent
            RawHttp.Response r = c.read(WAIT);
            assertThat(c.closedByServer(WAIT))
                    .as("the connection is closed, so the body is never read")
                    .isTrue();
            return r;
        }
    }

    @Test
    void aRequestWithoutAValidKeyOrRoleIsRefusedBeforeAByteOfItsBodyIsRead() throws Exception {
        long eightMegabytes = 8L * 1024 * 1024;
        assertThat(answeredWithoutTheBody("127.0.0.11", post("/ingest/lectorvision", "", eightMegabytes))
                        .status())
                .isEqualTo(401);
        assertThat(answeredWithoutTheBody(
                                "127.0.0.11", post("/ingest/lectorvision", "X-API-Key: tsk_guess\r\n", eightMegabytes))
                        .status())
                .isEqualTo(401);
        assertThat(answeredWithoutTheBody(
                                "127.0.0.11",
                                post("/ingest/lectorvision", "X-API-Key: " + reader + "\r\n", eightMegabytes))
                        .status())
                .as("a READ_ONLY key may not send readings")
                .isEqualTo(403);
        assertThat(answeredWithoutTheBody(
                                "127.0.0.11", post("/api/municipalities/add", "X-API-Key: " + writer + "\r\n", 100))
                        .status())
                .isEqualTo(403);
        RawHttp.Response tooLarge = answeredWithoutTheBody(
                "127.0.0.11", post("/ingest/lectorvision", "X-API-Key: " + writer + "\r\n", eightMegabytes));
        assertThat(tooLarge.status())
                .as("a valid key, but more than API_MAX_BODY_BYTES announced")
                .isEqualTo(413);
        assertThat(answeredWithoutTheBody(
                                "127.0.0.11",
                                post(
                                        "/api/municipalities/add",
                                        "X-API-Key: " + admin + "\r\n",
                                        ApiAccess.ADMIN_JSON_MAX_BYTES + 1))
                        .status())
                .as("admin JSON is limited to 64 KiB")
                .isEqualTo(413);
    }

    @Test
    void aChunkedBodyOverTheLimitIsCutAt413() throws Exception {
        try (RawHttp c = new RawHttp("127.0.0.12", PORT)) {
            c.send("POST /api/municipalities/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-API-Key: "
                    + admin + "\r\nTransfer-Encoding: chunked\r\n\r\n");
            byte[] chunk = ("4000\r\n" + "x".repeat(0x4000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                for (int i = 0; i < 8; i++) { // 128 KiB, twice the limit
                    c.send(chunk);
                }
            } catch (IOException closedUnderUs) {
                // the server may close while we still write
            }
            assertThat(c.read(WAIT).status()).isEqualTo(413);
        }
        assertThat(TestDb.count(db, "SELECT count(*) FROM municipalities")).isZero();
    }

    @Test
    void theKeyCountsOnlyInTheXApiKeyHeaderAndFormBodiesAre415() throws Exception {
        try (RawHttp c = new RawHttp("127.0.0.13", PORT)) {
            c.send("GET /api/municipalities?X-API-Key=" + admin + "&api_key=" + admin + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read(WAIT).status()).as("key in the query string").isEqualTo(401);
        }
        try (RawHttp c = new RawHttp("127.0.0.13", PORT)) {
            c.send("GET /api/municipalities HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin + "\r\n\r\n");
            assertThat(c.read(WAIT).status()).as("key as a bearer token").isEqualTo(401);
        }
        String form = "X-API-Key=" + admin + "&name=Forged";
        try (RawHttp c = new RawHttp("127.0.0.13", PORT)) {
            c.send(
                    "POST /api/municipalities/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                            + form.length() + "\r\n\r\n" + form);
            assertThat(c.read(WAIT).status()).as("key in a form field").isIn(401, 415);
        }
        try (RawHttp c = new RawHttp("127.0.0.13", PORT)) {
            c.send("POST /api/municipalities/add HTTP/1.1\r\nHost: x\r\nX-API-Key: " + admin
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length()
                    + "\r\n\r\n" + form);
            assertThat(c.read(WAIT).status())
                    .as("a form body, even with a good key")
                    .isEqualTo(415);
        }
        try (RawHttp c = new RawHttp("127.0.0.13", PORT)) {
            String multipart = "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nForged\r\n--b--\r\n";
            c.send("POST /api/municipalities/add HTTP/1.1\r\nHost: x\r\nX-API-Key: " + admin
                    + "\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: " + multipart.length()
                    + "\r\n\r\n" + multipart);
            assertThat(c.read(WAIT).status()).isEqualTo(415);
        }
        assertThat(TestDb.count(db, "SELECT count(*) FROM municipalities WHERE name = 'Forged'"))
                .isZero();
    }

    @Test
    void theClientAddressIsTheConnectionsWhateverTheRequestSays() throws Exception {
        String body = "{\"name\":\"Addressed\"}";
        try (RawHttp c = new RawHttp("127.0.0.14", PORT)) {
            c.send("POST /api/municipalities/add?CamelVertxPlatformHttpRemoteAddress=6.6.6.6 HTTP/1.1\r\nHost: x\r\n"
                    + "X-API-Key: " + admin
                    + "\r\nX-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\n"
                    + "CamelVertxPlatformHttpRemoteAddress: 6.6.6.6:1\r\nCamelHttpPath: /forged\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            assertThat(c.read(WAIT).status()).isEqualTo(201);
        }
        assertThat(
                        TestDb.text(
                                db,
                                "SELECT client_ip || ' ' || action FROM audit_log WHERE outcome = 'OK' AND target = 'municipality'"))
                .isEqualTo("127.0.0.14 POST /api/municipalities/add");
        assertThat(TestDb.count(
                        db,
                        "SELECT count(*) FROM audit_log WHERE client_ip LIKE '%6.6.6.6%' OR action LIKE '%forged%'"))
                .isZero();
    }

    @Test
    void aForgedAddressDoesNotEscapeThePerAddressRateLimit() throws Exception {
        int ok = 0;
        int limited = 0;
        for (int i = 0; i < 31; i++) {
            try (RawHttp c = new RawHttp("127.0.0.15", PORT)) {
                c.send("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.0.0." + i
                        + "\r\nCamelVertxPlatformHttpRemoteAddress: 10.0.0." + i + ":1\r\n\r\n");
                int status = c.read(WAIT).status();
                ok += status == 200 ? 1 : 0;
                limited += status == 429 ? 1 : 0;
            }
        }
        assertThat(ok).isEqualTo(30);
        assertThat(limited).isEqualTo(1);
        try (RawHttp other = new RawHttp("127.0.0.16", PORT)) {
            assertThat(other.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
                            .read(WAIT)
                            .status())
                    .as("another address")
                    .isEqualTo(200);
        }
    }

    @Test
    void aConnectionThatTricklesItsHeadersIsClosedAtTheHeaderDeadline() throws Exception {
        try (RawHttp slow = new RawHttp("127.0.0.17", PORT)) {
            // One byte every 300 ms: never idle long enough for the idle timeout, only the header deadline stops it.
            byte[] head = "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
                    .getBytes();
            boolean closed = false;
            for (int i = 0; i < head.length && !closed; i++) {
                try {
                    slow.send(new byte[] {head[i]});
                    closed = slow.closedByServer(300);
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertThat(closed)
                    .as("closed at API_HEADER_TIMEOUT_SECONDS while still trickling")
                    .isTrue();
        }
        try (RawHttp silent = new RawHttp("127.0.0.17", PORT)) {
            assertThat(silent.closedByServer(WAIT))
                    .as("a connection that sends nothing")
                    .isTrue();
        }
    }

    @Test
    void aKeptAliveConnectionMustBeginItsNextRequestInTime() throws Exception {
        try (RawHttp c = new RawHttp("127.0.0.18", PORT)) {
            assertThat(c.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
                            .read(WAIT)
                            .status())
                    .isEqualTo(200);
            c.send("GET /health/live HTTP/1.1\r\n"); // a second request begun, never finished
            assertThat(c.closedByServer(WAIT))
                    .as("closed after API_IDLE_TIMEOUT_SECONDS")
                    .isTrue();
        }
    }

    @Test
    void connectionsPerClientAddressAreCapped() throws Exception {
        List<RawHttp> open = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                open.add(new RawHttp("127.0.0.19", PORT));
            }
            try (RawHttp ninth = new RawHttp("127.0.0.19", PORT)) {
                ninth.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(ninth.closedByServer(WAIT))
                        .as("the ninth connection of one address")
                        .isTrue();
            }
            try (RawHttp other = new RawHttp("127.0.0.20", PORT)) {
                assertThat(other.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
                                .read(WAIT)
                                .status())
                        .as("another address")
                        .isEqualTo(200);
            }
        } finally {
            for (RawHttp c : open) {
                c.close();
            }
        }
    }

    @Test
    void aBodyThatDoesNotArriveInTimeGets408() throws Exception {
        try (RawHttp c = new RawHttp("127.0.0.21", PORT)) {
            c.send(post("/ingest/lectorvision", "X-API-Key: " + writer + "\r\n", 1000))
                    .send("{\"Plate\":");
            RawHttp.Response r = c.read(WAIT);
            assertThat(r.status()).as("API_REQUEST_TIMEOUT_SECONDS").isEqualTo(408);
            assertThat(c.closedByServer(WAIT)).isTrue();
        }
    }

    @Test
    void requestsInProgressAreCappedWith503AndRetryAfter() throws Exception {
        try (RawHttp first = new RawHttp("127.0.0.22", PORT);
                RawHttp second = new RawHttp("127.0.0.23", PORT)) {
            // Two requests in progress: their bodies are still arriving.
            first.send(post("/ingest/lectorvision", "X-API-Key: " + writer + "\r\n", 1000))
                    .send("{");
            second.send(post("/ingest/lectorvision", "X-API-Key: " + writer + "\r\n", 1000))
                    .send("{");
            await().atMost(Duration.ofSeconds(2)).until(() -> gate.requestsInProgress() == 2);
            try (RawHttp third = new RawHttp("127.0.0.24", PORT)) {
                RawHttp.Response r = third.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
                        .read(WAIT);
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("Retry-After")).isEqualTo("1");
            }
        }
    }

    @Test
    void unknownResourcesAre404AndWrongMethods405() throws Exception {
        try (RawHttp c = new RawHttp("127.0.0.25", PORT)) {
            assertThat(c.send("GET /etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n")
                            .read(WAIT)
                            .status())
                    .isEqualTo(404);
        }
        try (RawHttp c = new RawHttp("127.0.0.25", PORT)) {
            RawHttp.Response r = c.send(
                            "DELETE /api/municipalities HTTP/1.1\r\nHost: x\r\nX-API-Key: " + admin + "\r\n\r\n")
                    .read(WAIT);
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("Allow")).isEqualTo("GET");
        }
    }
}
