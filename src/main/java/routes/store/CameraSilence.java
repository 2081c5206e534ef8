package routes.store;

import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a camera may stay silent before it is reported: a period such as {@code 90s}, {@code 30m}, {@code 1h} or
 * {@code 2d} (a bare number is seconds), or {@code none} (not watched, 0 seconds). The same words in {@code
 * CAMERA_SILENCE_DEFAULT}, {@code admin camera add|update --expect-readings-within} and {@code admin camera list
 * --silent}.
 */
public final class CameraSilence {

    private static final Pattern PERIOD = Pattern.compile("(\\d{1,9})\\s*([smhdw]?)");
    /** Ten years: longer is a typo, not an expectation. */
    private static final long MAX_SECONDS = 10L * 366 * 86_400;

    private CameraSilence() {}

    /** Seconds of the period, 0 for {@code none}; null when the text is not a period (with {@link #PROBLEM}). */
    public static Long seconds(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("none") || t.equals("0")) {
            return 0L;
        }
        Matcher m = PERIOD.matcher(t);
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2)) {
            case "m" -> 60;
            case "h" -> 3600;
            case "d" -> 86_400;
            case "w" -> 7 * 86_400;
            default -> 1;
        };
        long seconds = n * unit;
        return seconds > MAX_SECONDS ? null : seconds;
    }

    /** What a valid text looks like, for error messages. */
    public static final String PROBLEM =
            "must be a period such as 90s, 30m, 1h or 2d (at most ten years), or none (not watched)";

    /** Seconds since the camera's latest reading, or since it was registered when it never sent one (never < 0). */
    public static long silentFor(Instant lastReadingAt, Instant registeredAt, Instant now) {
        Instant since = lastReadingAt != null ? lastReadingAt : registeredAt;
        return Math.max(0, now.getEpochSecond() - since.getEpochSecond());
    }

    /** The silence a camera is allowed: its own expectation ({@code own}, 0 = never), else the default; 0: not watched. */
    public static long allowed(Integer own, long defaultSeconds) {
        return own != null ? own : defaultSeconds;
    }

    /** The shortest text for a number of seconds ({@code 1h}, {@code 90m}, {@code none}). */
    public static String format(long seconds) {
        if (seconds <= 0) {
            return "none";
        }
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
