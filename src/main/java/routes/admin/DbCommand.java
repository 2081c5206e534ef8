package routes.admin;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import routes.config.ConfigOptions;
import routes.store.Database;

/** {@code db migrate}: applies the Flyway migrations packaged in the jar. */
@Command(name = "db", mixinStandardHelpOptions = true, description = "Database schema.", subcommands = DbCommand.Migrate.class)
public class DbCommand {

    @Command(name = "migrate", mixinStandardHelpOptions = true, description = "Apply pending schema migrations.")
    static class Migrate implements Callable<Integer> {
        @Mixin ConfigOptions config;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            try (var ds = Database.pool(config.settings(), "tattile-migrate")) {
                var result = Database.migrate(ds);
                spec.commandLine().getOut().println(result.migrationsExecuted == 0
                        ? "Schema up to date"
                        : "Schema at version " + result.targetSchemaVersion + " (" + result.migrationsExecuted + " migrations applied)");
                return 0;
            }
        }
    }
}
