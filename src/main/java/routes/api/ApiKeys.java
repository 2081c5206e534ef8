package routes.api;

import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import routes.store.ApiKeyRepository;
import routes.store.ApiKeyRepository.ApiKey;

/**
 * API key lookups, cached a few seconds (a revocation takes effect within that time), unknown keys
 * included so that guessing costs no query per request. Bounded: hostile keys cannot grow the cache.
 */
final class ApiKeys {

    private static final long CACHE_MILLIS = 5_000;
    private static final int MAX_CACHED = 10_000;

    /** An active key and, for a scoped SOURCE_WRITER key, the cameras it may write for (null: all). */
    record Found(ApiKey key, ApiKeyRepository.Scope scope) {}

    private record Cached(Optional<Found> found, long at) {}

    private final ApiKeyRepository keys;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    ApiKeys(ApiKeyRepository keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    /** The active key this raw key belongs to, with its scope (blocking: may query the database). */
    Optional<Found> find(String raw) throws SQLException {
        String hash = ApiKeyRepository.hash(raw);
        long now = clock.millis();
        Cached c = cache.get(hash);
        if (c != null && now - c.at() < CACHE_MILLIS) {
            return c.found();
        }
        Optional<ApiKey> key = keys.findActive(raw);
        Optional<Found> found =
                key.isEmpty() ? Optional.empty() : Optional.of(new Found(key.get(), keys.scopeOf(key.get())));
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(hash, new Cached(found, now));
        return found;
    }
}
