package routes.admin;

import java.util.concurrent.Callable;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import routes.config.ConfigOptions;
import routes.config.Setting;
import routes.config.Settings;
import routes.store.Database;
import routes.store.DatabaseRoles;

/** {@code db migrate}: applies the Flyway migrations packaged in the jar. */
@Command(
        name = "db",
        mixinStandardHelpOptions = true,
        description = "Database schema.",
        subcommands = DbCommand.Migrate.class)
public class DbCommand {

    @Command(
            name = "migrate",
            mixinStandardHelpOptions = true,
            description = {
                "Apply pending schema migrations.",
                "With DB_OWNER_USER set it connects as that role (password: first line of DB_OWNER_PASSWORD_FILE, so run it as root),"
                        + " then grants DB_USER SELECT, INSERT, UPDATE, DELETE on the tables, only SELECT, INSERT on audit_log"
                        + " and only SELECT on the schema history; every run grants them again."
            })
    static class Migrate implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Settings settings = config.settings();
            var out = spec.commandLine().getOut();
            if (settings.database().separateRoles()) {
                var outcome = DatabaseRoles.migrateAsOwner(settings.database(), settings.ownerPassword());
                out.println(describe(outcome.migration()) + " (migrated as DB_OWNER_USER '"
                        + settings.text(Setting.DB_OWNER_USER) + "')");
                out.println("DB_USER '" + settings.text(Setting.DB_USER) + "' may read and write " + outcome.tables()
                        + " tables but only read and add to " + "audit_log and only read " + outcome.historyTable());
                return 0;
            }
            try (var ds = Database.pool(settings.database(), "tattile-migrate")) {
                out.println(describe(Database.migrate(ds)));
                return 0;
            }
        }

        private static String describe(MigrateResult result) {
            return result.migrationsExecuted == 0
                    ? "Schema up to date"
                    : "Schema at version " + result.targetSchemaVersion + " (" + result.migrationsExecuted
                            + " migrations applied)";
        }
    }
}
