package routes.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.ingest.RejectedReadingException;
import routes.ingest.Rejection;

/** Turns API failures into a status code and a small JSON body {@code {"error": "..."}}. */
public final class ApiErrors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    /** {@code {"error": reason}}. */
    static String json(String reason) {
        try {
            return JSON.writeValueAsString(Map.of("error", reason));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public void refused(Exchange exchange, ApiException e) throws Exception {
        answer(exchange, e.status(), e.getMessage());
    }

    public void readingRefused(Exchange exchange, RejectedReadingException e) throws Exception {
        int status = e.reason() == Rejection.STORE_FAILED ? 503 : 400;
        answer(exchange, status, e.reason().label() + ": " + e.getMessage());
    }

    public void unavailable(Exchange exchange) throws Exception {
        exchange.getMessage().setHeader("Retry-After", "10");
        answer(exchange, 503, "database unavailable");
    }

    /**
     * An error no other clause of api-errors names: one ERROR line (route and the error's type and first line, never a
     * stack trace nor the body) and 500; {@code metrics} has counted it.
     */
    public void unexpected(Exchange exchange, String routeId, Exception e) throws Exception {
        String m = e.getMessage();
        String line = m == null ? "" : m.lines().findFirst().orElse("").strip();
        line = (line.length() > 200 ? line.substring(0, 200) + "…" : line).replaceAll("[A-Za-z0-9+/=]{40,}", "…");
        LOG.error(
                "[API] Error inesperado en {} (respondido 500): {}{}",
                routeId,
                e.getClass().getSimpleName(),
                line.isEmpty() ? "" : ": " + line);
        answer(exchange, 500, "internal error");
    }

    private void answer(Exchange exchange, int status, String reason) throws Exception {
        var m = exchange.getMessage();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader("Content-Type", "application/json");
        m.setBody(json(reason));
    }
}
