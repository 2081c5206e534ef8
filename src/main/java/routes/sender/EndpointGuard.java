package routes.sender;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per endpoint: a Resilience4j circuit breaker (opens after N consecutive transport failures, one trial
 * send after the open period), a concurrency limit, and what happened last. A failure counts against a
 * reading's retry budget only while its endpoint is healthy: breaker closed and the endpoint's previous
 * outcome a delivery within the healthy window. The first failure of an outage may count once per
 * reading in flight; the rest of the streak never does, so an outage of any length costs a reading at
 * most one attempt. A reading that fails while others are delivered uses its budget and goes DEAD.
 */
public final class EndpointGuard {

    private static final Logger LOG = LoggerFactory.getLogger(EndpointGuard.class);

    private final CircuitBreakerRegistry breakers;
    private final Duration openFor;
    private final Duration healthyWindow;
    private final int concurrency;
    private final Clock clock;
    private final Map<String, Semaphore> permits = new ConcurrentHashMap<>();
    /** Per endpoint: when it last delivered, or null when its latest outcome was a failure. */
    private final Map<String, Instant> deliveringSince = new ConcurrentHashMap<>();

    public EndpointGuard(int failuresToOpen, Duration openFor, Duration healthyWindow, int concurrency, Clock clock) {
        this.openFor = openFor;
        this.healthyWindow = healthyWindow;
        this.concurrency = concurrency;
        this.clock = clock;
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(failuresToOpen)
                .minimumNumberOfCalls(failuresToOpen)
                .failureRateThreshold(100)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordExceptions(Throwable.class)
                .build());
    }

    private CircuitBreaker breaker(String key) {
        return breakers.circuitBreaker(key);
    }

    /**
     * Lets a send through, or throws when the breaker holds its endpoint's readings. Blocks while the
     * endpoint already has its maximum of sends in flight. Every admitted send must be followed by
     * {@link #delivered}, {@link #answered} or {@link #failed}.
     *
     * @return the send's start time ({@link System#nanoTime()}), for its latency
     */
    public long admit(Delivery d) throws InterruptedException {
        CircuitBreaker breaker = breaker(d.endpointKey());
        if (!breaker.tryAcquirePermission()) {
            Instant retryAt = breaker.getState() == CircuitBreaker.State.HALF_OPEN
                    ? clock.instant().plusSeconds(1)
                    : clock.instant().plus(openFor);
            throw new EndpointUnavailableException(d.endpointKey(), retryAt);
        }
        permits.computeIfAbsent(d.endpointKey(), k -> new Semaphore(concurrency))
                .acquire();
        return System.nanoTime();
    }

    /** The endpoint delivered (a success code). */
    public void delivered(Delivery d, long elapsedMillis) {
        deliveringSince.put(d.endpointKey(), clock.instant());
        answered(d, elapsedMillis);
    }

    /** The endpoint answered (with any codiRetorn): it is up. */
    public void answered(Delivery d, long elapsedMillis) {
        CircuitBreaker breaker = breaker(d.endpointKey());
        CircuitBreaker.State before = breaker.getState();
        breaker.onSuccess(elapsedMillis, TimeUnit.MILLISECONDS);
        if (before != CircuitBreaker.State.CLOSED && breaker.getState() == CircuitBreaker.State.CLOSED) {
            LOG.info("[SENDER] Endpoint {} disponible de nuevo: circuito cerrado", d.endpointKey());
        }
        release(d);
    }

    /**
     * The send failed without an answer (transport, timeout, HTTP error, SOAP Fault).
     *
     * @return whether the failure counts against the reading's retry budget (the endpoint was healthy)
     */
    public boolean failed(Delivery d, long elapsedMillis, Throwable cause) {
        boolean healthy = isHealthy(d.endpointKey());
        deliveringSince.remove(d.endpointKey());
        CircuitBreaker breaker = breaker(d.endpointKey());
        CircuitBreaker.State before = breaker.getState();
        breaker.onError(elapsedMillis, TimeUnit.MILLISECONDS, cause);
        if (before != CircuitBreaker.State.OPEN && breaker.getState() == CircuitBreaker.State.OPEN) {
            LOG.warn(
                    "[SENDER] Endpoint {} no disponible: circuito abierto durante {} s",
                    d.endpointKey(),
                    openFor.toSeconds());
        }
        release(d);
        return healthy;
    }

    /** Releases the concurrency permit of a send that was admitted but not attempted. */
    public void release(Delivery d) {
        Semaphore s = permits.get(d.endpointKey());
        if (s != null) {
            s.release();
        }
    }

    boolean isHealthy(String key) {
        Instant last = deliveringSince.get(key);
        return breaker(key).getState() == CircuitBreaker.State.CLOSED
                && last != null
                && last.isAfter(clock.instant().minus(healthyWindow));
    }

    /** No endpoint is held by its breaker (the poller may claim again at once). */
    public boolean allClosed() {
        return breakers.getAllCircuitBreakers().stream().allMatch(b -> b.getState() == CircuitBreaker.State.CLOSED);
    }

    /** Breaker state per endpoint key, for health and metrics. */
    public Map<String, String> states() {
        Map<String, String> out = new TreeMap<>();
        breakers.getAllCircuitBreakers()
                .forEach(b -> out.put(b.getName(), b.getState().name()));
        return out;
    }
}
