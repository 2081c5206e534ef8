package routes.health;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheck.Result;
import org.apache.camel.health.HealthCheck.State;
import org.apache.camel.health.HealthCheckRegistry;

/**
 * What {@code GET /health} (an API key's callers) and {@code GET /health/ready} (public) answer: the aggregate of
 * the checks in Camel's health-check registry ({@link DatabaseCheck}, {@link FlowsCheck}, {@link ImageStoreCheck}, {@link QueueCheck},
 * {@link CertificatesCheck}, {@link BreakersCheck}, {@link MaintenanceCheck}), the same ones JMX and Hawtio show. 503 when the database or the image store does not
 * answer or a flow this process runs is not started. Both are computed at most once per cache time (a second for
 * readiness), whatever the number of callers; the queue figures are estimates on a large queue, never a full scan.
 */
public final class HealthReport {

    private static final long READY_CACHE_MILLIS = 1_000;
    private static final List<String> QUEUE_FIGURES = List.of(
            "pending", "sending", "failed", "dead", "counts_estimated", "total_readings", "oldest_pending_age_seconds");

    private record Answer(Map<String, Object> body, int status, long at) {}

    private final long cacheMillis;
    private Answer lastHealth;
    private Answer lastReady;

    public HealthReport(long cacheMillis) {
        this.cacheMillis = cacheMillis;
    }

    public Map<String, Object> health(Exchange exchange) {
        Answer a;
        synchronized (this) {
            if (lastHealth == null || System.currentTimeMillis() - lastHealth.at() >= cacheMillis) {
                lastHealth = computeHealth(exchange.getContext());
            }
            a = lastHealth;
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, a.status());
        return a.body();
    }

    public Map<String, Object> ready(Exchange exchange) {
        Answer a;
        synchronized (this) {
            if (lastReady == null || System.currentTimeMillis() - lastReady.at() >= READY_CACHE_MILLIS) {
                CamelContext context = exchange.getContext();
                boolean up = call(context, DatabaseCheck.ID).getState() == State.UP
                        && call(context, FlowsCheck.ID).getState() == State.UP
                        && call(context, ImageStoreCheck.ID).getState() == State.UP;
                lastReady =
                        new Answer(Map.of("status", up ? "UP" : "DOWN"), up ? 200 : 503, System.currentTimeMillis());
            }
            a = lastReady;
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, a.status());
        return a.body();
    }

    private Answer computeHealth(CamelContext context) {
        Map<String, Object> body = new LinkedHashMap<>();
        Result database = call(context, DatabaseCheck.ID);
        Result flows = call(context, FlowsCheck.ID);
        Result images = call(context, ImageStoreCheck.ID);
        boolean up = database.getState() == State.UP && flows.getState() == State.UP && images.getState() == State.UP;
        Map<String, Object> db = new LinkedHashMap<>();
        db.put("status", database.getState().name());
        if (database.getDetails().containsKey("error")) {
            db.put("error", database.getDetails().get("error"));
        }
        db.put("latency_ms", database.getDetails().get("latency_ms"));
        body.put("status", up ? "UP" : "DOWN");
        body.put("database", db);
        body.put("flows", flows.getDetails().getOrDefault(FlowsCheck.FLOWS, Map.of()));
        Map<String, Object> store = new LinkedHashMap<>();
        store.put("status", images.getState().name());
        store.put("store", images.getDetails().get("store"));
        if (images.getDetails().containsKey("error")) {
            store.put("error", images.getDetails().get("error"));
        }
        body.put("images", store);
        if (database.getState() == State.UP) {
            Result queue = call(context, QueueCheck.ID);
            Result certificates = call(context, CertificatesCheck.ID);
            if (queue.getState() == State.UP && certificates.getState() == State.UP) {
                QUEUE_FIGURES.forEach(figure ->
                        body.put(figure, queue.getDetails().get(figure))); // the oldest age is null on an empty queue
                body.put(CertificatesCheck.EXPIRING, certificates.getDetails().get(CertificatesCheck.EXPIRING));
            } else {
                body.put("status", "DOWN");
                up = false;
            }
        }
        body.put(
                "breakers",
                call(context, BreakersCheck.ID).getDetails().getOrDefault(BreakersCheck.BREAKERS, Map.of()));
        body.put(
                MaintenanceCheck.MAINTENANCE,
                database.getState() == State.UP
                        ? call(context, MaintenanceCheck.ID)
                                .getDetails()
                                .getOrDefault(MaintenanceCheck.MAINTENANCE, Map.of())
                        : Map.of());
        body.put("computed_at", Instant.now().toString());
        return new Answer(body, up ? 200 : 503, System.currentTimeMillis());
    }

    private static Result call(CamelContext context, String id) {
        HealthCheck check = HealthCheckRegistry.get(context)
                .getCheck(id)
                .orElseThrow(() -> new IllegalStateException("Health check " + id + " is not registered"));
        return check.call();
    }
}
