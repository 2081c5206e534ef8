package routes.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import routes.health.FleetSnapshot;
import routes.health.QueueSnapshot;
import routes.ingest.IngestStats;
import routes.ingest.Rejection;
import routes.sender.EndpointGuard;
import routes.store.CameraActivityRepository.CameraStatus;
import routes.store.QueueAdminRepository;

/**
 * The Prometheus registry behind {@code GET /metrics}: readings received, duplicated and rejected by
 * reason (in all and per camera), sends by outcome and their latency and the delivery delay (see {@link
 * routes.sender.SenderMetrics}), queue depth by status and the age of its oldest PENDING row, DEAD rows by reason,
 * each camera's last reading and silence, each certificate's expiry, breaker state per endpoint, and the JVM.
 *
 * <p>Gauges read from the database ({@code tattile_queue_*}, {@code tattile_camera_*} but the reading counters, {@code
 * tattile_certificate_*}) are cluster-wide: every instance reports the same value. Counters are this instance's.
 */
public final class Metrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final QueueSnapshot queue;
    private final Map<String, Boolean> breakerGauges = new ConcurrentHashMap<>();
    private final EndpointGuard guard;
    private final Counter apiErrors;
    private final IngestStats ingest;
    private final FleetSnapshot fleet;
    private final long silenceDefaultSeconds;
    private final Clock clock;
    /** Per-camera counters by kind and camera (and reason), guarded by {@link #perCamera}. */
    private final Map<String, FunctionCounter> cameraCounters = new HashMap<>();

    private final MultiGauge lastReading;
    private final MultiGauge silent;
    private final MultiGauge expected;
    private final MultiGauge dead;
    private final MultiGauge certificateExpiry;
    private final MultiGauge endpointInfo;

    /**
     * @param silenceDefaultSeconds {@code CAMERA_SILENCE_DEFAULT} in seconds (0: cameras without their own expectation
     *     are not watched)
     */
    public Metrics(
            IngestStats ingest,
            QueueSnapshot queue,
            EndpointGuard guard,
            FleetSnapshot fleet,
            long silenceDefaultSeconds,
            Clock clock) {
        this.queue = queue;
        this.guard = guard;
        this.ingest = ingest;
        this.fleet = fleet;
        this.silenceDefaultSeconds = silenceDefaultSeconds;
        this.clock = clock;
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
        Gauge.builder("tattile_queue_oldest_pending_age_seconds", this, Metrics::oldestPendingAge)
                .description("Age of the oldest PENDING reading in the queue (0 when none), cluster-wide")
                .register(registry);
        lastReading = MultiGauge.builder("tattile_camera_last_reading_timestamp_seconds")
                .description("When the camera's latest reading was received (Unix time), cluster-wide")
                .register(registry);
        silent = MultiGauge.builder("tattile_camera_silent")
                .description("1 when the camera is watched and silent longer than expected, cluster-wide")
                .register(registry);
        expected = MultiGauge.builder("tattile_camera_expected_interval_seconds")
                .description("The silence a watched camera is allowed before it is reported")
                .register(registry);
        dead = MultiGauge.builder("tattile_queue_dead")
                .description("DEAD readings by reason, cluster-wide")
                .register(registry);
        certificateExpiry = MultiGauge.builder("tattile_certificate_expiry_timestamp_seconds")
                .description("When each active certificate expires (Unix time)")
                .register(registry);
        endpointInfo = MultiGauge.builder("tattile_endpoint_name")
                .description(
                        "1 per registered endpoint: its name for the endpoint id of tattile_endpoint_breaker_state")
                .register(registry);
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
        FleetSnapshot.Fleet f = fleet.get();
        fleetGauges(f);
        cameraCounters(f);
        return registry.scrape();
    }

    /** The cluster-wide gauges of the fleet, as the database last said (rows of removed cameras go with them). */
    private void fleetGauges(FleetSnapshot.Fleet f) {
        Instant now = clock.instant();
        List<MultiGauge.Row<?>> last = new ArrayList<>();
        List<MultiGauge.Row<?>> silence = new ArrayList<>();
        List<MultiGauge.Row<?>> expectation = new ArrayList<>();
        for (CameraStatus c : f.cameras()) {
            Tags tags = Tags.of("serial", c.serial(), "municipality", c.municipality());
            if (c.lastReadingAt() != null) {
                last.add(MultiGauge.Row.of(tags, c.lastReadingAt().getEpochSecond()));
            }
            if (c.active()) {
                silence.add(MultiGauge.Row.of(tags, c.silent(now, silenceDefaultSeconds) ? 1 : 0));
            }
            long allowed = c.allowedSilenceSeconds(silenceDefaultSeconds);
            if (allowed > 0) {
                expectation.add(MultiGauge.Row.of(tags, allowed));
            }
        }
        lastReading.register(last, true);
        silent.register(silence, true);
        expected.register(expectation, true);
        dead.register(rows(f.deadByReason(), (reason, n) -> Tags.of("reason", reason), n -> n), true);
        certificateExpiry.register(
                rows(f.certificateExpiry(), (name, at) -> Tags.of("name", name), Instant::getEpochSecond), true);
        endpointInfo.register(
                rows(f.endpointNames(), (id, name) -> Tags.of("endpoint", id, "name", name), name -> 1), true);
    }

    /** One gauge row per entry, tagged from the entry, valued from its value. */
    private static <V> List<MultiGauge.Row<?>> rows(
            Map<String, V> entries, BiFunction<String, V, Tags> tags, Function<V, Number> value) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>(entries.size());
        entries.forEach((k, v) -> rows.add(MultiGauge.Row.of(tags.apply(k, v), value.apply(v))));
        return rows;
    }

    /**
     * Per-camera reading counters, registered as cameras first count (their serials are registered ones, or {@link
     * IngestStats#UNREGISTERED}), tagged with the camera's municipality as the database last said: a camera moved to
     * another municipality has its counters registered again under the new one (a new series with the whole count),
     * so "readings per municipality" follows it. While the database gives no municipality (a failed snapshot), a
     * counter keeps the one it has.
     */
    private void cameraCounters(FleetSnapshot.Fleet f) {
        ingest.eachCameraStored((serial, n) -> perCamera(
                "stored/" + serial,
                f.municipalityOf(serial),
                municipality -> FunctionCounter.builder(
                                "tattile_camera_readings_stored", ingest, s -> s.storedCount(serial))
                        .tags("serial", serial, "municipality", municipality)
                        .description("Readings stored, per camera")
                        .register(registry)));
        ingest.eachCameraRejected((key, n) -> perCamera(
                "refused/" + key.serial() + "/" + key.reason(),
                f.municipalityOf(key.serial()),
                municipality -> FunctionCounter.builder(
                                "tattile_camera_readings_refused", ingest, s -> s.rejectedCount(key))
                        .tags(
                                "serial",
                                key.serial(),
                                "municipality",
                                municipality,
                                "reason",
                                key.reason().name())
                        .description("Documents refused, per camera and reason")
                        .register(registry)));
    }

    /** One per-camera counter, registered again when its camera's municipality is no longer the one it is tagged with. */
    private synchronized void perCamera(String key, String municipality, Function<String, FunctionCounter> register) {
        FunctionCounter current = cameraCounters.get(key);
        if (current != null) {
            String tagged = current.getId().getTag("municipality");
            if (municipality.equals(tagged) || FleetSnapshot.NO_MUNICIPALITY.equals(municipality)) {
                return;
            }
            registry.remove(current);
        }
        cameraCounters.put(key, register.apply(municipality));
    }

    private double oldestPendingAge() {
        try {
            Long age = queue.get().oldestPendingAgeSeconds();
            return age == null ? 0 : age;
        } catch (SQLException e) {
            return Double.NaN;
        }
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
