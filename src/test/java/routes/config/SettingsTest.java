package routes.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @Test
    void defaultsAreValidAndKeepTheOriginalProductsValues() {
        Settings s = Settings.defaults();
        assertThat(s.integer(Setting.TRANSIT_PORT)).isEqualTo(33334);
        assertThat(s.integer(Setting.INGEST_MAX_FRAME_BYTES)).isEqualTo(4 * 1024 * 1024);
        assertThat(s.zone(Setting.CAMERA_TIMEZONE).getId()).isEqualTo("Europe/Madrid");
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/tattile");
        assertThat(s.flows()).containsExactly("api", "ingest", "maintenance", "sender");
    }

    @Test
    void aBadValueStopsStartUpWithOneMessageNamingTheKey() {
        assertThatThrownBy(() -> Settings.from(Map.of("TRANSIT_PORT", "abc")::get))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("Invalid configuration: TRANSIT_PORT='abc' must be an integer between 1 and 65535");
        assertThatThrownBy(() -> Settings.from(Map.of("CAMERA_TIMEZONE", "Mars/Olympus")::get))
                .hasMessageContaining("CAMERA_TIMEZONE='Mars/Olympus'");
        assertThatThrownBy(() -> Settings.from(Map.of("TATTILE_FLOWS", "ingest,teleport")::get))
                .hasMessageContaining("TATTILE_FLOWS");
        assertThatThrownBy(() -> Settings.from(Map.of("DB_MIGRATE_ON_START", "yes")::get))
                .hasMessageContaining("DB_MIGRATE_ON_START='yes' must be true or false");
    }

    @Test
    void theLectorVisionPortIsOffByDefaultAndItsSettingsAreChecked() {
        assertThat(Settings.defaults().lectorVisionPort()).isEmpty();
        assertThat(Settings.defaults().text(Setting.LECTORVISION_ALLOWED_SOURCES))
                .isEmpty();
        Settings on = Settings.from(Map.of(
                "LECTORVISION_PORT", "33335", "LECTORVISION_ALLOWED_SOURCES", "192.0.2.10/32, 198.51.100.0/24")::get);
        assertThat(on.lectorVisionPort()).hasValue(33335);
        assertThat(on.text(Setting.LECTORVISION_BIND_HOST)).isEqualTo("0.0.0.0");
        assertThatThrownBy(() -> Settings.from(Map.of("LECTORVISION_PORT", "abc")::get))
                .hasMessage(
                        "Invalid configuration: LECTORVISION_PORT='abc' must be empty (off) or an integer between 1 and 65535");
        assertThatThrownBy(() -> Settings.from(Map.of("LECTORVISION_PORT", "70000")::get))
                .hasMessageContaining("LECTORVISION_PORT='70000'");
        assertThatThrownBy(() -> Settings.from(Map.of("LECTORVISION_ALLOWED_SOURCES", "192.0.2.1/33")::get))
                .hasMessageStartingWith(
                        "Invalid configuration: LECTORVISION_ALLOWED_SOURCES='192.0.2.1/33' must be a comma list of IP addresses");
        assertThatThrownBy(() -> Settings.from(Map.of("LECTORVISION_PORT", "33334")::get))
                .hasMessage(
                        "Invalid configuration: LECTORVISION_PORT='33334' must differ from TRANSIT_PORT (each listener needs its own port)");
        assertThatThrownBy(() -> Settings.from(Map.of("LECTORVISION_PORT", "9000", "API_PORT", "9000")::get))
                .hasMessageContaining("must differ from API_PORT");
    }

    @Test
    void theCameraPortTakesNoPROXYHeaderByDefaultAndBehindABalancerNeedsTheBalancersListed() {
        assertThat(Settings.defaults().flag(Setting.INGEST_PROXY_PROTOCOL)).isFalse();
        assertThat(Settings.defaults().text(Setting.INGEST_PROXY_SOURCES)).isEmpty();
        Settings on = Settings.from(
                Map.of("INGEST_PROXY_PROTOCOL", "true", "INGEST_PROXY_SOURCES", "10.20.0.5/32, 10.20.0.6")::get);
        assertThat(on.flag(Setting.INGEST_PROXY_PROTOCOL)).isTrue();
        // Whoever may send a PROXY header can claim any camera's address: there is no "any balancer" default.
        assertThatThrownBy(() -> Settings.from(Map.of("INGEST_PROXY_PROTOCOL", "true")::get))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith(
                        "Invalid configuration: INGEST_PROXY_SOURCES is empty but INGEST_PROXY_PROTOCOL=true");
        assertThatThrownBy(() -> Settings.from(Map.of("INGEST_PROXY_PROTOCOL", "yes")::get))
                .hasMessage("Invalid configuration: INGEST_PROXY_PROTOCOL='yes' must be true or false");
        assertThatThrownBy(() -> Settings.from(
                        Map.of("INGEST_PROXY_PROTOCOL", "true", "INGEST_PROXY_SOURCES", "haproxy.local")::get))
                .hasMessageStartingWith(
                        "Invalid configuration: INGEST_PROXY_SOURCES='haproxy.local' must be a comma list of IP addresses");
    }

    @Test
    void theLectorVisionRoutesComeWithTheIngestFlow() {
        assertThat(Service.routesIncludePattern(Settings.from(Map.of("TATTILE_FLOWS", "ingest,api")::get)))
                .isEqualTo(
                        "classpath:camel/errors.yaml,classpath:camel/ingest.yaml,classpath:camel/lectorvision.yaml,classpath:camel/api.yaml");
        assertThat(Service.routesIncludePattern(Settings.from(Map.of("TATTILE_FLOWS", "sender")::get)))
                .doesNotContain("lectorvision");
        assertThat(Service.ROUTE_FILES).contains("lectorvision.yaml");
    }

    @Test
    void aRoutesDirExportedBeforeTheLectorVisionFileRunsThePackagedOne(@TempDir Path dir) throws IOException {
        Settings s = Settings.from(Map.of("TATTILE_FLOWS", "ingest", "ROUTES_DIR", dir.toString())::get);
        assertThat(Service.routesIncludePattern(s))
                .isEqualTo(
                        "file:" + dir + "/errors.yaml,file:" + dir + "/ingest.yaml,classpath:camel/lectorvision.yaml");
        Files.writeString(dir.resolve("lectorvision.yaml"), "[]");
        assertThat(Service.routesIncludePattern(s)).endsWith(",file:" + dir + "/lectorvision.yaml");
    }

    @Test
    void blankMeansDefaultAndFlowsCanBeSelected() {
        Settings s = Settings.from(Map.of("TRANSIT_PORT", " ", "TATTILE_FLOWS", "ingest")::get);
        assertThat(s.integer(Setting.TRANSIT_PORT)).isEqualTo(33334);
        assertThat(s.flows()).containsExactly("ingest");
    }

    @Test
    void envExampleListsEveryKnobWithItsDefaultAndAComment() throws IOException {
        Path example = Path.of(".env.example");
        Map<String, String> values = EnvFile.read(example);
        var lines = Files.readAllLines(example);
        for (Setting s : Setting.values()) {
            assertThat(values).as(s.name()).containsEntry(s.name(), s.defaultValue());
            int at = lines.indexOf(s.name() + "=" + s.defaultValue());
            assertThat(lines.get(at - 1)).as("comment above " + s.name()).startsWith("# ");
        }
        assertThat(values.keySet()).allMatch(k -> {
            try {
                Setting.valueOf(k);
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        });
    }

    @Test
    void envFileValuesAreReadAndTheEnvironmentWins(@TempDir Path dir) throws IOException {
        Path env = dir.resolve(".env");
        Files.writeString(env, """
                # comment
                export TRANSIT_PORT=40000
                DB_PASSWORD="se cret # not a comment"
                LOG_LEVEL=DEBUG # trailing comment
                DB_NAME='quoted'
                """);
        var source = EnvFile.layered(Map.of("DB_NAME", "fromenv"), env);
        Settings s = Settings.from(source);
        assertThat(s.integer(Setting.TRANSIT_PORT)).isEqualTo(40000);
        assertThat(s.text(Setting.DB_PASSWORD)).isEqualTo("se cret # not a comment");
        assertThat(s.text(Setting.LOG_LEVEL)).isEqualTo("DEBUG");
        assertThat(s.text(Setting.DB_NAME)).isEqualTo("fromenv");
    }

    @Test
    void aBrokenEnvFileLineOrAMissingExplicitFileIsAClearError(@TempDir Path dir) throws IOException {
        Path env = dir.resolve(".env");
        Files.writeString(env, "TRANSIT_PORT=1\nthis line is wrong\n");
        assertThatThrownBy(() -> EnvFile.read(env)).hasMessageContaining("line 2");
        assertThatThrownBy(() -> EnvFile.locate(dir.resolve("missing.env"), Map.of()))
                .hasMessageContaining("not found");
        assertThat(EnvFile.locate(null, Map.of(EnvFile.LOCATION_VARIABLE, env.toString())))
                .isEqualTo(env);
    }

    @Test
    void secretsAreNotEchoedInErrors() {
        assertThat(Setting.DB_PASSWORD.kind().secret()).isTrue();
        // Nor handed to Camel's properties, whose resolver logs the values it resolves at DEBUG (SecretsInLogsIT).
        assertThat(Settings.defaults().asProperties())
                .doesNotContainKey("DB_PASSWORD")
                .containsKey("DB_USER");
    }
}
