package routes.sender;

import java.time.Instant;

/**
 * The endpoint's circuit breaker is open (or, {@link EndpointBusyException}, its cluster-wide cap is reached): the
 * reading waits until {@link #retryAt()} without using an attempt.
 */
public class EndpointUnavailableException extends RuntimeException {

    private final Instant retryAt;

    public EndpointUnavailableException(String endpointKey, Instant retryAt) {
        this("ENDPOINT_NO_DISPONIBLE", endpointKey, retryAt);
    }

    protected EndpointUnavailableException(String reason, String endpointKey, Instant retryAt) {
        super(reason + ":" + endpointKey, null, false, false);
        this.retryAt = retryAt;
    }

    public Instant retryAt() {
        return retryAt;
    }
}
