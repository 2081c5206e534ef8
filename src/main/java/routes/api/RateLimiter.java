package routes.api;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code limit} requests per minute per key (a client address or an API key), in fixed one-minute
 * windows. The map is bounded: past {@code maxKeys} keys it starts over, so hostile keys cannot grow it.
 */
final class RateLimiter {

    private static final long WINDOW_MILLIS = 60_000;

    private record Window(long start, int count) {}

    private final int limit;
    private final int maxKeys;
    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    RateLimiter(int limit, int maxKeys, Clock clock) {
        this.limit = limit;
        this.maxKeys = maxKeys;
        this.clock = clock;
    }

    /** Counts one request: 0 when it may go on, else the seconds until the window frees up (for Retry-After). */
    long acquire(String key) {
        long now = clock.millis();
        if (windows.size() >= maxKeys && !windows.containsKey(key)) {
            windows.clear();
        }
        Window w = windows.compute(
                key,
                (k, old) -> old == null || now - old.start() >= WINDOW_MILLIS
                        ? new Window(now, 1)
                        : new Window(old.start(), old.count() + 1));
        if (w.count() <= limit) {
            return 0;
        }
        return Math.max(1, (w.start() + WINDOW_MILLIS - now + 999) / 1000);
    }
}
