package routes.legacy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import routes.config.Setting;

/**
 * Translates the old TattileSender's {@code .env} into {@code .env} lines for tattile-sender ({@code admin import-legacy
 * --print-settings}; {@code deploy/setup.sh --from-python} applies the {@code KEY=VALUE} lines to this product's
 * {@code .env}, keeping values an operator already set there, and shows the {@code #} lines).
 *
 * <p>Only what the old file sets explicitly is translated: a key it leaves out took the old product's default, and
 * tattile-sender's own default stands for it (the one exception: {@code TRANSIT_PORT}, the cameras' port, always comes
 * out). Each rule follows what the old code did with the value ({@code app/config.py}, {@code app/logger.py},
 * {@code app/sender/worker.py}, {@code app/sender/mossos_client.py}):
 * <ul>
 * <li>{@code TRANSIT_PORT}, {@code SENDER_ENABLED}, {@code SENDER_POLL_INTERVAL_SECONDS},
 * {@code SENDER_MAX_BATCH_SIZE}, {@code SENDER_DEFAULT_BACKOFF_MS}, {@code MOSSOS_ENDPOINT_URL}: same name, the value
 * brought into this product's range (booleans as pydantic read them: {@code 1/0, yes/no, true/false, on/off, y/n,
 * t/f}, any case).</li>
 * <li>{@code SENDER_STUCK_TIMEOUT_SECONDS} → {@code SENDER_LEASE_SECONDS} (at least 10);
 * {@code SENDER_DEAD_RETENTION_MINUTES} → {@code SENDER_DEAD_RETENTION_DAYS} (rounded up, at least 1);
 * {@code SENDER_DEFAULT_RETRY_MAX} minus one (the old one counted sends in all, ours counts retries after the first
 * send; 0 or less is left out).</li>
 * <li>{@code LOG_LEVEL}: Python's names ({@code WARNING} → {@code WARN}, {@code CRITICAL}/{@code FATAL} →
 * {@code ERROR}, {@code NOTSET} → {@code DEBUG}).</li>
 * <li>{@code SOAP_DEBUG}: the old product logged envelopes only when it was exactly {@code 1}; so {@code true} only
 * then.</li>
 * <li>{@code MOSSOS_WSDL_URL}: copied unless it is a placeholder ({@code https://example.invalid/...} of the old
 * {@code .env.example}); this product's default is its packaged WSDL.</li>
 * <li>As {@code #} notes only: {@code MOSSOS_TIMEOUT} (this product times each endpoint), the old database's
 * {@code DB_*} (the import reads that database; no value is ever printed), the old {@code CERTS_DIR} and
 * {@code IMAGES_BASE_DIR}/{@code IMAGES_DIR} (the import copies their files into this product's folders),
 * {@code APP_ENV}, every other key ({@code OLD_KEY: no equivalent in tattile-sender}, without its value), and
 * guidance on {@code CAMERA_TIMEZONE}.</li>
 * </ul>
 * Every line is blank, a {@code #} comment, or {@code KEY=VALUE} with {@code KEY} a {@link Setting} and a value that
 * {@link routes.config.Settings#from} accepts; a translated line is preceded by a {@code #} line saying where it came
 * from when its name or value changed. No line ends in white space; {@link routes.config.EnvFile#parse} reads them.
 */
public final class LegacySettings {

    /** The old product's own keys (app/config.py, app/logger.py, mossos_client.py), upper-cased. */
    private static final Set<String> DB_KEYS = Set.of("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD");

    private static final Set<String> FOLDER_KEYS = Set.of("CERTS_DIR", "IMAGES_BASE_DIR", "IMAGES_DIR");
    private static final Set<String> TRANSLATED = Set.of(
            "TRANSIT_PORT",
            "LOG_LEVEL",
            "SENDER_ENABLED",
            "SENDER_POLL_INTERVAL_SECONDS",
            "SENDER_MAX_BATCH_SIZE",
            "SENDER_DEFAULT_RETRY_MAX",
            "SENDER_DEFAULT_BACKOFF_MS",
            "SENDER_STUCK_TIMEOUT_SECONDS",
            "SENDER_DEAD_RETENTION_MINUTES",
            "MOSSOS_ENDPOINT_URL",
            "MOSSOS_WSDL_URL",
            "MOSSOS_TIMEOUT",
            "SOAP_DEBUG",
            "APP_ENV");

    private static final Set<String> TRUE = Set.of("1", "on", "t", "true", "y", "yes");
    private static final Set<String> FALSE = Set.of("0", "off", "f", "false", "n", "no");

    private LegacySettings() {}

    /**
     * The {@code .env} lines for tattile-sender that carry over {@code old}'s settings, with {@code #} notes for what
     * does not carry over. Never contains the old {@code DB_PASSWORD} (nor any value of a key it does not know).
     */
    public static List<String> translate(LegacyEnv old) {
        Lines out = new Lines();
        Map<String, String> set = old.explicit();
        out.note("tattile-sender settings from the old TattileSender's " + old.file());
        out.note("KEY=VALUE lines are for tattile-sender's .env; a value already set there is kept");
        out.blank();

        String port = set.get("TRANSIT_PORT");
        if (port == null) {
            out.setting(
                    "TRANSIT_PORT", "33334", "TRANSIT_PORT not set in the old .env: its default, the cameras' port");
        } else {
            integer(out, "TRANSIT_PORT", port, Setting.TRANSIT_PORT, 1, 65_535, null, false);
        }
        if (set.containsKey("LOG_LEVEL")) {
            logLevel(out, set.get("LOG_LEVEL"));
        }
        if (set.containsKey("SENDER_ENABLED")) {
            String v = set.get("SENDER_ENABLED");
            Boolean b = bool(v);
            if (b == null) {
                out.notCopied("SENDER_ENABLED", v, "is not a boolean");
            } else {
                out.setting("SENDER_ENABLED", b.toString(), b.toString().equals(v) ? null : "from SENDER_ENABLED=" + v);
            }
        }
        if (set.containsKey("SENDER_POLL_INTERVAL_SECONDS")) {
            decimal(
                    out,
                    "SENDER_POLL_INTERVAL_SECONDS",
                    set.get("SENDER_POLL_INTERVAL_SECONDS"),
                    new BigDecimal("0.05"),
                    new BigDecimal(3600));
        }
        if (set.containsKey("SENDER_MAX_BATCH_SIZE")) {
            integer(
                    out,
                    "SENDER_MAX_BATCH_SIZE",
                    set.get("SENDER_MAX_BATCH_SIZE"),
                    Setting.SENDER_MAX_BATCH_SIZE,
                    1,
                    1000,
                    null,
                    true);
        }
        if (set.containsKey("SENDER_DEFAULT_RETRY_MAX")) {
            retryMax(out, set.get("SENDER_DEFAULT_RETRY_MAX"));
        }
        if (set.containsKey("SENDER_DEFAULT_BACKOFF_MS")) {
            integer(
                    out,
                    "SENDER_DEFAULT_BACKOFF_MS",
                    set.get("SENDER_DEFAULT_BACKOFF_MS"),
                    Setting.SENDER_DEFAULT_BACKOFF_MS,
                    1,
                    86_400_000,
                    "tattile-sender doubles it after each failure, up to SENDER_MAX_BACKOFF_MS",
                    true);
        }
        if (set.containsKey("SENDER_STUCK_TIMEOUT_SECONDS")) {
            integer(
                    out,
                    "SENDER_STUCK_TIMEOUT_SECONDS",
                    set.get("SENDER_STUCK_TIMEOUT_SECONDS"),
                    Setting.SENDER_LEASE_SECONDS,
                    10,
                    86_400,
                    null,
                    true);
        }
        if (set.containsKey("SENDER_DEAD_RETENTION_MINUTES")) {
            deadRetention(out, set.get("SENDER_DEAD_RETENTION_MINUTES"));
        }
        if (set.containsKey("MOSSOS_ENDPOINT_URL")) {
            url(out, "MOSSOS_ENDPOINT_URL", set.get("MOSSOS_ENDPOINT_URL"));
        }
        if (set.containsKey("MOSSOS_WSDL_URL")) {
            url(out, "MOSSOS_WSDL_URL", set.get("MOSSOS_WSDL_URL"));
        }
        if (set.containsKey("MOSSOS_TIMEOUT")) {
            out.blank();
            out.note("MOSSOS_TIMEOUT=" + set.get("MOSSOS_TIMEOUT")
                    + " (seconds, for every send): not copied; tattile-sender times each endpoint");
            out.note("  (its timeout_ms: admin endpoint)");
        }
        if (set.containsKey("SOAP_DEBUG")) {
            soapDebug(out, set.get("SOAP_DEBUG"));
        }

        out.blank();
        out.note("CAMERA_TIMEZONE=Europe/Madrid");
        out.note("  ^ set it to the zone the cameras' clocks really use. The old product stored a camera's local");
        out.note("  time as if it were UTC and sent it so; tattile-sender converts new readings from CAMERA_TIMEZONE,");
        out.note("  so the times it sends for new readings change (imported readings keep the time the old one would");
        out.note("  have sent).");

        out.blank();
        out.note("Old folders (not settings here: the import copies their files into tattile-sender's");
        out.note("IMAGES_BASE_DIR and CERTS_DIR):");
        out.note("  images " + old.folder("IMAGES_BASE_DIR")
                + (set.containsKey("IMAGES_BASE_DIR")
                        ? " (IMAGES_BASE_DIR)"
                        : set.containsKey("IMAGES_DIR") ? " (IMAGES_DIR)" : " (the old default)"));
        out.note("  certificates " + old.folder("CERTS_DIR")
                + (set.containsKey("CERTS_DIR") ? " (CERTS_DIR)" : " (the old default)"));
        List<String> db = set.keySet().stream().filter(DB_KEYS::contains).toList();
        if (!db.isEmpty()) {
            out.note(String.join(", ", db) + ": the old database; the import reads it, tattile-sender keeps its own");
        }
        if (set.containsKey("APP_ENV")) {
            out.note("APP_ENV: no equivalent in tattile-sender");
        }
        Set<Setting> ours = EnumSet.allOf(Setting.class);
        Set<String> ourNames = ours.stream().map(Enum::name).collect(Collectors.toSet());
        for (String key : set.keySet()) {
            if (TRANSLATED.contains(key) || DB_KEYS.contains(key) || FOLDER_KEYS.contains(key)) {
                continue;
            }
            out.note(key
                    + (ourNames.contains(key)
                            ? ": the old product did not read it; not copied"
                            : ": no equivalent in tattile-sender"));
        }
        return out.lines;
    }

    private static void logLevel(Lines out, String v) {
        String upper = v.strip().toUpperCase(Locale.ROOT);
        String ours = switch (upper) {
            case "DEBUG", "INFO", "ERROR" -> upper;
            case "WARNING", "WARN" -> "WARN";
            case "CRITICAL", "FATAL" -> "ERROR";
            case "NOTSET" -> "DEBUG";
            default -> null;
        };
        if (ours == null) {
            out.notCopied("LOG_LEVEL", v, "is not a Python log level");
        } else {
            out.setting("LOG_LEVEL", ours, ours.equals(v) ? null : "from LOG_LEVEL=" + v);
        }
    }

    private static void soapDebug(Lines out, String v) {
        Boolean b = bool(v);
        if ("1".equals(v)) {
            out.setting("SOAP_DEBUG", "true", "from SOAP_DEBUG=1");
        } else if (Boolean.TRUE.equals(b)) {
            out.setting(
                    "SOAP_DEBUG",
                    "false",
                    "from SOAP_DEBUG=" + v + ": the old product logged envelopes only with 1, so it did not");
        } else {
            out.setting("SOAP_DEBUG", "false", "false".equals(v) ? null : "from SOAP_DEBUG=" + v);
        }
    }

    private static void retryMax(Lines out, String v) {
        BigDecimal n = number(v);
        if (n == null || n.stripTrailingZeros().scale() > 0) {
            out.notCopied("SENDER_DEFAULT_RETRY_MAX", v, "is not a whole number");
        } else if (n.signum() <= 0) {
            out.notCopied(
                    "SENDER_DEFAULT_RETRY_MAX",
                    v,
                    "is not a number of sends (tattile-sender's default: "
                            + Setting.SENDER_DEFAULT_RETRY_MAX.defaultValue() + " retries)");
        } else {
            BigDecimal retries = n.subtract(BigDecimal.ONE).min(BigDecimal.valueOf(1000));
            out.setting(
                    "SENDER_DEFAULT_RETRY_MAX",
                    retries.toBigInteger().toString(),
                    "from SENDER_DEFAULT_RETRY_MAX=" + v
                            + " (sends in all; tattile-sender counts retries after the first"
                            + (retries.intValue() == 1000 ? ", at most 1000)" : ")"));
        }
    }

    private static void deadRetention(Lines out, String v) {
        BigDecimal minutes = number(v);
        if (minutes == null) {
            out.notCopied("SENDER_DEAD_RETENTION_MINUTES", v, "is not a number");
            return;
        }
        BigDecimal days = minutes.divide(BigDecimal.valueOf(1440), 0, RoundingMode.CEILING)
                .max(BigDecimal.ONE)
                .min(BigDecimal.valueOf(3650));
        out.setting(
                "SENDER_DEAD_RETENTION_DAYS",
                days.toBigInteger().toString(),
                "from SENDER_DEAD_RETENTION_MINUTES=" + v + " (whole days, at least 1)");
    }

    /**
     * An integer setting: the old value, brought into [min, max] when {@code clamp} (else left out when outside), with a
     * note saying where it came from when its name or value changed ({@code why}: more of that note, or null).
     */
    private static void integer(
            Lines out, String oldKey, String v, Setting target, long min, long max, String why, boolean clamp) {
        BigDecimal n = number(v);
        if (n == null || n.stripTrailingZeros().scale() > 0) {
            out.notCopied(oldKey, v, "is not a whole number");
            return;
        }
        BigDecimal kept = n.max(BigDecimal.valueOf(min)).min(BigDecimal.valueOf(max));
        if (kept.compareTo(n) != 0 && !clamp) {
            out.notCopied(oldKey, v, "is not between " + min + " and " + max);
            return;
        }
        String value = kept.toBigInteger().toString();
        String comment = null;
        if (kept.compareTo(n) != 0) {
            comment = "from " + oldKey + "=" + v + " ("
                    + (n.compareTo(kept) < 0
                            ? "raised to tattile-sender's minimum "
                            : "lowered to tattile-sender's maximum ")
                    + value + ")";
        } else if (!target.name().equals(oldKey) || !value.equals(v) || why != null) {
            comment = "from " + oldKey + "=" + v + (why == null ? "" : " (" + why + ")");
        }
        out.setting(target.name(), value, comment);
    }

    private static void decimal(Lines out, String key, String v, BigDecimal min, BigDecimal max) {
        BigDecimal n = number(v);
        if (n == null) {
            out.notCopied(key, v, "is not a number");
            return;
        }
        BigDecimal kept = n.max(min).min(max);
        String value = kept.stripTrailingZeros().toPlainString();
        String comment = null;
        if (kept.compareTo(n) != 0) {
            comment = "from " + key + "=" + v + " ("
                    + (n.compareTo(kept) < 0
                            ? "raised to tattile-sender's minimum "
                            : "lowered to tattile-sender's maximum ")
                    + value + ")";
        } else if (!value.equals(v)) {
            comment = "from " + key + "=" + v;
        }
        out.setting(key, value, comment);
    }

    private static void url(Lines out, String key, String v) {
        if (v.isBlank()) {
            return;
        }
        String url = v.strip();
        boolean wsdl = key.equals("MOSSOS_WSDL_URL");
        String ourDefault =
                wsdl ? "tattile-sender uses its packaged WSDL" : "set endpoints with admin endpoint, or this key";
        if (isPlaceholder(url)) {
            out.blank();
            out.note(key + "=" + url + " is the old .env.example's placeholder: not copied");
            out.note("  (" + ourDefault + ")");
        } else if (!wsdl && !url.matches("https?://\\S+")) {
            out.notCopied(key, v, "is not an http:// or https:// URL");
        } else {
            out.setting(
                    key,
                    url,
                    wsdl
                            ? "from MOSSOS_WSDL_URL (tattile-sender's default: its packaged WSDL, "
                                    + Setting.MOSSOS_WSDL_URL.defaultValue() + ")"
                            : null);
        }
    }

    /** A URL on a host reserved for examples (RFC 2606/6761: .invalid, .example, example.com/.net/.org). */
    static boolean isPlaceholder(String url) {
        String host;
        try {
            host = new URI(url).getHost();
        } catch (URISyntaxException e) {
            return false;
        }
        if (host == null) {
            return false;
        }
        host = host.toLowerCase(Locale.ROOT);
        return host.equals("invalid")
                || host.endsWith(".invalid")
                || host.equals("example")
                || host.endsWith(".example")
                || host.matches("(.+\\.)?example\\.(com|net|org)");
    }

    /** pydantic's reading of a boolean; null when it is none. */
    static Boolean bool(String v) {
        String t = v.strip().toLowerCase(Locale.ROOT);
        return TRUE.contains(t) ? Boolean.TRUE : FALSE.contains(t) ? Boolean.FALSE : null;
    }

    private static BigDecimal number(String v) {
        try {
            return new BigDecimal(v.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The output, kept valid for EnvFile.parse: values needing it are quoted, no line ends in white space. */
    private static final class Lines {
        final List<String> lines = new ArrayList<>();

        void note(String text) {
            lines.add(("# " + oneLine(text)).stripTrailing());
        }

        void blank() {
            if (!lines.isEmpty() && !lines.get(lines.size() - 1).isEmpty()) {
                lines.add("");
            }
        }

        void setting(String key, String value, String from) {
            if (from != null) {
                blank();
                note(from);
            }
            lines.add(key + "=" + quoted(value));
        }

        void notCopied(String key, String value, String why) {
            blank();
            note(key + "=" + value + " in the old .env " + why + ": not copied");
        }

        private static String oneLine(String s) {
            return s.replaceAll("[\\r\\n]", " ");
        }

        /** EnvFile.parse removes one pair of matching quotes and nothing else, so "value" always reads back as value. */
        private static String quoted(String v) {
            boolean plain = !v.isEmpty()
                    && v.chars().noneMatch(c -> Character.isWhitespace(c) || c == '#' || c == '"' || c == '\'');
            return plain ? v : "\"" + v + "\"";
        }
    }
}
