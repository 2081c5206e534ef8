package routes.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a {@code .env} file ({@code KEY=VALUE} lines, {@code #} comments, optional {@code export} and quotes)
 * and layers it under the process environment: a variable set in the environment wins.
 */
public final class EnvFile {

    /** Environment variable that points at the .env file; the CLI option {@code --env-file} wins over it. */
    public static final String LOCATION_VARIABLE = "TATTILE_ENV_FILE";

    private EnvFile() {}

    public static Map<String, String> read(Path file) {
        Map<String, String> values = new HashMap<>();
        if (file == null || !isReadableFile(file)) {
            return values;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidSettingException("Cannot read configuration file " + file + ": " + e.getMessage());
        }
        return parse(lines, file);
    }

    /** {@code KEY=VALUE} lines as a map in file order (a key's first line); {@code where} names the file in errors. */
    public static Map<String, String> parse(List<String> lines, Object where) {
        Map<String, String> values = new LinkedHashMap<>();
        int number = 0;
        for (String line : lines) {
            number++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            if (t.startsWith("export ")) {
                t = t.substring("export ".length()).strip();
            }
            int eq = t.indexOf('=');
            if (eq <= 0) {
                throw new InvalidSettingException(
                        "Invalid configuration file " + where + " line " + number + ": expected KEY=VALUE");
            }
            String key = t.substring(0, eq).strip();
            String value = t.substring(eq + 1).strip();
            if (value.length() >= 2
                    && (value.startsWith("\"") && value.endsWith("\"")
                            || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            } else {
                int comment = value.indexOf(" #");
                if (comment >= 0) {
                    value = value.substring(0, comment).strip();
                }
            }
            values.put(key, value);
        }
        return values;
    }

    /** The environment first, then the file. */
    public static Function<String, String> layered(Map<String, String> environment, Path file) {
        Map<String, String> fromFile = read(file);
        return key -> {
            String v = environment.get(key);
            return v != null ? v : fromFile.get(key);
        };
    }

    /** Which .env file to read: the explicit one, else {@code TATTILE_ENV_FILE}, else {@code ./.env}. */
    public static Path locate(Path explicit, Map<String, String> environment) {
        if (explicit != null) {
            if (!isReadableFile(explicit)) {
                throw new InvalidSettingException("Configuration file not found: " + explicit);
            }
            return explicit;
        }
        String fromEnv = environment.get(LOCATION_VARIABLE);
        if (fromEnv != null && !fromEnv.isBlank()) {
            Path p = Path.of(fromEnv);
            if (!isReadableFile(p)) {
                throw new InvalidSettingException(
                        "Configuration file not found: " + p + " (from " + LOCATION_VARIABLE + ")");
            }
            return p;
        }
        return Path.of(".env");
    }

    /** A file that can be read: a regular file, or something like /dev/null (an empty configuration). */
    private static boolean isReadableFile(Path p) {
        return Files.exists(p) && !Files.isDirectory(p) && Files.isReadable(p);
    }
}
