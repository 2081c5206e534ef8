package routes.api;

import java.sql.SQLException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import routes.store.ApiKeyRepository;
import routes.store.ApiKeyRepository.ApiKey;
import routes.store.AuditRepository;

/**
 * API keys in {@code X-API-Key}: no key or an unknown (or revoked) one is 401, a key whose role may not
 * use the resource is 403. Lookups are cached for a few seconds (a revocation takes effect within
 * that time); its use is recorded ({@code last_used_at} and an audit row) at most once a minute per key.
 * Changes and refusals by role are audited.
 */
public final class ApiGuard {

    public static final String KEY_HEADER = "X-API-Key";
    public static final String CALLER_PROPERTY = "apiCaller";
    private static final long CACHE_MILLIS = 5_000;
    private static final long TOUCH_MILLIS = 60_000;
    private static final int MAX_CACHED = 10_000;

    private record Cached(Optional<ApiKey> key, long at) {
    }

    private final ApiKeyRepository keys;
    private final AuditRepository audit;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<java.util.UUID, Long> touched = new ConcurrentHashMap<>();

    public ApiGuard(ApiKeyRepository keys, AuditRepository audit, Clock clock) {
        this.keys = keys;
        this.audit = audit;
        this.clock = clock;
    }

    /** Lets the request through if its key has one of {@code roles} (comma separated); else throws 401/403. */
    public void require(Exchange exchange, String roles) throws SQLException {
        String raw = exchange.getMessage().getHeader(KEY_HEADER, String.class);
        if (raw == null || raw.isBlank()) {
            throw new ApiException(401, "missing " + KEY_HEADER + " header");
        }
        ApiKey key = lookup(raw.strip()).orElseThrow(() -> new ApiException(401, "unknown or revoked API key"));
        Set<String> allowed = Arrays.stream(roles.split(",")).map(String::strip).collect(Collectors.toSet());
        exchange.setProperty(CALLER_PROPERTY, "apikey:" + key.name());
        if (!allowed.contains(key.role())) {
            audit.record("apikey:" + key.name(), action(exchange), null, "FORBIDDEN", client(exchange), "role " + key.role());
            throw new ApiException(403, "role " + key.role() + " may not use this resource");
        }
        long now = clock.millis();
        Long last = touched.get(key.id());
        if (last == null || now - last > TOUCH_MILLIS) {
            // Key use is recorded (last_used_at and an audit row) at most once a minute per key, not per request.
            touched.put(key.id(), now);
            keys.touch(key.id());
            audit.record("apikey:" + key.name(), action(exchange), null, "KEY_USED", client(exchange), "role " + key.role());
        }
        // The key must not travel further (logs, tracing).
        exchange.getMessage().removeHeader(KEY_HEADER);
    }

    /** Records a change made through the API: who, what, on what, with which outcome. */
    public void audit(Exchange exchange, String target, String outcome) throws SQLException {
        audit.record(exchange.getProperty(CALLER_PROPERTY, "anonymous", String.class), action(exchange), target, outcome, client(exchange), null);
    }

    private Optional<ApiKey> lookup(String raw) throws SQLException {
        String hash = ApiKeyRepository.hash(raw);
        long now = clock.millis();
        Cached c = cache.get(hash);
        if (c != null && now - c.at() < CACHE_MILLIS) {
            return c.key();
        }
        Optional<ApiKey> found = keys.findActive(raw);
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(hash, new Cached(found, now));
        return found;
    }

    private static String action(Exchange exchange) {
        return exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class) + " " + exchange.getMessage().getHeader(Exchange.HTTP_PATH,
                exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class), String.class);
    }

    /** The client's address, without the port (for per-client rate limits and the audit). */
    public String client(Exchange exchange) {
        Object remote = exchange.getMessage().getHeader("CamelVertxPlatformHttpRemoteAddress");
        if (remote == null) {
            return "unknown";
        }
        String s = remote.toString();
        int colon = s.lastIndexOf(':');
        return colon > 0 ? s.substring(0, colon) : s;
    }
}
