package routes.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ServiceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on the Lector Vision forwarder's port, on the event loop: the sender's address against
 * {@code LECTORVISION_ALLOWED_SOURCES} (403), the path (404) and method (405), the requests in progress (503), the
 * announced and the actual body size (413), then the body goes, off the event loop, to the route
 * {@code direct:lectorvision-port} (lectorvision.yaml), whose status and JSON are the answer. A refused request is
 * answered and its connection closed, so an unread body is never read.
 *
 * <p>The forwarder ({@code Sender/lectorvision_service.py}) drops a reading on any 4xx but 429 and retries on 5xx
 * and on a connection that fails: so a request that does not complete in time is cut without an answer (never a
 * 408), and anything unexpected is a 500.
 */
final class LectorVisionRequests {

    static final String PATH = "/ingest/lectorvision";
    /** The Camel header with the sender's address (the connection's, never a request header). */
    static final String SOURCE_HEADER = "LectorVisionSource";

    static final String ROUTE_ID = "ingest-lectorvision-port";
    /** Fails at once when the route is not running (never waits for it, as {@code direct:} does by default). */
    private static final String ROUTE = "direct:lectorvision-port?block=false";

    private static final long NOT_RUNNING_LOG_INTERVAL_MILLIS = 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(LectorVisionRequests.class);

    private final CamelContext context;
    private final Vertx vertx;
    private final SourceAllowList allowed;
    private final LectorVisionServer.Limits limits;
    private final IngestStats stats;
    private final AtomicInteger inProgress = new AtomicInteger();
    private final AtomicLong notRunningLogged = new AtomicLong();
    private ProducerTemplate template;

    LectorVisionRequests(
            CamelContext context,
            Vertx vertx,
            SourceAllowList allowed,
            LectorVisionServer.Limits limits,
            IngestStats stats) {
        this.context = context;
        this.vertx = vertx;
        this.allowed = allowed;
        this.limits = limits;
        this.stats = stats;
    }

    void start() {
        template = context.createProducerTemplate();
    }

    void stop() throws Exception {
        if (template != null) {
            template.stop();
        }
    }

    void handle(HttpServerRequest request) {
        request.pause(); // nothing of the body is read until the request is let in
        String client = host(request.remoteAddress());
        HttpServerResponse response = request.response();
        if (allowed.allowsAny() || !allowed.allows(client)) {
            stats.rejected(Rejection.SOURCE_NOT_ALLOWED);
            LOG.warn(
                    "[INGEST] Lector Vision: petición de {} rechazada (403): {}",
                    client,
                    allowed.allowsAny()
                            ? "LECTORVISION_ALLOWED_SOURCES está vacía"
                            : "la dirección no está en LECTORVISION_ALLOWED_SOURCES");
            refuse(request, 403, "source address not allowed");
            return;
        }
        String path = request.path();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (!PATH.equals(path)) {
            LOG.warn("[INGEST] Lector Vision: petición de {} rechazada (404): ruta distinta de POST {}", client, PATH);
            refuse(request, 404, "no such resource: use POST " + PATH);
            return;
        }
        if (request.method() != HttpMethod.POST) {
            LOG.warn(
                    "[INGEST] Lector Vision: petición de {} rechazada (405): método {} en {}",
                    client,
                    request.method().name(),
                    PATH);
            response.putHeader(HttpHeaders.ALLOW, "POST");
            refuse(request, 405, "use POST");
            return;
        }
        AtomicBoolean finished = new AtomicBoolean();
        inProgress.incrementAndGet();
        Runnable finish = () -> {
            if (finished.compareAndSet(false, true)) {
                inProgress.decrementAndGet();
            }
        };
        response.endHandler(v -> finish.run());
        response.closeHandler(v -> finish.run());
        if (inProgress.get() > limits.maxRequestsInProgress()) {
            response.putHeader("Retry-After", "1");
            refuse(request, 503, "too many requests in progress, try again");
            return;
        }
        if (!routeRunning()) {
            response.putHeader("Retry-After", "10");
            refuse(request, 503, "not accepting readings now, try again");
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        long declared;
        try {
            declared = length == null ? -1 : Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            refuse(request, 400, "bad Content-Length");
            return;
        }
        if (declared > limits.maxBodyBytes()) {
            tooLarge(request, client);
            return;
        }
        long deadline = timer(request, client);
        Buffer body = Buffer.buffer((int) Math.max(0, Math.min(declared, limits.maxBodyBytes())));
        request.handler(chunk -> {
            if (response.ended() || response.closed()) {
                return;
            }
            if (body.length() + chunk.length() > limits.maxBodyBytes()) {
                tooLarge(request, client);
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(e -> request.connection().close());
        request.endHandler(v -> {
            if (!response.ended() && !response.closed()) {
                dispatch(request, client, body.getBytes(), deadline);
            }
        });
        request.resume();
    }

    /** The body to the route, on a worker; its status and JSON back to the forwarder. */
    private void dispatch(HttpServerRequest request, String client, byte[] body, long deadline) {
        vertx.executeBlocking(
                        () -> template.send(ROUTE, exchange -> {
                            exchange.getIn().setBody(body);
                            exchange.getIn().setHeader(SOURCE_HEADER, client);
                        }),
                        false)
                .onComplete(ar -> {
                    vertx.cancelTimer(deadline);
                    HttpServerResponse response = request.response();
                    if (response.ended() || response.closed()) {
                        return;
                    }
                    Throwable failure = ar.failed() ? ar.cause() : ar.result().getException();
                    if (failure != null) {
                        LOG.error(
                                "[INGEST] Lector Vision: error inesperado con la petición de {} (respondido 500, el reenviador la reintentará): {}",
                                client,
                                LectorVisionAnswers.safe(failure));
                        answer(response, 500, LectorVisionAnswers.json("unexpected error, try again"), null);
                        return;
                    }
                    var message = ar.result().getMessage();
                    answer(
                            response,
                            message.getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class),
                            message.getBody(String.class),
                            message.getHeader("Retry-After", String.class));
                });
    }

    /**
     * The route runs: not while the service starts or stops (the port opens before the routes start and closes after
     * they stop), nor while an operator holds it (Hawtio/JMX), nor when lectorvision.yaml was left out. Then 503, so
     * the forwarder keeps its readings; one line a minute says so.
     */
    private boolean routeRunning() {
        ServiceStatus status = context.getRouteController().getRouteStatus(ROUTE_ID);
        if (status != null && status.isStarted()) {
            return true;
        }
        long now = System.currentTimeMillis();
        long last = notRunningLogged.get();
        if (now - last >= NOT_RUNNING_LOG_INTERVAL_MILLIS && notRunningLogged.compareAndSet(last, now)) {
            LOG.warn(
                    "[INGEST] Lector Vision: la ruta {} no está en marcha ({}): se responde 503 y el reenviador reintentará",
                    ROUTE_ID,
                    status == null ? "no cargada: falta lectorvision.yaml" : status);
        }
        return false;
    }

    /** A request not received and answered in time: cut without an answer, so the forwarder keeps and retries it. */
    private long timer(HttpServerRequest request, String client) {
        return vertx.setTimer(limits.requestTimeoutMillis(), id -> {
            if (!request.response().ended() && !request.response().closed()) {
                LOG.warn(
                        "[INGEST] Lector Vision: petición de {} sin completar en {} s: conexión cerrada sin respuesta",
                        client,
                        limits.requestTimeoutMillis() / 1000);
                request.connection().close();
            }
        });
    }

    private void tooLarge(HttpServerRequest request, String client) {
        stats.rejected(Rejection.FRAME_TOO_LARGE);
        LOG.warn(
                "[INGEST] Lector Vision: lectura de {} rechazada (413): más de {} bytes (API_MAX_BODY_BYTES)",
                client,
                limits.maxBodyBytes());
        refuse(request, 413, "body larger than " + limits.maxBodyBytes() + " bytes");
    }

    private static Future<Void> answer(HttpServerResponse response, int status, String json, String retryAfter) {
        if (retryAfter != null) {
            response.putHeader("Retry-After", retryAfter);
        }
        return response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(json == null ? "" : json);
    }

    /** A JSON refusal; the connection is closed after it, so an unread body is never read. */
    private static void refuse(HttpServerRequest request, int status, String reason) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.putHeader(HttpHeaders.CONNECTION, "close");
        answer(response, status, LectorVisionAnswers.json(reason), null)
                .onComplete(done -> request.connection().close());
    }

    static String host(SocketAddress address) {
        if (address == null) {
            return "unknown";
        }
        String h = address.hostAddress();
        return h == null ? address.host() : h;
    }
}
