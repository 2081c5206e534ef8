package routes.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.TattileConfiguration;
import routes.store.ApiKeyRepository;
import routes.support.RawHttp;
import routes.support.TestDb;

/**
 * The API behind HAProxy (API_PROXY_PROTOCOL=true): the client address is the one the PROXY protocol header
 * carries, for the audit and the per-address limits; a connection without the header is not served.
 */
@CamelMainTest(
        configurationClasses = TattileConfiguration.class,
        properties = {
            TestDb.HOST_PROPERTY,
            TestDb.NAME_PROPERTY,
            TestDb.USER_PROPERTY,
            TestDb.PASSWORD_PROPERTY,
            "TATTILE_FLOWS=api",
            "API_PORT=" + ApiProxyProtocolTest.PORT,
            "API_PROXY_PROTOCOL=true",
            "API_IP_RATE_LIMIT_PER_MINUTE=2"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiProxyProtocolTest {

    static final int PORT = 23393;

    private final HikariDataSource db = TestDb.open();
    private String admin;

    @BeforeAll
    void key() throws Exception {
        TestDb.reset(db);
        admin = new ApiKeyRepository(db).create("proxy-admin", "ADMIN");
    }

    @AfterAll
    void close() {
        db.close();
    }

    private static String proxied(String client, String request) {
        return "PROXY TCP4 " + client + " 127.0.0.1 40000 " + PORT + "\r\n" + request;
    }

    @Test
    void theClientAddressIsTheOneThePROXYHeaderCarries() throws Exception {
        String body = "{\"name\":\"Behind HAProxy\"}";
        try (RawHttp c = new RawHttp("127.0.0.1", PORT)) {
            c.send(proxied(
                    "203.0.113.7",
                    "POST /api/municipalities/add HTTP/1.1\r\nHost: x\r\nX-API-Key: " + admin
                            + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
                            + body));
            assertThat(c.read(5000).status()).isEqualTo(201);
        }
        assertThat(TestDb.text(db, "SELECT client_ip FROM audit_log WHERE target = 'municipality'"))
                .isEqualTo("203.0.113.7");
    }

    @Test
    void thePerAddressLimitCountsTheProxiedAddresses() throws Exception {
        for (int i = 0; i < 2; i++) {
            try (RawHttp c = new RawHttp("127.0.0.1", PORT)) {
                assertThat(c.send(proxied("198.51.100.1", "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"))
                                .read(5000)
                                .status())
                        .isEqualTo(200);
            }
        }
        try (RawHttp c = new RawHttp("127.0.0.1", PORT)) {
            assertThat(c.send(proxied("198.51.100.1", "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"))
                            .read(5000)
                            .status())
                    .isEqualTo(429);
        }
        try (RawHttp c = new RawHttp("127.0.0.1", PORT)) {
            assertThat(c.send(proxied("198.51.100.2", "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"))
                            .read(5000)
                            .status())
                    .as("another client behind the same proxy")
                    .isEqualTo(200);
        }
    }

    @Test
    void aConnectionWithoutThePROXYHeaderIsNotServed() throws Exception {
        try (RawHttp c = new RawHttp("127.0.0.1", PORT)) {
            c.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.closedByServer(5000)).isTrue();
        }
    }
}
