package routes.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import routes.ingest.SourceAllowList;
import routes.store.CameraSilence;

/** The shape a setting's value must have; {@link #check} returns an error text or null. */
public interface Kind {

    /** Flows a process can run (see {@code TATTILE_FLOWS}). */
    Set<String> FLOWS_KNOWN = Set.of("ingest", "sender", "maintenance", "api");

    String check(String value);

    default boolean secret() {
        return false;
    }

    Kind TEXT = v -> v.isBlank() ? "must not be empty" : null;

    Kind SECRET = new Kind() {
        @Override
        public String check(String value) {
            return null;
        }

        @Override
        public boolean secret() {
            return true;
        }
    };

    Kind PORT = positive(1, 65_535);

    Kind OPTIONAL_PORT =
            v -> v.isEmpty() || PORT.check(v) == null ? null : "must be empty (off) or an integer between 1 and 65535";

    Kind BOOLEAN = v -> v.equals("true") || v.equals("false") ? null : "must be true or false";

    Kind ZONE = v -> {
        try {
            ZoneId.of(v);
            return null;
        } catch (DateTimeException e) {
            return "must be a time zone such as Europe/Madrid";
        }
    };

    Kind LOG_LEVEL = v -> Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(v.toUpperCase(Locale.ROOT))
            ? null
            : "must be one of TRACE, DEBUG, INFO, WARN, ERROR";

    Kind FLOWS = v -> {
        if (v.equals("all")) {
            return null;
        }
        for (String flow : v.split(",")) {
            if (!FLOWS_KNOWN.contains(flow.trim())) {
                return "must be 'all' or a comma list of "
                        + String.join(",", FLOWS_KNOWN.stream().sorted().toList());
            }
        }
        return null;
    };

    Kind OPTIONAL_TEXT = v -> null;

    /** A camera's allowed silence: 1h, 30m, 2d, 90s or none. */
    Kind SILENCE = v -> CameraSilence.seconds(v) == null ? CameraSilence.PROBLEM : null;

    Kind CIDR_LIST = v -> {
        try {
            SourceAllowList.parseList(v);
            return null;
        } catch (IllegalArgumentException e) {
            return "must be a comma list of IP addresses or CIDR blocks (e.g. 192.0.2.0/24,2001:db8::/32): "
                    + e.getMessage();
        }
    };

    Kind OPTIONAL_IDENTIFIER = v ->
            v.isEmpty() || v.matches("[A-Za-z0-9._:-]{1,100}") ? null : "must be letters, digits, '.', '_', ':' or '-'";

    Kind OPTIONAL_DIRECTORY = v -> v.isEmpty() || Files.isDirectory(Path.of(v)) ? null : "must be an existing folder";

    Kind OPTIONAL_URL = v -> v.isEmpty() || v.matches("https?://\\S+") ? null : "must be an http:// or https:// URL";

    /** An S3 bucket name as every S3-compatible service takes it: 3-63 lower-case letters, digits, '.' or '-'. */
    Kind OPTIONAL_BUCKET = v -> v.isEmpty() || v.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]") && !v.contains("..")
            ? null
            : "must be a bucket name: 3-63 lower-case letters, digits, '.' or '-', starting and ending with a letter or digit";

    Kind REGION = v -> v.matches("[A-Za-z0-9_-]{1,64}") ? null : "must be a region name such as us-east-1";

    /** Folder-like segments of safe characters, '/' between them (a trailing '/' is added when missing). */
    Kind OPTIONAL_KEY_PREFIX = v ->
            v.isEmpty() || v.matches("[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*/?") && !v.matches("(?:.*/)?\\.{1,2}(?:/.*)?")
                    ? null
                    : "must be empty or segments of letters, digits, '.', '_' or '-' separated by '/' (e.g. tattile/images/)";

    static Kind oneOf(String... values) {
        List<String> allowed = List.of(values);
        return v -> allowed.contains(v) ? null : "must be one of " + String.join(", ", allowed);
    }

    static Kind decimal(double min, double max) {
        return v -> {
            try {
                double d = Double.parseDouble(v);
                return d >= min && d <= max ? null : "must be a number between " + min + " and " + max;
            } catch (NumberFormatException e) {
                return "must be a number between " + min + " and " + max;
            }
        };
    }

    static Kind positive(long min, long max) {
        return v -> {
            try {
                long n = Long.parseLong(v);
                return n >= min && n <= max ? null : "must be an integer between " + min + " and " + max;
            } catch (NumberFormatException e) {
                return "must be an integer between " + min + " and " + max;
            }
        };
    }
}
