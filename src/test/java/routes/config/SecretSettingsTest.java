package routes.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import routes.support.InProcessService;
import routes.support.LogCapture;
import routes.support.TestDb;

/**
 * A secret setting given as a Camel property (as the tests and any embedding give their settings) reaches its use
 * without going through Camel's property resolver, which logs every value it resolves at DEBUG. The packaged jar is
 * covered by {@code SecretsInLogsIT}.
 */
class SecretSettingsTest {

    static final int PORT = 24565;

    @Test
    void theDatabasePasswordReachesThePoolButNotTheLogAtDebug() throws Exception {
        String password = "pw-" + UUID.randomUUID();
        Map<String, String> settings = TestDb.serviceSettings(
                "DB_PASSWORD",
                password,
                "TRANSIT_PORT",
                String.valueOf(PORT),
                "IMAGES_BASE_DIR",
                Path.of("target/it-images/secret-settings").toAbsolutePath().toString());
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        root.setLevel(Level.DEBUG);
        try (LogCapture logs = new LogCapture();
                InProcessService service = InProcessService.start(settings, "ingest")) {
            assertThat(service.bean("dataSource", HikariDataSource.class).getPassword())
                    .isEqualTo(password);
            assertThat(logs.lines()).as("DEBUG lines were captured").anyMatch(l -> l.contains("DB_HOST"));
            assertThat(logs.lines().stream().filter(l -> l.contains(password)).toList())
                    .as("log lines with DB_PASSWORD's value")
                    .isEmpty();
        } finally {
            root.setLevel(before);
        }
    }
}
