package routes.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import routes.health.QueueSnapshot;
import routes.ingest.IngestStats;
import routes.ingest.Rejection;
import routes.sender.EndpointGuard;
import routes.store.QueueAdminRepository;

/**
 * The Prometheus registry behind {@code GET /metrics}: readings received, duplicated and rejected by
 * reason, sends by outcome and their latency (see {@link routes.sender.SenderMetrics}), queue depth by
 * status, breaker state per endpoint, and the JVM.
 */
public final class Metrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final QueueSnapshot queue;
    private final Map<String, Boolean> breakerGauges = new ConcurrentHashMap<>();
    private final EndpointGuard guard;
    private final Counter apiErrors;

    public Metrics(IngestStats ingest, QueueSnapshot queue, EndpointGuard guard) {
        this.queue = queue;
        this.guard = guard;
        FunctionCounter.builder("tattile_readings_received", ingest, IngestStats::storedCount)
                .description("Readings stored")
                .register(registry);
        FunctionCounter.builder("tattile_readings_duplicate", ingest, IngestStats::duplicateCount)
                .description("Readings received again and ignored")
                .register(registry);
        for (Rejection r : Rejection.values()) {
            FunctionCounter.builder("tattile_readings_rejected", ingest, s -> s.rejectedCount(r))
                    .tag("reason", r.name())
                    .description("Documents refused, by reason")
                    .register(registry);
        }
        for (String status : QueueAdminRepository.STATUSES) {
            Gauge.builder("tattile_queue_depth", this, m -> m.queueCount(status))
                    .tag("status", status)
                    .description("Queue rows by status")
                    .register(registry);
        }
        apiErrors = Counter.builder("tattile_api_errors")
                .description("API requests answered 500 for an unexpected error")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** An API request answered 500 for an error api-errors does not name. */
    public void apiError() {
        apiErrors.increment();
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        guard.states().keySet().forEach(this::breakerGauge);
        return registry.scrape();
    }

    /** 0 closed, 1 half-open, 2 open (3 other). */
    private void breakerGauge(String endpoint) {
        breakerGauges.computeIfAbsent(endpoint, key -> {
            Gauge.builder("tattile_endpoint_breaker_state", guard, g -> switch (g.states()
                            .getOrDefault(key, "CLOSED")) {
                        case "CLOSED" -> 0;
                        case "HALF_OPEN" -> 1;
                        case "OPEN" -> 2;
                        default -> 3;
                    })
                    .tag("endpoint", key)
                    .description("Circuit breaker per endpoint: 0 closed, 1 half-open, 2 open")
                    .register(registry);
            return true;
        });
    }

    private double queueCount(String status) {
        try {
            return queue.get().counts().getOrDefault(status, 0L);
        } catch (SQLException e) {
            return Double.NaN; // the database is down: no value rather than a stale one
        }
    }
}
