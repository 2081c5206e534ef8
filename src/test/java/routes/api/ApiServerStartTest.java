package routes.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import routes.store.ApiKeyRepository;
import routes.store.AuditRepository;
import routes.support.TestDb;

/**
 * The API port opens only when every route is up. Camel starts a context's services (the API server among them)
 * before its routes; a server that listened then answered 404 to every path until the routes had started: CI saw
 * {@code GET /api/municipalities} answer 404 to a script that had waited for the port. Here a route that starts
 * before the API's holds the context's start; while it does, the port must be closed, and once the context is
 * up the API's route must answer.
 */
class ApiServerStartTest {

    static final int PORT = 23397;

    private final HikariDataSource db = TestDb.open();
    private final DefaultCamelContext context = new DefaultCamelContext();
    private final HeldStart held = new HeldStart();

    @AfterEach
    void close() throws Exception {
        held.release.countDown();
        context.close();
        db.close();
    }

    /** A step whose start waits until the test lets it go: the context's start waits with it. */
    static final class HeldStart extends ServiceSupport implements Processor {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        protected void doStart() throws Exception {
            entered.countDown();
            assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
        }

        @Override
        public void process(Exchange exchange) {}
    }

    @Test
    void thePortStaysClosedUntilTheRoutesAreUpThenTheyAnswer() throws Exception {
        ApiGate gate = new ApiGate(
                new ApiAccess(1024),
                new ApiKeyRepository(db),
                new AuditRepository(db),
                new ApiGate.Limits(16, 16, 16, 5_000, 5_000, 5_000, 1_000, 1_000),
                Clock.systemUTC());
        context.addService(new ApiServer("127.0.0.1", PORT, 1024, gate, 10, false), true, true);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:held").routeId("held").startupOrder(1).process(held);
                from("platform-http:/health/live?httpMethodRestrict=GET")
                        .routeId("live")
                        .startupOrder(2)
                        .setBody(constant("{\"status\":\"UP\"}"));
            }
        });

        CompletableFuture<Void> start = CompletableFuture.runAsync(context::start);
        assertThat(held.entered.await(60, TimeUnit.SECONDS))
                .as("the held route is starting")
                .isTrue();
        assertThat(listening()).as("the API port while the routes are starting").isFalse();

        held.release.countDown();
        start.get(60, TimeUnit.SECONDS);
        HttpResponse<String> live = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + "/health/live"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
    }

    private static boolean listening() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", PORT), 2_000);
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }
}
