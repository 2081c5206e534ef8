package routes.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.http.HttpServers;

/**
 * The port of the Windows Lector Vision forwarder ({@code LECTORVISION_PORT}): a small Vert.x HTTP server of its
 * own, since the Camel context has one platform-http server and that one is the API's, behind its API keys.
 * This class owns the server and its connections (caps in all and per address, the header deadline);
 * {@link LectorVisionRequests} checks and reads each request and hands it to the route. Started and stopped
 * with the Camel context.
 */
public final class LectorVisionServer extends ServiceSupport implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(LectorVisionServer.class);

    /** Bounds, from the API_* settings (the API server's own). */
    public record Limits(
            int maxConnections,
            int maxConnectionsPerClient,
            int maxRequestsInProgress,
            long maxBodyBytes,
            long headerTimeoutMillis,
            long idleTimeoutMillis,
            long requestTimeoutMillis) {}

    private final String host;
    private final int port;
    private final SourceAllowList allowed;
    private final Limits limits;
    private final IngestStats stats;
    private final Map<HttpConnection, int[]> requestsSeen = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private CamelContext context;
    private Vertx vertx;
    private HttpServer server;
    private LectorVisionRequests requests;

    /**
     * @param allowed {@code LECTORVISION_ALLOWED_SOURCES}; an empty list lets nobody in (not everybody, unlike the
     *                camera port's)
     */
    public LectorVisionServer(String host, int port, SourceAllowList allowed, Limits limits, IngestStats stats) {
        this.host = host;
        this.port = port;
        this.allowed = allowed;
        this.limits = limits;
        this.stats = stats;
    }

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    /** The port actually bound (the configured one, or the system's choice for 0). */
    public int port() {
        return server != null ? server.actualPort() : port;
    }

    @Override
    protected void doStart() throws Exception {
        // One event loop reads; the pipeline (JSON, database, disk) runs on as many workers as requests may be in
        // progress.
        vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(limits.maxRequestsInProgress())
                .setInternalBlockingPoolSize(1));
        requests = new LectorVisionRequests(context, vertx, allowed, limits, stats);
        requests.start();
        // The API server's options: idle backstop, header size limits, no HTTP/2 upgrade, no compression.
        server = vertx.createHttpServer(HttpServers.options(
                (int) ((limits.idleTimeoutMillis() + limits.requestTimeoutMillis()) / 1000), false));
        server.connectionHandler(this::connected);
        server.requestHandler(request -> {
            int[] seen = requestsSeen.get(request.connection());
            if (seen != null) {
                seen[0]++;
            }
            requests.handle(request);
        });
        try {
            server.listen(port, host).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "LECTORVISION_PORT " + host + ":" + port + " cannot be opened: "
                            + e.getCause().getMessage(),
                    e);
        }
        LOG.info(
                "[INGEST] Puerto Lector Vision en {}:{}: POST /ingest/lectorvision sin clave desde {}",
                host,
                server.actualPort(),
                allowed.allowsAny() ? "ninguna dirección" : allowed);
        if (allowed.allowsAny()) {
            LOG.warn(
                    "[INGEST] LECTORVISION_ALLOWED_SOURCES está vacía: el puerto Lector Vision rechaza todas las peticiones (403)");
        }
    }

    /** A new connection: over a cap it is closed at once; one that sends no complete request in time is closed. */
    private void connected(HttpConnection conn) {
        String client = LectorVisionRequests.host(conn.remoteAddress());
        AtomicInteger mine = perClient.computeIfAbsent(client, c -> new AtomicInteger());
        int all = open.incrementAndGet();
        int fromClient = mine.incrementAndGet();
        int[] seen = {0};
        requestsSeen.put(conn, seen);
        conn.closeHandler(v -> {
            requestsSeen.remove(conn);
            open.decrementAndGet();
            if (mine.decrementAndGet() <= 0) {
                perClient.remove(client, mine);
            }
        });
        if (all > limits.maxConnections() || fromClient > limits.maxConnectionsPerClient()) {
            conn.close();
            return;
        }
        vertx.setTimer(limits.headerTimeoutMillis(), id -> {
            if (seen[0] == 0) {
                conn.close(); // no complete request line and headers in time (slow-loris)
            }
        });
    }

    @Override
    protected void doStop() throws Exception {
        try {
            if (server != null) {
                server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.warn("Lector Vision port did not close cleanly: {}", e.getMessage());
        } finally {
            server = null;
            if (requests != null) {
                requests.stop();
            }
            if (vertx != null) {
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                vertx = null;
            }
        }
    }
}
