package routes.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import routes.cli.CommandFailedException;
import routes.config.Setting;
import routes.config.Settings;
import routes.ingest.ReadingFields;
import routes.store.Change;
import routes.store.ImageStorage;
import routes.store.ImageStore;

/** What the admin commands share: checks of operator input, the "none" keyword, JSON output. */
final class AdminSupport {

    /** The value that clears an optional reference or setting (--endpoint none, --timezone none). */
    static final String NONE = "none";

    private static final ObjectMapper JSON = new ObjectMapper();

    private AdminSupport() {}

    /** Prints a value (maps, lists, strings, numbers, booleans) as one line of JSON. */
    static void printJson(CommandSpec spec, Object value) {
        try {
            spec.commandLine().getOut().println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An ordered map from key/value pairs, for JSON output. */
    static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** ISO-8601 (UTC) or null. */
    static String iso(Instant t) {
        return t == null ? null : t.toString();
    }

    /** A length of time for people: 45s, 12m 05s, 3h 07m, 2d 04h. */
    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format("%dm %02ds", seconds / 60, seconds % 60);
        }
        if (seconds < 86_400) {
            return String.format("%dh %02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return String.format("%dd %02dh", seconds / 86_400, seconds % 86_400 / 3600);
    }

    static String orDash(Object o) {
        return o == null ? "-" : o.toString();
    }

    /**
     * The image store IMAGE_STORE selects (commands only delete: no fsync). An image a command could not delete (an
     * S3 bucket that does not answer) is left to the orphan sweep.
     */
    static ImageStorage images(Settings settings) {
        return settings.imageStorage(false);
    }

    /** The image folder, for what only works on one (the legacy import hands files over to the service's user). */
    static ImageStore imageFolder(Settings settings) {
        if (!settings.text(Setting.IMAGE_STORE).equals("folder")) {
            throw new CommandFailedException(
                    "This command copies images into IMAGES_BASE_DIR: it needs IMAGE_STORE=folder" + " (IMAGE_STORE="
                            + settings.text(Setting.IMAGE_STORE) + ")");
        }
        return new ImageStore(settings.path(Setting.IMAGES_BASE_DIR), false);
    }

    static void checkSerial(String serial) {
        if (!ReadingFields.isValidSerial(serial)) {
            throw new CommandFailedException("Invalid serial '" + serial + "': use 1-64 letters, digits, '-' or '_'");
        }
    }

    static void checkZone(String timezone) {
        try {
            ZoneId.of(timezone);
        } catch (DateTimeException e) {
            throw new CommandFailedException("Invalid time zone '" + timezone + "': use a name such as Europe/Madrid");
        }
    }

    /** A municipality or endpoint name: 1-200 characters; returned stripped. */
    static String checkName(String what, String name) {
        String n = name.strip();
        if (n.isEmpty() || n.length() > 200) {
            throw new CommandFailedException(what + " name must be 1-200 characters");
        }
        return n;
    }

    /** The name of something cameras and municipalities refer to: also not "none" (it clears) nor "global" (status's default). */
    static String checkReferenceName(String what, String name) {
        String n = checkName(what, name);
        if (n.equalsIgnoreCase(NONE) || n.equalsIgnoreCase("global")) {
            throw new CommandFailedException(what + " name '" + n + "' is reserved");
        }
        return n;
    }

    static void checkUrl(String url) {
        boolean ok = url.matches("https?://\\S+");
        if (ok) {
            try {
                ok = new URI(url).getHost() != null;
            } catch (URISyntaxException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new CommandFailedException("Invalid URL '" + url + "': use an http:// or https:// URL");
        }
    }

    static void checkPositive(String option, Integer value) {
        if (value != null && value <= 0) {
            throw new CommandFailedException(option + " must be a positive number (got " + value + ")");
        }
    }

    static void checkNotNegative(String option, Integer value) {
        if (value != null && value < 0) {
            throw new CommandFailedException(option + " must be 0 or more (got " + value + ")");
        }
    }

    static void checkFinite(String option, Double value) {
        if (value != null && !Double.isFinite(value)) {
            throw new CommandFailedException(option + " must be a finite number");
        }
    }

    /** A queue status given by the operator, upper-cased and checked. */
    static String status(String value, List<String> allowed) {
        String s = value.strip().toUpperCase(Locale.ROOT);
        if (!allowed.contains(s)) {
            throw new CommandFailedException("Invalid status '" + value + "': use " + String.join(", ", allowed));
        }
        return s;
    }

    /** Absent stays absent; a value becomes a change; for free text an empty value clears. */
    static <T> Change<T> change(T value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String s && s.isEmpty()) {
            return Change.to(null);
        }
        return Change.to(value);
    }

    static boolean isNone(String value) {
        return NONE.equalsIgnoreCase(value);
    }

    /** "a, b, c" or "a, b, c, d, e and 4 more". */
    static String names(List<String> names) {
        int shown = Math.min(names.size(), 5);
        String listed = String.join(", ", names.subList(0, shown));
        return names.size() > shown ? listed + " and " + (names.size() - shown) + " more" : listed;
    }

    /** Who runs an admin command, as the audit log names it: "cli:" and the operating-system user. */
    static String cliActor() {
        return "cli:" + System.getProperty("user.name", "unknown");
    }

    static String plural(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    /** An age for {@code --older-than}: days as {@code 30} or {@code 30d}, or weeks as {@code 4w}; at least 1 day. */
    static int days(String option, String value) {
        var m = Pattern.compile("(\\d{1,5})([dw]?)")
                .matcher(value == null ? "" : value.strip().toLowerCase(Locale.ROOT));
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1) {
            throw new CommandFailedException(option
                    + " must be a number of days such as 30 or 30d (or weeks: 4w), at least 1 (got '" + value + "')");
        }
        return Integer.parseInt(m.group(1)) * ("w".equals(m.group(2)) ? 7 : 1);
    }
}
