package routes.store;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** One reading as it is stored: the row of {@code alpr_readings}, its images and the camera it came from. */
public record NewReading(
        UUID id,
        UUID cameraId,
        String plate,
        Instant timestampUtc,
        String deviceSn,
        String deviceName,
        String direction,
        Integer laneId,
        String laneDescr,
        BigDecimal ocrScore,
        String countryCode,
        String country,
        Integer bboxMinX,
        Integer bboxMinY,
        Integer bboxMaxX,
        Integer bboxMaxY,
        Integer charHeight,
        byte[] imageOcr,
        byte[] imageCtx,
        String rawXml) {
}
