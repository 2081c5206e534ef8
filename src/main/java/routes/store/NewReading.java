package routes.store;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * One reading as it is stored: the row of {@code alpr_readings}, its images, the camera it came from and the
 * address it arrived from ({@code source_address}; null when unknown).
 */
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
        String rawXml,
        String sourceAddress) {

    /** A reading whose source address is not known (tests, imports). */
    public NewReading(
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
        this(
                id,
                cameraId,
                plate,
                timestampUtc,
                deviceSn,
                deviceName,
                direction,
                laneId,
                laneDescr,
                ocrScore,
                countryCode,
                country,
                bboxMinX,
                bboxMinY,
                bboxMaxX,
                bboxMaxY,
                charHeight,
                imageOcr,
                imageCtx,
                rawXml,
                null);
    }
}
