package routes.ingest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns a Tattile document into a {@link ParsedReading}, or refuses it with a reason. */
public final class ReadingParser {

    private static final Logger LOG = LoggerFactory.getLogger(ReadingParser.class);

    public ParsedReading parse(TattileDocument doc, FrameImages.Lifted frame) {
        String serial = ReadingFields.serial(doc.deviceSn);
        String plate = ReadingFields.plate(doc.plate);
        var localTime = ReadingFields.localTime(doc.date, doc.time);
        byte[] ocr = image(frame, doc.imageOcr, "OCR", plate, serial);
        byte[] ctx = image(frame, doc.imageCtx, "CTX", plate, serial);
        return new ParsedReading(
                plate,
                localTime,
                serial,
                ReadingFields.text(doc.deviceName),
                ReadingFields.text(doc.direction),
                ReadingFields.integer(doc.laneId),
                ReadingFields.text(doc.laneDescr),
                ReadingFields.decimal(doc.ocrScore),
                ReadingFields.text(doc.countryCode),
                ReadingFields.text(doc.country),
                ReadingFields.integer(doc.bboxMinX),
                ReadingFields.integer(doc.bboxMinY),
                ReadingFields.integer(doc.bboxMaxX),
                ReadingFields.integer(doc.bboxMaxY),
                ReadingFields.integer(doc.plateCharHeight != null ? doc.plateCharHeight : doc.charHeight),
                ocr,
                ctx,
                frame.rawXml());
    }

    private static byte[] image(FrameImages.Lifted frame, String base64, String kind, String plate, String serial) {
        byte[] bytes = FrameImages.image(frame, base64);
        if (bytes == null && base64 != null && !base64.isBlank()) {
            LOG.warn(
                    "[INGEST] Imagen {} no válida (Base64) en la lectura ({}) de ({}): se guarda sin esa imagen",
                    kind,
                    plate,
                    serial);
        }
        return bytes;
    }

    /** The document for {@code raw_xml} (see {@link FrameImages}): every image body replaced by its size, capped at 64 KiB. */
    static String redacted(byte[] frame) {
        return FrameImages.liftWith(frame, "@image-test-").rawXml();
    }
}
