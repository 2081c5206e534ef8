package routes.sender;

import java.time.Instant;

/**
 * The endpoint already has its cluster-wide maximum of sends in flight ({@code endpoints.max_in_flight}): the reading
 * waits a moment, without using an attempt and without touching the breaker, as for an open breaker.
 */
public class EndpointBusyException extends EndpointUnavailableException {

    public EndpointBusyException(String endpointKey, Instant retryAt) {
        super("ENDPOINT_OCUPADO", endpointKey, retryAt);
    }
}
