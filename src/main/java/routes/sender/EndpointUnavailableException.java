package routes.sender;

import java.time.Instant;

/** The endpoint's circuit breaker is open: the reading waits until {@link #retryAt()} without using an attempt. */
public class EndpointUnavailableException extends RuntimeException {

    private final Instant retryAt;

    public EndpointUnavailableException(String endpointKey, Instant retryAt) {
        super("ENDPOINT_NO_DISPONIBLE:" + endpointKey, null, false, false);
        this.retryAt = retryAt;
    }

    public Instant retryAt() {
        return retryAt;
    }
}
