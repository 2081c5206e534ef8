package routes.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a Lector Vision JSON reading (posted to {@code /ingest/lectorvision}) into the same
 * {@link ParsedReading} as a Tattile document, with the same field rules ({@link ReadingFields}).
 */
public final class LectorVisionMapper {

    private static final Logger LOG = LoggerFactory.getLogger(LectorVisionMapper.class);
    // IMAGE_OCR / IMAGE_CTX: the names the Windows forwarder (Sender/lectorvision_service.py) fills when the reading
    // has them.
    private static final List<String> OCR_NAMES =
            List.of("ImageOcr", "ImageOCR", "ImageOcrBase64", "ImageOCRBase64", "ImageOcrB64", "IMAGE_OCR");
    private static final List<String> CTX_NAMES =
            List.of("ImageCtx", "ImageCTX", "ImageCtxBase64", "ImageCTXBase64", "ImageCtxB64", "IMAGE_CTX");
    /** The plate crop the forwarder adds: not kept, and not copied into raw_xml either. */
    private static final List<String> CROP_NAMES = List.of("ImageCrop", "IMAGE_CROP");
    /** ISO 3166 numeric codes of the countries whose plates are usually read here. */
    private static final Map<String, String> COUNTRIES = Map.of(
            "724", "ES", "250", "FR", "620", "PT", "20", "AD", "276", "DE", "380", "IT", "826", "GB", "56", "BE", "528",
            "NL");

    private static final int MAX_RAW_CHARS = 64 * 1024;

    private final ObjectMapper json;

    public LectorVisionMapper(int maxBodyBytes) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(maxBodyBytes)
                        .maxNestingDepth(16)
                        .build())
                .build();
        this.json = JsonMapper.builder(factory)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    public ParsedReading parse(byte[] body) {
        JsonNode root;
        if (body == null || body.length == 0) {
            throw new RejectedReadingException(Rejection.MALFORMED_JSON, "cuerpo vacío");
        }
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw new RejectedReadingException(Rejection.MALFORMED_JSON, "cuerpo no es JSON válido");
        }
        if (root == null || !root.isObject()) {
            throw new RejectedReadingException(Rejection.MALFORMED_JSON, "se espera un objeto JSON");
        }
        String serial = ReadingFields.serial(
                text(root, "SerialNumber") != null ? text(root, "SerialNumber") : text(root, "IdDevice"));
        String plate = ReadingFields.plate(text(root, "Plate"));
        String stamp = text(root, "TimeStamp");
        String[] dateTime =
                stamp == null ? new String[] {null, null} : stamp.strip().split("[ T]", 2);
        var localTime = ReadingFields.localTime(dateTime[0], dateTime.length > 1 ? dateTime[1] : null);
        Integer[] box = box(root.get("PlateCoord"));
        String country = text(root, "Country");
        String numeric = country != null && country.strip().matches("\\d{1,3}")
                ? String.valueOf(Integer.parseInt(country.strip()))
                : null;
        String countryCode = country == null
                ? null
                : numeric != null ? COUNTRIES.getOrDefault(numeric, numeric) : ReadingFields.text(country);
        return new ParsedReading(
                plate,
                localTime,
                serial,
                null,
                ReadingFields.text(text(root, "Direction")),
                ReadingFields.integer(text(root, "LaneNumber")),
                ReadingFields.text(text(root, "LaneName")),
                ReadingFields.decimal(text(root, "Fiability")),
                countryCode,
                country != null && !country.strip().matches("\\d+") ? ReadingFields.text(country) : null,
                box[0],
                box[1],
                box[2],
                box[3],
                ReadingFields.integer(
                        text(root, "CharHeight") != null ? text(root, "CharHeight") : text(root, "PlateCharHeight")),
                image(root, OCR_NAMES, "OCR", plate, serial),
                image(root, CTX_NAMES, "CTX", plate, serial),
                redacted((ObjectNode) root));
    }

    /** A field's text: strings and numbers only; a boolean, object or array where text is expected is refused. */
    private static String text(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() && !v.isNumber()) {
            throw new RejectedReadingException(Rejection.INVALID_FIELD, field + " debe ser texto o número");
        }
        return v.asText();
    }

    /** PlateCoord as [minX, minY, maxX, maxY] of four integers; anything else gives no box at all. */
    private static Integer[] box(JsonNode coords) {
        Integer[] out = new Integer[4];
        if (coords != null && coords.isArray() && coords.size() == 4) {
            for (JsonNode c : coords) {
                if (!c.isIntegralNumber() || !c.canConvertToInt()) {
                    return out;
                }
            }
            for (int i = 0; i < 4; i++) {
                out[i] = coords.get(i).asInt();
            }
        }
        return out;
    }

    private static byte[] image(JsonNode root, List<String> names, String kind, String plate, String serial) {
        for (String name : names) {
            String base64 = text(root, name);
            if (base64 != null) {
                byte[] bytes = ReadingFields.image(base64);
                if (bytes == null && !base64.isBlank()) {
                    LOG.warn(
                            "[INGEST] Imagen {} no válida (Base64) en la lectura ({}) de ({}): se guarda sin esa imagen",
                            kind,
                            plate,
                            serial);
                }
                return bytes;
            }
        }
        return null;
    }

    /** The document for raw_xml: image values replaced by their sizes, capped at 64 KiB. */
    private String redacted(ObjectNode root) {
        ObjectNode copy = root.deepCopy();
        for (String name : OCR_NAMES) {
            replaceBySize(copy, name);
        }
        for (String name : CTX_NAMES) {
            replaceBySize(copy, name);
        }
        for (String name : CROP_NAMES) {
            replaceBySize(copy, name);
        }
        String s = copy.toString();
        return s.length() <= MAX_RAW_CHARS ? s : s.substring(0, MAX_RAW_CHARS) + "…[truncated]";
    }

    private static void replaceBySize(ObjectNode node, String field) {
        JsonNode v = node.get(field);
        if (v != null && v.isTextual()) {
            node.put(field, "[" + v.asText().length() + " bytes]");
        }
    }
}
