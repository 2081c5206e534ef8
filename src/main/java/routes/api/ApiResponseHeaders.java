package routes.api;

import java.util.Locale;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * Which headers cross the API's edge. Out: only the headers the API means to send (Camel would otherwise
 * copy every message header out, including the request's own query parameters). In: no request header,
 * query parameter or form field ever becomes a Camel header, so request data cannot pose as one the routes
 * read (a {@code CamelVertxPlatformHttpRemoteAddress} field forged the client's address). Camel still sets
 * its own {@code CamelHttpMethod}, {@code CamelHttpPath}… from the request line; the key, the caller and
 * the client address come from {@link ApiGate}.
 */
public final class ApiResponseHeaders implements HeaderFilterStrategy {

    private static final Set<String> SENT =
            Set.of("content-type", "retry-after", "www-authenticate", "cache-control", "location", "allow");
    private static final Set<String> RECEIVED = Set.of("content-type");

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !SENT.contains(headerName.toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return headerName == null || !RECEIVED.contains(headerName.toLowerCase(Locale.ROOT));
    }
}
