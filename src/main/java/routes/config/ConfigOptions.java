package routes.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** The {@code --env-file} option every command shares, and the settings it leads to. */
public class ConfigOptions {

    @Option(
            names = "--env-file",
            paramLabel = "FILE",
            description = "Configuration file (default: $" + EnvFile.LOCATION_VARIABLE
                    + ", else ./.env). Environment variables win over it.")
    Path envFile;

    /** Environment over .env over defaults, validated; also applies LOG_LEVEL. */
    public Settings settings() {
        var env = System.getenv();
        Settings settings = Settings.from(EnvFile.layered(env, EnvFile.locate(envFile, env)));
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(settings.text(Setting.LOG_LEVEL), Level.INFO));
        return settings;
    }
}
