package routes.sender;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** Sends by outcome and the latency of answered sends. */
public final class SenderMetrics {

    private final Counter delivered;
    private final Counter failed;
    private final Counter dead;
    private final Counter postponed;
    private final Timer latency;

    public SenderMetrics(MeterRegistry registry) {
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

    void delivered(long latencyMillis) {
        delivered.increment();
        latency.record(Duration.ofMillis(latencyMillis));
    }

    void answered(long latencyMillis) {
        latency.record(Duration.ofMillis(latencyMillis));
    }

    void failed() {
        failed.increment();
    }

    void dead() {
        dead.increment();
    }

    void postponed() {
        postponed.increment();
    }
}
