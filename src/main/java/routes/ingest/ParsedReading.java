package routes.ingest;

import java.math.BigDecimal;
import java.time.LocalDateTime;

/** A validated document: fields checked and converted, images decoded, time still in the camera's clock. */
public record ParsedReading(
        String plate,
        LocalDateTime localTime,
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
        String rawXml) {}
