package routes.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import routes.config.EnvFile;
import routes.config.Setting;
import routes.config.Settings;

/** The old TattileSender's .env, in the shapes its operators wrote, translated into tattile-sender's settings. */
public class LegacySettingsTest {

    /** The old product's .env.example (commit 45f6101), as most installs started from it. */
    public static final String OLD_EXAMPLE = """
            # Valores de ejemplo (NO usar en producción sin reemplazar).
            APP_ENV=prod

            DB_HOST=localhost
            DB_PORT=5432
            DB_NAME=tattile_sender
            DB_USER=tattile_user
            DB_PASSWORD=change_me

            # Directorio seguro donde se almacenan certificados.
            CERTS_DIR=/etc/tattile_sender/certs

            # Directorio para almacenar imágenes ALPR decodificadas.
            IMAGES_BASE_DIR=/data/images

            # Puerto TCP de ingesta Tattile.
            TRANSIT_PORT=33334

            # Logging
            LOG_LEVEL=INFO

            # Ajustes del worker sender
            SENDER_ENABLED=true
            SENDER_POLL_INTERVAL_SECONDS=5
            SENDER_MAX_BATCH_SIZE=50
            SENDER_DEFAULT_RETRY_MAX=3
            SENDER_DEFAULT_BACKOFF_MS=1000
            SENDER_STUCK_TIMEOUT_SECONDS=300

            # SOAP Mossos (placeholders)
            MOSSOS_WSDL_URL=https://example.invalid/matricules.wsdl
            MOSSOS_ENDPOINT_URL=https://example.invalid/matr-ws
            MOSSOS_TIMEOUT=5.0
            SOAP_DEBUG=0

            # Notas:
            # - Sustituye credenciales, rutas y endpoints por valores reales.
            # - Mantén certificados fuera del repositorio y con permisos restringidos.
            """;

    @TempDir
    Path dir;

    List<String> translate(String oldEnv) throws IOException {
        Path file = dir.resolve(".env");
        Files.writeString(file, oldEnv);
        return LegacySettings.translate(LegacyEnv.read(file));
    }

    /** The KEY=VALUE pairs, read as the service reads its .env. */
    static Map<String, String> values(List<String> lines) {
        return EnvFile.parse(lines, "translated settings");
    }

    /** The translated lines are a valid .env for tattile-sender: parsed by EnvFile, accepted by Settings. */
    static void assertValidForTattileSender(List<String> lines) {
        Map<String, String> values = values(lines);
        assertThatCode(() -> Settings.from(values::get))
                .as(String.join("\n", lines))
                .doesNotThrowAnyException();
        for (String line : lines) {
            assertThat(line).as("no line ends in white space").isEqualTo(line.stripTrailing());
            assertThat(line.isEmpty()
                            || line.startsWith("# ")
                            || line.equals("#")
                            || line.matches("[A-Z][A-Z0-9_]*=.*"))
                    .as(line)
                    .isTrue();
        }
        for (String key : values.keySet()) {
            assertThat(Arrays.stream(Setting.values()).map(Enum::name))
                    .as("a setting of tattile-sender")
                    .contains(key);
        }
    }

    /** The comment line right above KEY's line (null when none). */
    static String commentAbove(List<String> lines, String key) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(key + "=")) {
                return i > 0 && lines.get(i - 1).startsWith("#") ? lines.get(i - 1) : null;
            }
        }
        throw new AssertionError(key + " is not translated:\n" + String.join("\n", lines));
    }

    @Test
    void theOldExampleEnvTranslatesIntoValidSettings() throws Exception {
        List<String> lines = translate(OLD_EXAMPLE);
        assertValidForTattileSender(lines);
        assertThat(values(lines))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "TRANSIT_PORT", "33334",
                        "LOG_LEVEL", "INFO",
                        "SENDER_ENABLED", "true",
                        "SENDER_POLL_INTERVAL_SECONDS", "5",
                        "SENDER_MAX_BATCH_SIZE", "50",
                        "SENDER_DEFAULT_RETRY_MAX", "2",
                        "SENDER_DEFAULT_BACKOFF_MS", "1000",
                        "SENDER_LEASE_SECONDS", "300",
                        "SOAP_DEBUG", "false"));
        assertThat(commentAbove(lines, "TRANSIT_PORT")).isNull();
        assertThat(commentAbove(lines, "SENDER_LEASE_SECONDS")).isEqualTo("# from SENDER_STUCK_TIMEOUT_SECONDS=300");
        assertThat(commentAbove(lines, "SENDER_DEFAULT_RETRY_MAX"))
                .startsWith("# from SENDER_DEFAULT_RETRY_MAX=3 (sends in all");
        assertThat(String.join("\n", lines))
                .contains(
                        "# MOSSOS_WSDL_URL=https://example.invalid/matricules.wsdl is the old .env.example's placeholder: not copied")
                .contains("tattile-sender uses its packaged WSDL")
                .contains(
                        "# MOSSOS_ENDPOINT_URL=https://example.invalid/matr-ws is the old .env.example's placeholder: not copied")
                .contains(
                        "# MOSSOS_TIMEOUT=5.0 (seconds, for every send): not copied; tattile-sender times each endpoint")
                .contains("# APP_ENV: no equivalent in tattile-sender")
                .contains(
                        "# DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD: the old database; the import reads it, tattile-sender keeps its own")
                .contains("#   images /data/images (IMAGES_BASE_DIR)")
                .contains("#   certificates /etc/tattile_sender/certs (CERTS_DIR)")
                .contains("the import copies their files into tattile-sender's")
                .doesNotContain("change_me")
                .doesNotContain("tattile_user")
                .doesNotContain("Sustituye");
    }

    @Test
    void theOldDatabaseCredentialsNeverReachTheOutput() throws Exception {
        String password = "S3cret-old-pw-4711";
        List<String> lines =
                translate("DB_PASSWORD=" + password + "\ndb_user=old_role\nDB_NAME='old db'\nDB_HOST=10.1.2.3\n");
        assertValidForTattileSender(lines);
        assertThat(String.join("\n", lines))
                .doesNotContain(password)
                .doesNotContain("old_role")
                .doesNotContain("old db")
                .doesNotContain("10.1.2.3");
        assertThat(values(lines).keySet()).noneMatch(k -> k.startsWith("DB_"));
    }

    @Test
    void stuckTimeoutBecomesTheLeaseAtLeastTenSeconds() throws Exception {
        assertThat(values(translate("SENDER_STUCK_TIMEOUT_SECONDS=600\n")))
                .containsEntry("SENDER_LEASE_SECONDS", "600");
        List<String> low = translate("SENDER_STUCK_TIMEOUT_SECONDS=3\n");
        assertValidForTattileSender(low);
        assertThat(values(low)).containsEntry("SENDER_LEASE_SECONDS", "10");
        assertThat(commentAbove(low, "SENDER_LEASE_SECONDS"))
                .isEqualTo("# from SENDER_STUCK_TIMEOUT_SECONDS=3 (raised to tattile-sender's minimum 10)");
        assertThat(values(translate("SENDER_STUCK_TIMEOUT_SECONDS=0\n"))).containsEntry("SENDER_LEASE_SECONDS", "10");
        assertThat(values(translate("SENDER_STUCK_TIMEOUT_SECONDS=999999\n")))
                .containsEntry("SENDER_LEASE_SECONDS", "86400");
        List<String> bad = translate("SENDER_STUCK_TIMEOUT_SECONDS=five\n");
        assertThat(values(bad)).doesNotContainKey("SENDER_LEASE_SECONDS");
        assertThat(bad)
                .contains("# SENDER_STUCK_TIMEOUT_SECONDS=five in the old .env is not a whole number: not copied");
    }

    @Test
    void deadRetentionMinutesBecomeWholeDaysRoundedUpAtLeastOne() throws Exception {
        assertThat(values(translate("SENDER_DEAD_RETENTION_MINUTES=10\n")))
                .containsEntry("SENDER_DEAD_RETENTION_DAYS", "1");
        assertThat(values(translate("SENDER_DEAD_RETENTION_MINUTES=1440\n")))
                .containsEntry("SENDER_DEAD_RETENTION_DAYS", "1");
        assertThat(values(translate("SENDER_DEAD_RETENTION_MINUTES=1441\n")))
                .containsEntry("SENDER_DEAD_RETENTION_DAYS", "2");
        assertThat(values(translate("SENDER_DEAD_RETENTION_MINUTES=0\n")))
                .containsEntry("SENDER_DEAD_RETENTION_DAYS", "1");
        assertThat(values(translate("SENDER_DEAD_RETENTION_MINUTES=-5\n")))
                .containsEntry("SENDER_DEAD_RETENTION_DAYS", "1");
        List<String> lines = translate("SENDER_DEAD_RETENTION_MINUTES=10080\n");
        assertValidForTattileSender(lines);
        assertThat(values(lines)).containsEntry("SENDER_DEAD_RETENTION_DAYS", "7");
        assertThat(commentAbove(lines, "SENDER_DEAD_RETENTION_DAYS"))
                .isEqualTo("# from SENDER_DEAD_RETENTION_MINUTES=10080 (whole days, at least 1)");
    }

    @Test
    void retryMaxCountsRetriesAfterTheFirstSend() throws Exception {
        assertThat(values(translate("SENDER_DEFAULT_RETRY_MAX=3\n"))).containsEntry("SENDER_DEFAULT_RETRY_MAX", "2");
        assertThat(values(translate("SENDER_DEFAULT_RETRY_MAX=1\n"))).containsEntry("SENDER_DEFAULT_RETRY_MAX", "0");
        assertThat(values(translate("SENDER_DEFAULT_RETRY_MAX=5000\n")))
                .containsEntry("SENDER_DEFAULT_RETRY_MAX", "1000");
        for (String none : List.of("0", "-2")) {
            List<String> lines = translate("SENDER_DEFAULT_RETRY_MAX=" + none + "\n");
            assertThat(values(lines)).as(none).doesNotContainKey("SENDER_DEFAULT_RETRY_MAX");
            assertThat(String.join("\n", lines))
                    .contains("# SENDER_DEFAULT_RETRY_MAX=" + none + " in the old .env is not a number of sends");
            assertValidForTattileSender(lines);
        }
    }

    @Test
    void booleansAsPydanticReadThem() throws Exception {
        for (String yes : List.of("1", "yes", "true", "True", "on", "TRUE", "y")) {
            List<String> lines = translate("SENDER_ENABLED=" + yes + "\n");
            assertThat(values(lines)).as(yes).containsEntry("SENDER_ENABLED", "true");
            assertValidForTattileSender(lines);
        }
        for (String no : List.of("0", "no", "false", "False", "off", "OFF", "n")) {
            assertThat(values(translate("SENDER_ENABLED=" + no + "\n")))
                    .as(no)
                    .containsEntry("SENDER_ENABLED", "false");
        }
        assertThat(commentAbove(translate("SENDER_ENABLED=True\n"), "SENDER_ENABLED"))
                .isEqualTo("# from SENDER_ENABLED=True");
        assertThat(commentAbove(translate("SENDER_ENABLED=true\n"), "SENDER_ENABLED"))
                .isNull();
        List<String> bad = translate("SENDER_ENABLED=maybe\n");
        assertThat(values(bad)).doesNotContainKey("SENDER_ENABLED");
        assertThat(bad).contains("# SENDER_ENABLED=maybe in the old .env is not a boolean: not copied");
    }

    @Test
    void soapDebugWasOnOnlyWithExactlyOne() throws Exception {
        assertThat(values(translate("SOAP_DEBUG=1\n"))).containsEntry("SOAP_DEBUG", "true");
        assertThat(values(translate("SOAP_DEBUG=0\n"))).containsEntry("SOAP_DEBUG", "false");
        assertThat(values(translate("SOAP_DEBUG=off\n"))).containsEntry("SOAP_DEBUG", "false");
        List<String> words = translate("SOAP_DEBUG=true\n");
        assertThat(values(words)).containsEntry("SOAP_DEBUG", "false");
        assertThat(commentAbove(words, "SOAP_DEBUG")).contains("logged envelopes only with 1");
    }

    @Test
    void logLevelsInPythonsNames() throws Exception {
        Map<String, String> expected = Map.of(
                "WARNING",
                "WARN",
                "warning",
                "WARN",
                "CRITICAL",
                "ERROR",
                "FATAL",
                "ERROR",
                "debug",
                "DEBUG",
                "INFO",
                "INFO",
                "ERROR",
                "ERROR",
                "NOTSET",
                "DEBUG");
        for (var e : expected.entrySet()) {
            List<String> lines = translate("LOG_LEVEL=" + e.getKey() + "\n");
            assertThat(values(lines)).as(e.getKey()).containsEntry("LOG_LEVEL", e.getValue());
            assertValidForTattileSender(lines);
        }
        assertThat(commentAbove(translate("LOG_LEVEL=WARNING\n"), "LOG_LEVEL")).isEqualTo("# from LOG_LEVEL=WARNING");
        List<String> bad = translate("LOG_LEVEL=verbose\n");
        assertThat(values(bad)).doesNotContainKey("LOG_LEVEL");
        assertThat(bad).contains("# LOG_LEVEL=verbose in the old .env is not a Python log level: not copied");
    }

    @Test
    void numbersBroughtIntoTattileSendersRanges() throws Exception {
        List<String> lines = translate("""
                TRANSIT_PORT=40000
                SENDER_POLL_INTERVAL_SECONDS=0
                SENDER_MAX_BATCH_SIZE=5000
                SENDER_DEFAULT_BACKOFF_MS=0
                """);
        assertValidForTattileSender(lines);
        assertThat(values(lines))
                .containsEntry("TRANSIT_PORT", "40000")
                .containsEntry("SENDER_POLL_INTERVAL_SECONDS", "0.05")
                .containsEntry("SENDER_MAX_BATCH_SIZE", "1000")
                .containsEntry("SENDER_DEFAULT_BACKOFF_MS", "1");
        assertThat(commentAbove(lines, "SENDER_MAX_BATCH_SIZE"))
                .isEqualTo("# from SENDER_MAX_BATCH_SIZE=5000 (lowered to tattile-sender's maximum 1000)");
        assertThat(commentAbove(lines, "SENDER_POLL_INTERVAL_SECONDS"))
                .isEqualTo("# from SENDER_POLL_INTERVAL_SECONDS=0 (raised to tattile-sender's minimum 0.05)");
        assertThat(values(translate("SENDER_POLL_INTERVAL_SECONDS=2\nSENDER_MAX_BATCH_SIZE=0\n")))
                .containsEntry("SENDER_POLL_INTERVAL_SECONDS", "2")
                .containsEntry("SENDER_MAX_BATCH_SIZE", "1");
        assertThat(commentAbove(translate("SENDER_DEFAULT_BACKOFF_MS=2000\n"), "SENDER_DEFAULT_BACKOFF_MS"))
                .isEqualTo(
                        "# from SENDER_DEFAULT_BACKOFF_MS=2000 (tattile-sender doubles it after each failure, up to SENDER_MAX_BACKOFF_MS)");

        List<String> badPort = translate("TRANSIT_PORT=70000\n");
        assertThat(values(badPort)).doesNotContainKey("TRANSIT_PORT");
        assertThat(badPort).contains("# TRANSIT_PORT=70000 in the old .env is not between 1 and 65535: not copied");
        assertValidForTattileSender(badPort);
    }

    @Test
    void theCamerasPortAlwaysComesOutTheOldDefaultWhenUnset() throws Exception {
        List<String> lines = translate("APP_ENV=prod\n");
        assertThat(values(lines)).containsEntry("TRANSIT_PORT", "33334");
        assertThat(commentAbove(lines, "TRANSIT_PORT")).contains("not set in the old .env");
    }

    @Test
    void realMossosUrlsAreCopiedPlaceholdersAreNot() throws Exception {
        String wsdl = "https://anpr.dgp.interior.extranet.gencat.cat/matr-ws/matricules.wsdl";
        String endpoint = "https://anpr.dgp.interior.extranet.gencat.cat/matr-ws";
        List<String> real = translate("MOSSOS_WSDL_URL=" + wsdl + "\nMOSSOS_ENDPOINT_URL=\"" + endpoint + "\"\n");
        assertValidForTattileSender(real);
        assertThat(values(real)).containsEntry("MOSSOS_WSDL_URL", wsdl).containsEntry("MOSSOS_ENDPOINT_URL", endpoint);
        assertThat(commentAbove(real, "MOSSOS_WSDL_URL"))
                .contains("tattile-sender's default: its packaged WSDL, classpath:wsdl/matricules.wsdl");

        List<String> placeholders = translate(
                "MOSSOS_WSDL_URL=https://example.invalid/matricules.wsdl\nMOSSOS_ENDPOINT_URL=https://example.invalid/matr-ws\n");
        assertThat(values(placeholders)).doesNotContainKeys("MOSSOS_WSDL_URL", "MOSSOS_ENDPOINT_URL");
        assertThat(LegacySettings.isPlaceholder("https://mossos.example.com/x")).isTrue();
        assertThat(LegacySettings.isPlaceholder(endpoint)).isFalse();

        List<String> notUrl = translate("MOSSOS_ENDPOINT_URL=anpr.gencat.cat/matr-ws\nMOSSOS_WSDL_URL=\n");
        assertThat(values(notUrl)).doesNotContainKeys("MOSSOS_ENDPOINT_URL", "MOSSOS_WSDL_URL");
        assertThat(notUrl)
                .contains(
                        "# MOSSOS_ENDPOINT_URL=anpr.gencat.cat/matr-ws in the old .env is not an http:// or https:// URL: not copied");
    }

    @Test
    void theCameraTimezoneIsGuidanceNotASetting() throws Exception {
        List<String> lines = translate(OLD_EXAMPLE);
        assertThat(lines).contains("# CAMERA_TIMEZONE=Europe/Madrid");
        assertThat(values(lines)).doesNotContainKey("CAMERA_TIMEZONE");
        String text = String.join("\n", lines);
        assertThat(text)
                .contains("stored a camera's local")
                .contains("as if it were UTC")
                .contains("converts new readings from CAMERA_TIMEZONE")
                .contains("imported readings keep the time the old one would");
    }

    @Test
    void oldShapesQuotesCommentsLowercaseKeysExportAndTheImagesDirAlias() throws Exception {
        List<String> lines = translate("""
                # a comment
                export transit_port = "33335"
                sender_enabled='no'
                Log_Level=warning   # inline comment
                IMAGES_DIR=imagenes
                certs_dir = '/root/tattilesender/certs'
                MOSSOS_ENDPOINT_URL="https://mossos.gencat.cat/matr-ws"
                """);
        assertValidForTattileSender(lines);
        assertThat(values(lines))
                .containsEntry("TRANSIT_PORT", "33335")
                .containsEntry("SENDER_ENABLED", "false")
                .containsEntry("LOG_LEVEL", "WARN")
                .containsEntry("MOSSOS_ENDPOINT_URL", "https://mossos.gencat.cat/matr-ws");
        assertThat(lines)
                .contains(
                        "#   images " + dir.resolve("imagenes") + " (IMAGES_DIR)",
                        "#   certificates /root/tattilesender/certs (CERTS_DIR)");
        assertThat(String.join("\n", lines))
                .doesNotContain("IMAGES_DIR: no equivalent")
                .doesNotContain("CERTS_DIR: no equivalent");
    }

    @Test
    void unknownKeysAreNamedWithoutTheirValues() throws Exception {
        List<String> lines = translate("SOME_TOKEN=abc123secret\nAPI_PORT=port-value-x\nAPP_ENV=dev\n");
        assertValidForTattileSender(lines);
        assertThat(lines)
                .contains(
                        "# SOME_TOKEN: no equivalent in tattile-sender",
                        "# API_PORT: the old product did not read it; not copied",
                        "# APP_ENV: no equivalent in tattile-sender");
        assertThat(String.join("\n", lines)).doesNotContain("abc123secret").doesNotContain("port-value-x");
        assertThat(values(lines)).doesNotContainKeys("SOME_TOKEN", "API_PORT", "APP_ENV");
        assertThat(lines.indexOf("# SOME_TOKEN: no equivalent in tattile-sender"))
                .as("file order")
                .isLessThan(lines.indexOf("# API_PORT: the old product did not read it; not copied"));
    }

    @Test
    void everyTranslatedLineIsPrecededByNothingOrOneSourceComment() throws Exception {
        List<String> lines =
                translate(OLD_EXAMPLE + "SENDER_DEAD_RETENTION_MINUTES=60\nSOAP_DEBUG=yes\nLOG_LEVEL=CRITICAL\n");
        assertValidForTattileSender(lines);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("[A-Z_]+=.*") && i > 0 && lines.get(i - 1).startsWith("#")) {
                assertThat(lines.get(i - 1))
                        .as("the comment above " + lines.get(i))
                        .matches("# (from |TRANSIT_PORT not set).*");
            }
        }
        assertThat(values(lines))
                .containsEntry("SENDER_DEAD_RETENTION_DAYS", "1")
                .containsEntry("SOAP_DEBUG", "false")
                .containsEntry("LOG_LEVEL", "ERROR");
    }

    @Test
    void valuesThatNeedQuotesReadBackAsThemselves() throws Exception {
        String wsdl = "file:/srv/old wsdl/matricules.wsdl#x";
        List<String> lines = translate("MOSSOS_WSDL_URL='" + wsdl + "'\n");
        assertValidForTattileSender(lines);
        assertThat(values(lines)).containsEntry("MOSSOS_WSDL_URL", wsdl);
    }
}
