package routes.api;

import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.http.HttpServers;

/**
 * The HTTP server the {@code platform-http} routes of {@code api.yaml} run on: Camel's Vert.x server with
 * the {@link ApiGate} in front of every route and server options Camel does not expose (idle timeout,
 * header size limits, no HTTP/2 upgrade, no compression, optional PROXY protocol). It replaces
 * {@code camel.server.*}, so the service and the tests start the API the same way, from the API_* settings.
 *
 * <p>It listens once the Camel context has fully started, not when the context starts its services: those start
 * before the routes, and in between every path would answer 404 (a load balancer's health check, or a script
 * that waits for the port and then calls /api/..., would see a service without its API). Until then the port is
 * closed, as the camera port is until its route starts. Added to a context that has already started, it listens
 * at once.
 */
public final class ApiServer extends VertxPlatformHttpServer implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final VertxPlatformHttpServerConfiguration configuration;
    private final ApiGate gate;
    private final HttpServerOptions options;
    private VertxPlatformHttpRouter router;
    private HttpServer server;
    private volatile boolean listening;

    public ApiServer(
            String host, int port, long maxBodyBytes, ApiGate gate, int idleTimeoutSeconds, boolean proxyProtocol) {
        this(configuration(host, port, maxBodyBytes), gate, HttpServers.options(idleTimeoutSeconds, proxyProtocol));
    }

    private ApiServer(VertxPlatformHttpServerConfiguration configuration, ApiGate gate, HttpServerOptions options) {
        super(configuration);
        this.configuration = configuration;
        this.gate = gate;
        this.options = options;
    }

    private static VertxPlatformHttpServerConfiguration configuration(String host, int port, long maxBodyBytes) {
        VertxPlatformHttpServerConfiguration c = new VertxPlatformHttpServerConfiguration();
        c.setMaxBodySize(maxBodyBytes); // the gate reads bodies first, each with its resource's own (smaller) limit
        c.setBindHost(host);
        c.setBindPort(port);
        c.setServerType(VertxPlatformHttpRouter.SERVER_TYPE_SERVER);
        return c;
    }

    @Override
    protected void initializeServer() {
        super.initializeServer();
        // Camel's platform-http engine names the router its consumers join after the server's port. It asks the
        // listening server first; this one listens only after the routes have started, so the engine finds the
        // port in this configuration instead.
        getCamelContext().getRegistry().bind("apiServerConfiguration", configuration);
        router = VertxPlatformHttpRouter.lookup(
                getCamelContext(), VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getPort()));
        // Before every route a consumer adds: nothing reaches Camel (or reads a body) without passing the gate.
        router.route().order(Integer.MIN_VALUE).handler(gate);
        router.errorHandler(
                413,
                ctx -> ctx.response()
                        .setStatusCode(413)
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Connection", "close")
                        .end(ApiErrors.json("body too large")));
    }

    @Override
    protected void startServer() throws Exception {
        server = getVertx().createHttpServer(options);
        server.connectionHandler(conn -> gate.connected(getVertx(), conn));
        server.requestHandler(router);
        if (getCamelContext().isStarted()) {
            listen();
        } else {
            getCamelContext().addStartupListener(this); // a second registration is harmless: listen() runs once
        }
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {}

    /** Every route is up, the API's included. */
    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) throws Exception {
        if (server != null && !listening) {
            listen();
        }
    }

    private void listen() throws Exception {
        server.listen(configuration.getBindPort(), configuration.getBindHost())
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        listening = true;
        LOG.info("HTTP API on {}:{}", configuration.getBindHost(), server.actualPort());
    }

    @Override
    protected void stopServer() {
        if (server != null) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("HTTP API did not close cleanly: {}", e.getMessage());
            } finally {
                server = null;
                listening = false;
            }
        }
    }

    /** Vert.x was created for this server (no Vertx is bound in the registry): it closes with it. */
    @Override
    protected void stopVertx() {
        if (getVertx() != null) {
            try {
                getVertx().close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("Vert.x did not close cleanly: {}", e.getMessage());
            }
        }
    }

    @Override
    public HttpServer getServer() {
        return server;
    }

    @Override
    public int getPort() {
        return listening ? server.actualPort() : configuration.getBindPort();
    }
}
