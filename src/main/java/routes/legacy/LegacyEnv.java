package routes.legacy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import routes.config.EnvFile;
import routes.config.InvalidSettingException;

/**
 * The old TattileSender's {@code .env}, read the way its pydantic {@code Settings} read it: keys are not case-sensitive,
 * and a key that is absent takes the old product's default ({@code app/config.py}). The folder holding the file is the
 * old working directory, against which the old product resolved relative certificate paths.
 */
public final class LegacyEnv {

    /** The old product's defaults for the keys the import needs ({@code app/config.py}). */
    private static final Map<String, String> DEFAULTS = Map.of(
            "DB_HOST", "localhost",
            "DB_PORT", "5432",
            "DB_NAME", "tattile_sender",
            "DB_USER", "tattile",
            "DB_PASSWORD", "changeme",
            "CERTS_DIR", "/etc/tattile_sender/certs",
            "IMAGES_BASE_DIR", "/data/images");

    private final Path file;
    private final Map<String, String> values;

    private LegacyEnv(Path file, Map<String, String> values) {
        this.file = file;
        this.values = values;
    }

    /** Reads the file; an unreadable or malformed one is a one-line {@link LegacyImportException}. */
    public static LegacyEnv read(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(absolute)) {
            throw new LegacyImportException("Old settings file " + absolute + " does not exist or is not a file");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(absolute, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LegacyImportException("Cannot read old settings file " + absolute + ": " + reason(e));
        }
        Map<String, String> upper = new LinkedHashMap<>();
        try {
            EnvFile.parse(lines, absolute).forEach((k, v) -> upper.put(k.toUpperCase(Locale.ROOT), v));
        } catch (InvalidSettingException e) {
            throw new LegacyImportException(e.getMessage());
        }
        return new LegacyEnv(absolute, upper);
    }

    /** A value from the file, else the old default, else null. {@code IMAGES_DIR} is the old alias of {@code IMAGES_BASE_DIR}. */
    public String get(String key) {
        String k = key.toUpperCase(Locale.ROOT);
        String v = values.get(k);
        if (v == null && "IMAGES_BASE_DIR".equals(k)) {
            v = values.get("IMAGES_DIR");
        }
        return v != null ? v : DEFAULTS.get(k);
    }

    /** Only what the file itself sets, upper-cased keys in file order. */
    public Map<String, String> explicit() {
        return Collections.unmodifiableMap(values);
    }

    public Path file() {
        return file;
    }

    /** The old product's working directory (systemd's WorkingDirectory was the install folder holding this .env). */
    public Path workingDirectory() {
        return file.getParent();
    }

    /** A folder setting as an absolute path; relative ones are against the old working directory. */
    public Path folder(String key) {
        Path p = Path.of(get(key));
        return p.isAbsolute() ? p.normalize() : workingDirectory().resolve(p).normalize();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + get("DB_HOST") + ":" + get("DB_PORT") + "/" + get("DB_NAME");
    }

    static String reason(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }
}
