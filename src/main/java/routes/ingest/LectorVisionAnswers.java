package routes.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status and JSON the Lector Vision forwarder's port answers when a reading is not stored (lectorvision.yaml's
 * error policy). The forwarder ({@code Sender/lectorvision_service.py}) moves a reading to its failed folder, and
 * deletes it an hour later, on any 4xx but 429; it keeps it and tries again on 5xx. So a 4xx only where the reading
 * can never be accepted as it is, and a 5xx where waiting can help.
 */
public final class LectorVisionAnswers {

    private static final Logger LOG = LoggerFactory.getLogger(LectorVisionAnswers.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A reading refused by the pipeline; rejectionLog has logged and counted it. */
    public void refused(Exchange exchange, RejectedReadingException e) {
        String reason = e.reason().label() + ": " + e.getMessage();
        switch (e.reason()) {
            // An unregistered camera: the old Python service answered 404 ("Cámara no registrada"), so the forwarder
            // dropped the reading and lost it an hour later. Readings that arrive before the camera is registered are
            // kept instead: 503 makes the forwarder hold and retry them until 'admin camera add' (it retries its oldest
            // file first, so its later readings wait too; the WARN line, once a minute, names the serial).
            case UNKNOWN_CAMERA -> answer(exchange, 503, reason, "60");
            // The disk or the database refused to store it: try again later.
            case STORE_FAILED -> answer(exchange, 503, reason, "10");
            // An operator's decision (camera deactivated, or not allowed to send from this address): not wanted.
            case INACTIVE_CAMERA, SOURCE_NOT_ALLOWED -> answer(exchange, 403, reason, null);
            // Not a reading, or not one a camera could have taken: it never will be.
            default -> answer(exchange, 400, reason, null);
        }
    }

    /** PostgreSQL unreachable or the pool exhausted: nothing stored, the forwarder keeps the reading and retries. */
    public void unavailable(Exchange exchange, Exception e) {
        LOG.warn(
                "[INGEST] Lector Vision: {} no disponible, lectura de {} no almacenada (respondido 503, el reenviador la "
                        + "reintentará): {}",
                e instanceof ImagesUnavailableException ? "almacén de imágenes" : "base de datos",
                exchange.getMessage().getHeader(LectorVisionRequests.SOURCE_HEADER),
                safe(e));
        answer(exchange, 503, "database unavailable, try again", "10");
    }

    /** An error no other clause names; rejectionLog has logged and counted it. 500, as {@link LectorVisionRequests} answers: retried. */
    public void unexpected(Exchange exchange) {
        answer(exchange, 500, "unexpected error, try again", null);
    }

    private static void answer(Exchange exchange, int status, String reason, String retryAfter) {
        var m = exchange.getMessage();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (retryAfter != null) {
            m.setHeader("Retry-After", retryAfter);
        }
        m.setBody(json(reason));
    }

    /** {@code {"error": reason}}. */
    static String json(String reason) {
        try {
            return JSON.writeValueAsString(Map.of("error", reason));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A throwable for the log: its type and the first line of its message, at most 200 characters, with any long run of
     * Base64-like characters masked (a conversion error can quote the body it failed on).
     */
    static String safe(Throwable t) {
        String line = RejectionLog.firstLine(t).replaceAll("[A-Za-z0-9+/=]{40,}", "…");
        return t.getClass().getSimpleName() + ": " + line;
    }
}
