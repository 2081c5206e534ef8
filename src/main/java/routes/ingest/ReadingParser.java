package routes.ingest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns a Tattile document into a {@link ParsedReading}, or refuses it with a reason. */
public final class ReadingParser {

    private static final Logger LOG = LoggerFactory.getLogger(ReadingParser.class);
    private static final int MAX_RAW_XML_CHARS = 64 * 1024;

    public ParsedReading parse(TattileDocument doc, byte[] frame) {
        String serial = ReadingFields.serial(doc.deviceSn);
        String plate = ReadingFields.plate(doc.plate);
        var localTime = ReadingFields.localTime(doc.date, doc.time);
        byte[] ocr = image(doc.imageOcr, "OCR", plate, serial);
        byte[] ctx = image(doc.imageCtx, "CTX", plate, serial);
        return new ParsedReading(
                plate, localTime, serial,
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
                ocr, ctx,
                redacted(frame));
    }

    private static byte[] image(String base64, String kind, String plate, String serial) {
        byte[] bytes = ReadingFields.image(base64);
        if (bytes == null && base64 != null && !base64.isBlank()) {
            LOG.warn("[INGEST] Imagen {} no válida (Base64) en la lectura ({}) de ({}): se guarda sin esa imagen", kind, plate, serial);
        }
        return bytes;
    }

    /**
     * The document for {@code raw_xml}: the text of every element whose name starts with {@code IMAGE_}
     * replaced by its size, so the column never holds megabytes of Base64. Capped at 64 KiB.
     */
    static String redacted(byte[] frame) {
        StringBuilder out = new StringBuilder(Math.min(frame.length, 4096));
        int copyFrom = 0;
        int i = 0;
        byte[] open = {'<', 'I', 'M', 'A', 'G', 'E', '_'};
        while ((i = indexOf(frame, open, i)) >= 0) {
            int tagEnd = indexOf(frame, new byte[] {'>'}, i);
            if (tagEnd < 0) {
                break;
            }
            if (frame[tagEnd - 1] == '/') { // <IMAGE_X/>
                i = tagEnd + 1;
                continue;
            }
            int close = indexOf(frame, new byte[] {'<', '/'}, tagEnd + 1);
            if (close < 0) {
                break;
            }
            out.append(new String(frame, copyFrom, tagEnd + 1 - copyFrom, java.nio.charset.StandardCharsets.UTF_8));
            out.append('[').append(close - tagEnd - 1).append(" bytes]");
            copyFrom = close;
            i = close;
        }
        out.append(new String(frame, copyFrom, frame.length - copyFrom, java.nio.charset.StandardCharsets.UTF_8));
        String s = out.toString().replace("\u0000", "");
        return s.length() <= MAX_RAW_XML_CHARS ? s : s.substring(0, MAX_RAW_XML_CHARS) + "…[truncated]";
    }

    private static int indexOf(byte[] s, byte[] needle, int from) {
        outer:
        for (int i = from; i <= s.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (s[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
