package routes.sender;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One claimed queue row with everything needed to send it: the reading, its camera, municipality,
 * certificate and endpoint (camera override, else municipality, else the global URL). {@code maxInFlight} is the
 * endpoint's cluster-wide cap on sends in flight ({@code endpoints.max_in_flight}), null when it has none (as the
 * global URL never has).
 */
public record Delivery(
        UUID queueId,
        UUID readingId,
        int attempts,
        String previousError,
        String plate,
        Instant timestampUtc,
        String deviceSn,
        String countryCode,
        boolean hasImageOcr,
        String imageOcrPath,
        String imageCtxPath,
        UUID cameraId,
        String codigoLector,
        Double coordX,
        Double coordY,
        UUID municipalityId,
        String municipality,
        UUID certificateId,
        UUID endpointId,
        String endpointUrl,
        int timeoutMs,
        int retryMax,
        long retryBackoffMs,
        Integer maxInFlight,
        Instant receivedAt,
        String endpointName) {

    /** The endpoint's name in metrics when the global URL (MOSSOS_ENDPOINT_URL) is used. */
    public static final String GLOBAL_ENDPOINT = "global";

    /** Defaults for what an endpoint row may leave unset. */
    public record Defaults(String globalUrl, int retryMax, long backoffMs, int timeoutMs) {}

    /** From a row of the claim query (column names as in sender.yaml). */
    public static Delivery fromClaim(Map<String, Object> row, Defaults defaults) {
        UUID endpointId = (UUID) row.get("endpoint_id");
        String url = endpointId != null ? (String) row.get("endpoint_url") : defaults.globalUrl();
        return new Delivery(
                (UUID) row.get("queue_id"),
                (UUID) row.get("reading_id"),
                ((Number) row.get("attempts")).intValue(),
                (String) row.get("last_error"),
                (String) row.get("plate"),
                ((Timestamp) row.get("timestamp_utc")).toInstant(),
                (String) row.get("device_sn"),
                (String) row.get("country_code"),
                Boolean.TRUE.equals(row.get("has_image_ocr")),
                (String) row.get("image_ocr_path"),
                (String) row.get("image_ctx_path"),
                (UUID) row.get("camera_id"),
                (String) row.get("codigo_lector"),
                number(row.get("coord_x")),
                number(row.get("coord_y")),
                (UUID) row.get("municipality_id"),
                (String) row.get("municipality"),
                (UUID) row.get("certificate_id"),
                endpointId,
                url == null || url.isBlank() ? null : url.strip(),
                row.get("timeout_ms") == null ? defaults.timeoutMs() : ((Number) row.get("timeout_ms")).intValue(),
                row.get("retry_max") == null ? defaults.retryMax() : ((Number) row.get("retry_max")).intValue(),
                row.get("retry_backoff_ms") == null
                        ? defaults.backoffMs()
                        : ((Number) row.get("retry_backoff_ms")).longValue(),
                row.get("max_in_flight") == null ? null : ((Number) row.get("max_in_flight")).intValue(),
                // Both absent from the claim of a ROUTES_DIR exported before them: the delay is then not measured.
                row.get("received_at") instanceof Timestamp t ? t.toInstant() : null,
                endpointId == null ? GLOBAL_ENDPOINT : (String) row.get("endpoint_name"));
    }

    /** The endpoint's name for metrics: its registered name, or {@link #GLOBAL_ENDPOINT}. */
    public String endpointLabel() {
        return endpointName != null ? endpointName : endpointKey();
    }

    /** Which circuit breaker and concurrency limit this delivery belongs to. */
    public String endpointKey() {
        return endpointId != null ? endpointId.toString() : "global";
    }

    /** Sent before and not delivered (failed, or recovered from an expired lease). */
    public boolean isRetry() {
        return previousError != null;
    }

    private static Double number(Object o) {
        return o == null ? null : ((Number) o).doubleValue();
    }
}
