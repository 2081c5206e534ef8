package routes.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import routes.store.DatabaseConfig;
import routes.store.ImageStorage;
import routes.store.ImageStore;
import routes.store.S3Config;
import routes.store.S3ImageStore;

/**
 * The validated configuration: every {@link Setting} with its value from the given source, or its default.
 * Built once at start-up; an invalid value stops start-up with one message naming the key.
 */
public final class Settings {

    private final Map<Setting, String> values;

    private Settings(Map<Setting, String> values) {
        this.values = values;
    }

    /**
     * @param source looks a key up (environment, .env file, Camel properties); null or blank means "use the default"
     * @throws InvalidSettingException naming the first bad key
     */
    public static Settings from(Function<String, String> source) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            String raw = source.apply(s.name());
            String value = raw == null || raw.isBlank() ? s.defaultValue() : raw.trim();
            if (s == Setting.SENDER_INSTANCE_ID && value.isEmpty()) {
                value = defaultInstanceId();
            }
            String problem = s.kind().check(value);
            if (problem != null) {
                String shown = s.kind().secret() ? "***" : value;
                throw new InvalidSettingException("Invalid configuration: " + s.name() + "='" + shown + "' " + problem);
            }
            values.put(s, value);
        }
        String owner = values.get(Setting.DB_OWNER_USER);
        if (owner.equals(values.get(Setting.DB_USER))) {
            throw new InvalidSettingException(
                    "Invalid configuration: DB_OWNER_USER='" + owner + "' must differ from DB_USER (the owner migrates,"
                            + " DB_USER only reads and writes data; leave DB_OWNER_USER empty for one role)");
        }
        if (values.get(Setting.INGEST_PROXY_PROTOCOL).equals("true")
                && values.get(Setting.INGEST_PROXY_SOURCES).isEmpty()) {
            throw new InvalidSettingException("Invalid configuration: INGEST_PROXY_SOURCES is empty but"
                    + " INGEST_PROXY_PROTOCOL=true: list the balancers' addresses (CIDR blocks) allowed to send PROXY"
                    + " headers, since whoever may send one can claim any camera's address");
        }
        String lectorVision = values.get(Setting.LECTORVISION_PORT);
        for (Setting other : new Setting[] {Setting.TRANSIT_PORT, Setting.API_PORT, Setting.JOLOKIA_PORT}) {
            if (lectorVision.equals(values.get(other))) {
                throw new InvalidSettingException("Invalid configuration: LECTORVISION_PORT='" + lectorVision
                        + "' must differ from " + other.name() + " (each listener needs its own port)");
            }
        }
        if (values.get(Setting.IMAGE_STORE).equals("s3")) {
            checkS3(values, "IMAGE_STORE=s3");
        }
        return new Settings(values);
    }

    /**
     * With IMAGE_STORE=s3 (or for a command that uses the bucket whatever IMAGE_STORE says, named by {@code
     * neededBy}): the keys it needs are set, and the secret comes from one place.
     */
    private static void checkS3(Map<Setting, String> values, String neededBy) {
        for (Setting needed : new Setting[] {Setting.S3_ENDPOINT, Setting.S3_BUCKET, Setting.S3_ACCESS_KEY_ID}) {
            if (values.get(needed).isEmpty()) {
                throw new InvalidSettingException("Invalid configuration: " + needed.name() + " is empty but "
                        + neededBy + " needs it (" + needed.description() + ")");
            }
        }
        String endpoint = values.get(Setting.S3_ENDPOINT);
        try {
            if (URI.create(endpoint).getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("Invalid configuration: S3_ENDPOINT='" + endpoint
                    + "' must be an http:// or https:// URL with a host (e.g. http://127.0.0.1:3900)");
        }
        boolean file = !values.get(Setting.S3_SECRET_ACCESS_KEY_FILE).isEmpty();
        boolean inline = !values.get(Setting.S3_SECRET_ACCESS_KEY).isEmpty();
        if (file == inline) {
            throw new InvalidSettingException("Invalid configuration: S3_SECRET_ACCESS_KEY_FILE "
                    + (file ? "and S3_SECRET_ACCESS_KEY are both set" : "is empty")
                    + ": " + neededBy + " takes the secret key from one of them (the file is preferred)");
        }
    }

    /** The Lector Vision forwarder's port, when {@code LECTORVISION_PORT} is set. */
    public OptionalInt lectorVisionPort() {
        String v = text(Setting.LECTORVISION_PORT);
        return v.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(v));
    }

    private static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "host";
        }
        return (host.replaceAll("[^A-Za-z0-9._-]", "_") + ":"
                + ProcessHandle.current().pid());
    }

    public static Settings defaults() {
        return from(key -> null);
    }

    public String text(Setting s) {
        return values.get(s);
    }

    public int integer(Setting s) {
        return Integer.parseInt(values.get(s));
    }

    public boolean flag(Setting s) {
        return Boolean.parseBoolean(values.get(s));
    }

    public Path path(Setting s) {
        return Path.of(values.get(s)).toAbsolutePath().normalize();
    }

    public double decimal(Setting s) {
        return Double.parseDouble(values.get(s));
    }

    public ZoneId zone(Setting s) {
        return ZoneId.of(values.get(s));
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + text(Setting.DB_HOST) + ":" + text(Setting.DB_PORT) + "/" + text(Setting.DB_NAME);
    }

    /** How to reach the database, as the plain values the store takes. */
    public DatabaseConfig database() {
        return new DatabaseConfig(
                jdbcUrl(),
                text(Setting.DB_NAME),
                text(Setting.DB_USER),
                text(Setting.DB_PASSWORD),
                integer(Setting.DB_POOL_SIZE),
                integer(Setting.DB_CONNECT_TIMEOUT_MS),
                flag(Setting.DB_MIGRATE_ON_START),
                text(Setting.DB_OWNER_USER));
    }

    /** The first line of DB_OWNER_PASSWORD_FILE; only {@code db migrate} reads it, and it is never printed. */
    public String ownerPassword() {
        String file = text(Setting.DB_OWNER_PASSWORD_FILE);
        if (file.isEmpty()) {
            throw new InvalidSettingException(
                    "Invalid configuration: DB_OWNER_PASSWORD_FILE is empty but DB_OWNER_USER='"
                            + text(Setting.DB_OWNER_USER)
                            + "' is set: 'db migrate' connects as that role with the password on the file's first line");
        }
        return firstLine(
                Setting.DB_OWNER_PASSWORD_FILE,
                file,
                false,
                "it holds DB_OWNER_USER's password; run 'db migrate' as root",
                "DB_OWNER_USER's password");
    }

    /** How often the sender's lease recovery runs: a quarter of the lease, at most every 15 s. */
    public long leaseRecoveryMillis() {
        return Math.min(15_000, integer(Setting.SENDER_LEASE_SECONDS) * 250L);
    }

    /** {@code MAINTENANCE_INTERVAL_MINUTES} in milliseconds. */
    public long maintenanceIntervalMillis() {
        return Math.round(decimal(Setting.MAINTENANCE_INTERVAL_MINUTES) * 60_000);
    }

    /**
     * The image store {@code IMAGE_STORE} selects, opened (one S3 client for the process: close it at the end). The
     * folder fsyncs per {@code IMAGES_FSYNC} when {@code honourFsync} (the service); admin commands, which only
     * delete, pass false.
     */
    public ImageStorage imageStorage(boolean honourFsync) {
        if (text(Setting.IMAGE_STORE).equals("s3")) {
            return new S3ImageStore(s3());
        }
        return new ImageStore(path(Setting.IMAGES_BASE_DIR), honourFsync && flag(Setting.IMAGES_FSYNC));
    }

    /** How to reach the bucket, the secret read from S3_SECRET_ACCESS_KEY_FILE (or S3_SECRET_ACCESS_KEY); never printed. */
    public S3Config s3() {
        return s3("IMAGE_STORE=s3");
    }

    /**
     * The bucket of the S3_* settings for a command that uses it whatever IMAGE_STORE says ({@code admin images migrate
     * --to s3} runs while IMAGE_STORE is still folder): the same checks as at start-up with IMAGE_STORE=s3, the
     * messages naming {@code neededBy}.
     */
    public S3Config s3(String neededBy) {
        checkS3(values, neededBy);
        String prefix = text(Setting.S3_PREFIX);
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix += "/";
        }
        return new S3Config(
                URI.create(text(Setting.S3_ENDPOINT)),
                text(Setting.S3_BUCKET),
                text(Setting.S3_REGION),
                text(Setting.S3_ACCESS_KEY_ID),
                s3Secret(),
                flag(Setting.S3_PATH_STYLE),
                prefix);
    }

    private String s3Secret() {
        String file = text(Setting.S3_SECRET_ACCESS_KEY_FILE);
        if (file.isEmpty()) {
            return text(Setting.S3_SECRET_ACCESS_KEY);
        }
        return firstLine(
                Setting.S3_SECRET_ACCESS_KEY_FILE,
                file,
                true,
                "it holds the S3 secret access key on its first line, readable by the service's user",
                "the S3 secret access key");
    }

    /**
     * The first line of a secret's file, never printed: an unreadable file or an empty first line (blank, when
     * {@code strip}: the line is then returned stripped) stops with one line naming the key.
     */
    private static String firstLine(Setting key, String file, boolean strip, String unreadable, String mustHold) {
        String line;
        try (BufferedReader in = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            line = in.readLine();
        } catch (IOException | RuntimeException e) {
            throw new InvalidSettingException("Invalid configuration: " + key.name() + "='" + file
                    + "' cannot be read (" + e.getClass().getSimpleName() + "): " + unreadable);
        }
        if (line == null || (strip ? line.isBlank() : line.isEmpty())) {
            throw new InvalidSettingException("Invalid configuration: " + key.name() + "='" + file
                    + "' has an empty first line: it must hold " + mustHold);
        }
        return strip ? line.strip() : line;
    }

    /** The flows this process runs, from {@code TATTILE_FLOWS}. */
    public Set<String> flows() {
        String v = text(Setting.TATTILE_FLOWS);
        if (v.equals("all")) {
            return new LinkedHashSet<>(Kind.FLOWS_KNOWN.stream().sorted().toList());
        }
        Set<String> flows = new LinkedHashSet<>();
        Arrays.stream(v.split(","))
                .map(String::trim)
                .map(f -> f.toLowerCase(Locale.ROOT))
                .forEach(flows::add);
        return flows;
    }

    /**
     * All values under their environment names, for Camel's property placeholders, but the secrets ({@code DB_PASSWORD}):
     * Camel's property resolver logs every value it resolves (DEBUG and TRACE), and no route needs them.
     */
    public Properties asProperties() {
        Properties p = new Properties();
        values.forEach((k, v) -> {
            if (!k.kind().secret()) {
                p.setProperty(k.name(), v);
            }
        });
        // Derived values the routes need in another unit.
        p.setProperty("SENDER_LEASE_RECOVERY_MS", String.valueOf(leaseRecoveryMillis()));
        p.setProperty("MAINTENANCE_INTERVAL_MS", String.valueOf(maintenanceIntervalMillis()));
        // The first maintenance round a minute after start, or one interval when that is shorter.
        p.setProperty("MAINTENANCE_DELAY_MS", String.valueOf(Math.min(60_000, maintenanceIntervalMillis())));
        p.setProperty(
                "SENDER_POLL_INTERVAL_MS",
                String.valueOf(Math.max(50, Math.round(decimal(Setting.SENDER_POLL_INTERVAL_SECONDS) * 1000))));
        return p;
    }
}
