package routes.sender;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;

/**
 * Sends by outcome (in all, and per endpoint and municipality), the latency of answered sends, and the delivery delay:
 * from a reading's reception to its delivery, per municipality. Endpoints and municipalities are registered names, so
 * the label sets are bounded.
 */
public final class SenderMetrics {

    /** The delay buckets: from "sent at once" to "an hour late". */
    private static final Duration[] DELAY_BUCKETS = {
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofMinutes(1),
        Duration.ofMinutes(2),
        Duration.ofMinutes(5),
        Duration.ofMinutes(10),
        Duration.ofMinutes(30),
        Duration.ofHours(1)
    };

    private final MeterRegistry registry;
    private final Clock clock;
    private final Counter delivered;
    private final Counter failed;
    private final Counter dead;
    private final Counter postponed;
    private final Timer latency;

    public SenderMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        delivered = outcome(registry, "DELIVERED");
        failed = outcome(registry, "FAILED");
        dead = outcome(registry, "DEAD");
        postponed = outcome(registry, "POSTPONED");
        latency = Timer.builder("tattile_send_latency")
                .description("Time from sending a signed request to its answer")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("tattile_sends")
                .tag("outcome", outcome)
                .description("Sends by outcome")
                .register(registry);
    }

    private void byEndpoint(Delivery d, String outcome) {
        Counter.builder("tattile_endpoint_sends")
                .tag("endpoint", d.endpointLabel())
                .tag("municipality", municipality(d))
                .tag("outcome", outcome)
                .description("Sends by endpoint, municipality and outcome")
                .register(registry)
                .increment();
    }

    private static String municipality(Delivery d) {
        return d.municipality() == null ? "none" : d.municipality();
    }

    void delivered(Delivery d, long latencyMillis) {
        delivered.increment();
        latency.record(Duration.ofMillis(latencyMillis));
        byEndpoint(d, "DELIVERED");
        if (d.receivedAt() != null) {
            Timer.builder("tattile_delivery_delay")
                    .tag("municipality", municipality(d))
                    .description("Time from a reading's reception to its delivery")
                    .serviceLevelObjectives(DELAY_BUCKETS)
                    .register(registry)
                    .record(delayOf(d));
        }
    }

    /** From the reading's reception to now (0 when the clocks disagree). */
    Duration delayOf(Delivery d) {
        Duration delay = Duration.between(d.receivedAt(), clock.instant());
        return delay.isNegative() ? Duration.ZERO : delay;
    }

    void answered(long latencyMillis) {
        latency.record(Duration.ofMillis(latencyMillis));
    }

    void failed(Delivery d) {
        failed.increment();
        byEndpoint(d, "FAILED");
    }

    void dead(Delivery d) {
        dead.increment();
        byEndpoint(d, "DEAD");
    }

    void postponed(Delivery d) {
        postponed.increment();
        byEndpoint(d, "POSTPONED");
    }
}
