package routes.api;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import routes.api.ApiAccess.Resource;
import routes.store.ApiKeyRepository;
import routes.store.ApiKeyRepository.ApiKey;
import routes.store.AuditRepository;

/**
 * The API's front door, in Vert.x before any Camel route and before a byte of the body is read: caps on
 * open connections (in all and per client address) and on requests in progress, a deadline for request
 * headers and for the whole request, the per-client rate limit, the resource table ({@link ApiAccess}: 404,
 * 405), then the API key from the {@code X-API-Key} header only, its role and its rate limit, and only then
 * the body's type and announced size (415 for anything but JSON, 413). Only a request that passes all of
 * that has its body read, up to its resource's limit. The client address is the connection's (or, behind HAProxy, the PROXY protocol
 * header's), never a request header.
 */
public final class ApiGate implements Handler<RoutingContext> {

    public static final String KEY_HEADER = "X-API-Key";

    /**
     * Who is calling: {@code apikey:<name>} with its role (and, for a scoped SOURCE_WRITER key, the cameras it may
     * write for; null: all), or {@code anonymous} on a public resource.
     */
    public record Caller(String actor, String role, UUID keyId, String client, ApiKeyRepository.Scope scope) {}

    /** The limits, from the API_* settings. */
    public record Limits(
            int maxConnections,
            int maxConnectionsPerClient,
            int maxRequestsInProgress,
            long headerTimeoutMillis,
            long idleTimeoutMillis,
            long requestTimeoutMillis,
            int clientRequestsPerMinute,
            int keyRequestsPerMinute) {}

    private static final long TOUCH_MILLIS = 60_000;

    /** What is known of one connection: requests begun and ended, for the header and keep-alive deadlines. */
    private static final class ConnectionState {
        final String client;
        volatile int begun;
        volatile int ended;

        ConnectionState(String client) {
            this.client = client;
        }
    }

    private final ApiAccess access;
    private final ApiKeys keys;
    private final ApiKeyRepository keyRepository;
    private final AuditRepository audit;
    private final Limits limits;
    private final Clock clock;
    private final RateLimiter perClient;
    private final RateLimiter perKey;
    private final Map<String, BodyHandler> bodyHandlers = new ConcurrentHashMap<>();
    private final Map<HttpServerRequest, Caller> callers = new ConcurrentHashMap<>();
    private final Map<HttpConnection, ConnectionState> connections = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> connectionsPerClient = new ConcurrentHashMap<>();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger inProgress = new AtomicInteger();
    private final Map<UUID, Long> touched = new ConcurrentHashMap<>();

    public ApiGate(
            ApiAccess access, ApiKeyRepository keyRepository, AuditRepository audit, Limits limits, Clock clock) {
        this.access = access;
        this.keys = new ApiKeys(keyRepository, clock);
        this.keyRepository = keyRepository;
        this.audit = audit;
        this.limits = limits;
        this.clock = clock;
        this.perClient = new RateLimiter(limits.clientRequestsPerMinute(), 100_000, clock);
        this.perKey = new RateLimiter(limits.keyRequestsPerMinute(), 100_000, clock);
        for (Resource r : access.all()) {
            if (r.hasBody()) {
                bodyHandlers.put(
                        r.path(),
                        BodyHandler.create(false).setBodyLimit(r.maxBodyBytes()).setPreallocateBodyBuffer(false));
            }
        }
    }

    /** The caller the gate let in for this request (the Camel route's {@code api-caller} step reads it). */
    public Optional<Caller> callerOf(HttpServerRequest request) {
        return Optional.ofNullable(request == null ? null : callers.get(request));
    }

    /** Requests let in or being checked now, not yet answered. */
    public int requestsInProgress() {
        return inProgress.get();
    }

    /** Open connections now (for tests and the health report). */
    public int openConnections() {
        return openConnections.get();
    }

    /** A new connection: over a cap it is closed at once; one that sends no complete request in time is closed. */
    public void connected(Vertx vertx, HttpConnection conn) {
        String client = host(conn.remoteAddress());
        AtomicInteger mine = connectionsPerClient.computeIfAbsent(client, c -> new AtomicInteger());
        int all = openConnections.incrementAndGet();
        int fromClient = mine.incrementAndGet();
        ConnectionState state = new ConnectionState(client);
        connections.put(conn, state);
        conn.closeHandler(v -> {
            connections.remove(conn);
            openConnections.decrementAndGet();
            if (mine.decrementAndGet() <= 0) {
                connectionsPerClient.remove(client, mine);
            }
        });
        if (all > limits.maxConnections() || fromClient > limits.maxConnectionsPerClient()) {
            conn.close();
            return;
        }
        vertx.setTimer(limits.headerTimeoutMillis(), id -> {
            if (state.begun == 0) {
                conn.close(); // no complete request line and headers in time (slow-loris)
            }
        });
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        request.pause(); // nothing of the body is read until the request is let in
        ConnectionState state = connections.get(request.connection());
        if (state != null) {
            state.begun++;
        }
        inProgress.incrementAndGet();
        long deadline = ctx.vertx().setTimer(limits.requestTimeoutMillis(), id -> timedOut(ctx));
        ctx.addEndHandler(ar -> {
            inProgress.decrementAndGet();
            ctx.vertx().cancelTimer(deadline);
            callers.remove(request);
            if (state != null) {
                int seen = ++state.ended;
                // Keep-alive: the next request must begin (headers complete) within the idle timeout.
                ctx.vertx().setTimer(limits.idleTimeoutMillis(), id -> {
                    if (state.begun == seen) {
                        request.connection().close();
                    }
                });
            }
        });
        if (inProgress.get() > limits.maxRequestsInProgress()) {
            refuse(ctx, 503, "too many requests in progress, try again", "1");
            return;
        }
        String client = state != null ? state.client : host(request.remoteAddress());
        long wait = perClient.acquire(client);
        if (wait > 0) {
            refuse(ctx, 429, "rate limit exceeded", String.valueOf(wait));
            return;
        }
        String path = ctx.normalizedPath();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        Optional<Resource> found = access.at(path);
        if (found.isEmpty()) {
            refuse(ctx, 404, "no such resource", null);
            return;
        }
        Resource resource = found.get();
        if (!resource.method().equals(request.method().name())) {
            ctx.response().putHeader(HttpHeaders.ALLOW, resource.method());
            refuse(ctx, 405, "use " + resource.method(), null);
            return;
        }
        if (resource.isPublic()) {
            admit(ctx, resource, new Caller("anonymous", null, null, client, null));
            return;
        }
        var sent = request.headers().getAll(KEY_HEADER);
        if (sent.size() != 1 || sent.get(0).isBlank()) {
            refuse(
                    ctx,
                    401,
                    sent.isEmpty() ? "missing " + KEY_HEADER + " header" : "one " + KEY_HEADER + " header, please",
                    null);
            return;
        }
        String raw = sent.get(0).strip();
        String action = request.method().name() + " " + path;
        ctx.vertx()
                .executeBlocking(() -> authorize(raw, resource, action, client), false)
                .onComplete(ar -> {
                    if (ctx.response().ended()) {
                        return;
                    }
                    if (ar.failed()) {
                        ctx.response().putHeader("Retry-After", "10");
                        refuse(ctx, 503, "database unavailable", null);
                    } else if (ar.result().status() != 200) {
                        Decision d = ar.result();
                        refuse(ctx, d.status(), d.reason(), d.retryAfter());
                    } else {
                        admit(ctx, resource, ar.result().caller());
                    }
                });
    }

    private record Decision(int status, String reason, String retryAfter, Caller caller) {
        static Decision refused(int status, String reason) {
            return new Decision(status, reason, null, null);
        }
    }

    /** Blocking: the key, its role, its rate limit; key use and refusals by role go to the audit log. */
    private Decision authorize(String raw, Resource resource, String action, String client) throws SQLException {
        Optional<ApiKeys.Found> found = keys.find(raw);
        if (found.isEmpty()) {
            return Decision.refused(401, "unknown or revoked API key");
        }
        ApiKey key = found.get().key();
        String actor = "apikey:" + key.name();
        if (!resource.roles().contains(key.role())) {
            audit.record(actor, action, null, "FORBIDDEN", client, "role " + key.role());
            return Decision.refused(403, "role " + key.role() + " may not use this resource");
        }
        long wait = perKey.acquire(key.id().toString());
        if (wait > 0) {
            return new Decision(429, "rate limit exceeded", String.valueOf(wait), null);
        }
        long now = clock.millis();
        Long last = touched.get(key.id());
        if (last == null || now - last > TOUCH_MILLIS) {
            // Key use is recorded (last_used_at and an audit row) at most once a minute per key, not per request.
            touched.put(key.id(), now);
            keyRepository.touch(key.id());
            audit.record(actor, action, null, "KEY_USED", client, "role " + key.role());
        }
        return new Decision(
                200,
                null,
                null,
                new Caller(actor, key.role(), key.id(), client, found.get().scope()));
    }

    /**
     * Let in: the body's type and announced size are checked (415, 413), the caller remembered, then the body
     * read (up to the resource's limit, 413 beyond) and the request goes on to its route.
     */
    private void admit(RoutingContext ctx, Resource resource, Caller caller) {
        String problem = bodyProblem(ctx.request(), resource);
        if (problem != null) {
            refuse(ctx, problem.startsWith("415") ? 415 : 413, problem.substring(4), null);
            return;
        }
        callers.put(ctx.request(), caller);
        BodyHandler body = bodyHandlers.get(resource.path());
        if (body != null) {
            body.handle(ctx); // resumes the request, reads at most maxBodyBytes (413 beyond), then ctx.next()
        } else {
            ctx.request().resume();
            ctx.next();
        }
    }

    /** Why this request's body cannot be taken ("415 …" or "413 …"), or null. */
    private static String bodyProblem(HttpServerRequest request, Resource resource) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        boolean chunked = request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        long declared;
        try {
            declared = length == null ? (chunked ? -1 : 0) : Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return "413 bad Content-Length";
        }
        if (!resource.hasBody()) {
            return declared == 0 ? null : "413 this resource takes no body";
        }
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null) {
            String mime = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!mime.equals("application/json") && !mime.endsWith("+json")) {
                return "415 send JSON (Content-Type: application/json)";
            }
        }
        if (declared > resource.maxBodyBytes()) {
            return "413 body larger than " + resource.maxBodyBytes() + " bytes";
        }
        return null;
    }

    private void timedOut(RoutingContext ctx) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        if (ctx.response().headWritten()) {
            ctx.request().connection().close();
        } else {
            refuse(ctx, 408, "request not completed in " + limits.requestTimeoutMillis() / 1000 + " s", null);
        }
    }

    /** A JSON refusal; the connection is closed after it, so an unread body is never read. */
    private static void refuse(RoutingContext ctx, int status, String reason, String retryAfter) {
        var response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        if (retryAfter != null) {
            response.putHeader("Retry-After", retryAfter);
        }
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(ApiErrors.json(reason))
                .onComplete(done -> ctx.request().connection().close());
    }

    static String host(SocketAddress address) {
        if (address == null) {
            return "unknown";
        }
        String h = address.hostAddress();
        return h == null ? address.host() : h;
    }
}
