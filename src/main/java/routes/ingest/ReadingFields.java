package routes.ingest;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rules for each field of a reading, shared by every source (Tattile XML, Lector Vision JSON) and by
 * the admin commands (a camera serial is checked the same way when it is registered).
 */
public final class ReadingFields {

    /** Plates: ASCII letters and digits, spaces and '-' inside; at most 16 characters. Stored upper case. */
    private static final Pattern PLATE = Pattern.compile("[A-Z0-9](?:[A-Z0-9 -]{0,14}[A-Z0-9])?");
    /** Serials: ASCII letters, digits, '-' and '_'; at most 64 characters. No '.', '/', NUL: nothing path-like. */
    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private static final Pattern DATE = Pattern.compile("(\\d{4})[-/](\\d{2})[-/](\\d{2})");
    private static final Pattern TIME = Pattern.compile("(\\d{2})[-:](\\d{2})[-:](\\d{2})(?:[-.:](\\d{1,3}))?");
    private static final int MAX_TEXT = 200;

    private ReadingFields() {}

    public static String plate(String raw) {
        String v = required(raw, "PLATE_STRING").toUpperCase(Locale.ROOT);
        if (!PLATE.matcher(v).matches()) {
            throw new RejectedReadingException(Rejection.INVALID_FIELD, "PLATE_STRING no válida: " + shown(raw));
        }
        return v;
    }

    public static boolean isValidSerial(String s) {
        return s != null && SERIAL.matcher(s).matches();
    }

    public static String serial(String raw) {
        String v = required(raw, "DEVICE_SN");
        if (!isValidSerial(v)) {
            throw new RejectedReadingException(Rejection.INVALID_FIELD, "DEVICE_SN no válido: " + shown(raw));
        }
        return v;
    }

    /** {@code YYYY-MM-DD} or {@code YYYY/MM/DD} with {@code HH-MM-SS-mmm}, {@code HH:MM:SS} or {@code HH:MM:SS.mmm}. */
    public static LocalDateTime localTime(String rawDate, String rawTime) {
        String d = required(rawDate, "DATE");
        String t = required(rawTime, "TIME");
        var dm = DATE.matcher(d);
        var tm = TIME.matcher(t);
        if (!dm.matches()) {
            throw new RejectedReadingException(Rejection.INVALID_FIELD, "DATE no válida: " + shown(d));
        }
        if (!tm.matches()) {
            throw new RejectedReadingException(Rejection.INVALID_FIELD, "TIME no válida: " + shown(t));
        }
        try {
            LocalDate date = LocalDate.of(
                    Integer.parseInt(dm.group(1)), Integer.parseInt(dm.group(2)), Integer.parseInt(dm.group(3)));
            String ms = tm.group(4);
            int millis = ms == null ? 0 : Integer.parseInt((ms + "00").substring(0, 3));
            LocalTime time = LocalTime.of(
                    Integer.parseInt(tm.group(1)),
                    Integer.parseInt(tm.group(2)),
                    Integer.parseInt(tm.group(3)),
                    millis * 1_000_000);
            return LocalDateTime.of(date, time);
        } catch (DateTimeException e) {
            throw new RejectedReadingException(
                    Rejection.INVALID_FIELD, "fecha u hora imposible: " + shown(d) + " " + shown(t));
        }
    }

    /** Free text: trimmed, control characters removed, at most 200 characters; blank is null. */
    public static String text(String raw) {
        if (raw == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(raw.length(), MAX_TEXT));
        for (int i = 0; i < raw.length() && b.length() < MAX_TEXT; i++) {
            char c = raw.charAt(i);
            if (!Character.isISOControl(c)) {
                b.append(c);
            }
        }
        String v = b.toString().strip();
        return v.isEmpty() ? null : v;
    }

    /** An optional integer: absent or not a number is null (the reading is still stored). */
    public static Integer integer(String raw) {
        String v = text(raw);
        if (v == null || v.length() > 10) {
            return null;
        }
        try {
            return Integer.valueOf(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** An optional decimal such as an OCR score (0–100, or 0–1 on some firmware); not a number is null. */
    public static BigDecimal decimal(String raw) {
        String v = text(raw);
        if (v == null || v.length() > 12) {
            return null;
        }
        try {
            BigDecimal d = new BigDecimal(v.replace(',', '.'));
            return d.abs().compareTo(BigDecimal.valueOf(10_000)) < 0 ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Strict Base64 (line breaks tolerated, nothing else): the decoded bytes, or null when absent or
     * undecodable.
     */
    public static byte[] image(String base64) {
        if (base64 == null) {
            return null;
        }
        String v = base64;
        if (hasWhitespace(v)) {
            v = v.replaceAll("\\s+", "");
        }
        if (v.isEmpty()) {
            return null;
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(v);
            return bytes.length == 0 ? null : bytes;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean hasWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == ' ' || c == '\t') {
                return true;
            }
        }
        return false;
    }

    private static String required(String raw, String name) {
        String v = raw == null ? null : raw.strip();
        if (v == null || v.isEmpty()) {
            throw new RejectedReadingException(Rejection.MISSING_FIELD, "falta " + name);
        }
        return v;
    }

    /** A hostile value made safe to log: printable ASCII only, at most 40 characters. */
    public static String shown(String raw) {
        if (raw == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < raw.length() && b.length() < 40; i++) {
            char c = raw.charAt(i);
            b.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        if (raw.length() > 40) {
            b.append("…(").append(raw.length()).append(')');
        }
        return "'" + b + "'";
    }
}
