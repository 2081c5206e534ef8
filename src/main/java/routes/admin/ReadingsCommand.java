package routes.admin;

import static routes.admin.AdminSupport.plural;

import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.config.ConfigOptions;
import routes.store.QueueAdminRepository;

/** {@code admin readings …}: stored readings as a whole, whatever their queue status. */
@Command(
        name = "readings",
        mixinStandardHelpOptions = true,
        description = "Manage stored readings.",
        subcommands = ReadingsCommand.Purge.class)
public class ReadingsCommand {

    @Command(
            name = "purge",
            mixinStandardHelpOptions = true,
            description =
                    "Delete readings received more than N days ago (not those being sent), with their queue rows and image files.")
    static class Purge implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(
                names = {"--older-than", "--older-than-days"},
                required = true,
                paramLabel = "AGE",
                description = "Age in days: 30 or 30d (or weeks: 4w), at least 1")
        String olderThan;

        @Override
        public Integer call() throws SQLException {
            int olderThanDays = AdminSupport.days("--older-than", olderThan);
            var settings = config.settings();
            try (var ds = AdminDatabase.open(settings)) {
                int n = new QueueAdminRepository(ds)
                        .purgeReadingsOlderThan(olderThanDays, AdminSupport.images(settings));
                spec.commandLine()
                        .getOut()
                        .println("Purged " + plural(n, "reading", "readings") + " received more than "
                                + plural(olderThanDays, "day", "days") + " ago (and their images)");
                return 0;
            }
        }
    }
}
