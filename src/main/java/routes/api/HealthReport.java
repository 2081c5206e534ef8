package routes.api;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import routes.sender.EndpointGuard;
import routes.store.CertificateRepository;
import routes.store.EndpointRepository;

/**
 * What {@code GET /health} (an API key's callers) and {@code GET /health/ready} (public) answer: database,
 * the flows' routes, queue counts, the oldest pending reading, breaker states and certificates about to
 * expire. 503 when the database does not answer or a flow this process runs is not started. Both are
 * computed at most once per cache time (a second for readiness), whatever the number of callers, and the
 * queue figures come from {@link QueueSnapshot} (estimates on a large queue, never a full scan).
 */
public final class HealthReport {

    private static final Map<String, String> FLOW_ROUTES = Map.of("ingest", "ingest-tattile-tcp", "sender", "sender-poll",
            "maintenance", "maintenance-schedule", "api", "api-health");

    private static final long READY_CACHE_MILLIS = 1_000;

    private record Answer(Map<String, Object> body, int status, long at) {
    }

    private final DataSource dataSource;
    private final QueueSnapshot queue;
    private final long cacheMillis;
    private Answer lastHealth;
    private Answer lastReady;
    private final CertificateRepository certificates;
    private final EndpointGuard guard;
    private final EndpointRepository endpoints;
    private final Set<String> flows;
    private final boolean senderEnabled;

    public HealthReport(DataSource dataSource, QueueSnapshot queue, long cacheMillis, CertificateRepository certificates, EndpointGuard guard,
                        Set<String> flows, boolean senderEnabled) {
        this.dataSource = dataSource;
        this.cacheMillis = cacheMillis;
        this.endpoints = new EndpointRepository(dataSource);
        this.queue = queue;
        this.certificates = certificates;
        this.guard = guard;
        this.flows = flows;
        this.senderEnabled = senderEnabled;
    }

    public Map<String, Object> health(Exchange exchange) {
        Answer a;
        synchronized (this) {
            if (lastHealth == null || System.currentTimeMillis() - lastHealth.at() >= cacheMillis) {
                lastHealth = computeHealth(exchange);
            }
            a = lastHealth;
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, a.status());
        return a.body();
    }

    private Answer computeHealth(Exchange exchange) {
        Map<String, Object> body = new LinkedHashMap<>();
        boolean up = true;
        Map<String, Object> db = database();
        up &= "UP".equals(db.get("status"));
        Map<String, Object> routes = routes(exchange);
        up &= !routes.containsValue("DOWN");
        body.put("status", up ? "UP" : "DOWN");
        body.put("database", db);
        body.put("flows", routes);
        if ("UP".equals(db.get("status"))) {
            try {
                var overview = queue.get();
                Map<String, Long> counts = overview.counts();
                body.put("pending", counts.getOrDefault("PENDING", 0L));
                body.put("sending", counts.getOrDefault("SENDING", 0L));
                body.put("failed", counts.getOrDefault("FAILED", 0L));
                body.put("dead", counts.getOrDefault("DEAD", 0L));
                body.put("counts_estimated", overview.estimated());
                body.put("total_readings", overview.readings());
                body.put("oldest_pending_age_seconds", overview.oldestPendingAgeSeconds());
                body.put("certificates_expiring_30d", expiringCertificates());
            } catch (SQLException e) {
                body.put("status", "DOWN");
                up = false;
            }
        }
        body.put("breakers", breakersByName());
        body.put("computed_at", Instant.now().toString());
        return new Answer(body, up ? 200 : 503, System.currentTimeMillis());
    }

    public Map<String, Object> ready(Exchange exchange) {
        Answer a;
        synchronized (this) {
            if (lastReady == null || System.currentTimeMillis() - lastReady.at() >= READY_CACHE_MILLIS) {
                boolean up = "UP".equals(database().get("status")) && !routes(exchange).containsValue("DOWN");
                lastReady = new Answer(Map.of("status", up ? "UP" : "DOWN"), up ? 200 : 503, System.currentTimeMillis());
            }
            a = lastReady;
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, a.status());
        return a.body();
    }

    /** Breaker state per endpoint name ("global" for MOSSOS_ENDPOINT_URL); endpoints never used yet are not listed. */
    private Map<String, String> breakersByName() {
        Map<String, String> names = new HashMap<>();
        try {
            for (var e : endpoints.endpoints()) {
                names.put(e.id().toString(), e.name());
            }
        } catch (SQLException e) {
            // names unknown: the ids are shown
        }
        Map<String, String> out = new TreeMap<>();
        guard.states().forEach((key, state) -> out.put(names.getOrDefault(key, key), state));
        return out;
    }

    private Map<String, Object> database() {
        Map<String, Object> db = new LinkedHashMap<>();
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            boolean valid = c.isValid(2);
            db.put("status", valid ? "UP" : "DOWN");
        } catch (SQLException e) {
            db.put("status", "DOWN");
            db.put("error", e.getClass().getSimpleName());
        }
        db.put("latency_ms", (System.nanoTime() - start) / 1_000_000);
        return db;
    }

    private Map<String, Object> routes(Exchange exchange) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String flow : flows) {
            String routeId = FLOW_ROUTES.get(flow);
            if (routeId == null) {
                continue;
            }
            ServiceStatus status = exchange.getContext().getRouteController().getRouteStatus(routeId);
            if ("sender".equals(flow) && !senderEnabled) {
                out.put(flow, "DISABLED");
            } else {
                out.put(flow, status == ServiceStatus.Started ? "UP" : "DOWN");
            }
        }
        return out;
    }

    private List<Map<String, Object>> expiringCertificates() throws SQLException {
        Instant limit = Instant.now().plus(Duration.ofDays(30));
        return certificates.list().stream()
                .filter(c -> c.active() && c.validTo() != null && c.validTo().isBefore(limit))
                .map(c -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", c.name());
                    m.put("valid_to", c.validTo().toString());
                    m.put("days_left", Duration.between(Instant.now(), c.validTo()).toDays());
                    return m;
                })
                .toList();
    }
}
