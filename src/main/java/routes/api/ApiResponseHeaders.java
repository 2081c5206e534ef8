package routes.api;

import java.util.Locale;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * Only the headers the API means to send reach an HTTP response. Camel would otherwise copy every message
 * header out, including the request's own query parameters: a client's value echoed as a response header
 * (a NUL in it made Vert.x fail the response with a 500). Incoming headers are filtered as before.
 */
public final class ApiResponseHeaders implements HeaderFilterStrategy {

    private static final Set<String> SENT = Set.of("content-type", "retry-after", "www-authenticate", "cache-control", "location");

    private final HeaderFilterStrategy incoming;

    public ApiResponseHeaders(HeaderFilterStrategy incoming) {
        this.incoming = incoming;
    }

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !SENT.contains(headerName.toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return incoming != null && incoming.applyFilterToExternalHeaders(headerName, headerValue, exchange);
    }
}
