package routes.admin;

import static routes.admin.AdminSupport.iso;
import static routes.admin.AdminSupport.object;
import static routes.admin.AdminSupport.orDash;
import static routes.admin.AdminSupport.plural;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.cli.CommandFailedException;
import routes.config.ConfigOptions;
import routes.store.DeadRetention;
import routes.store.QueueAdminRepository;
import routes.store.QueueRepository;

/** {@code admin queue …}: what waits to be sent, and its repair. */
@Command(
        name = "queue",
        mixinStandardHelpOptions = true,
        description = "Inspect and repair the delivery queue.",
        subcommands = {
            QueueCommand.Stats.class,
            QueueCommand.ListQueue.class,
            QueueCommand.Requeue.class,
            QueueCommand.Purge.class
        })
public class QueueCommand {

    @Command(
            name = "stats",
            mixinStandardHelpOptions = true,
            description = "Rows by status, age of the oldest PENDING row, DEAD rows by last_error.")
    static class Stats implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "JSON output for scripts")
        boolean json;

        @Override
        public Integer call() throws SQLException {
            try (var ds = AdminDatabase.open(config.settings())) {
                var repo = new QueueAdminRepository(ds);
                var counts = repo.countsByStatus();
                Long oldest = repo.oldestPendingAgeSeconds();
                var dead = repo.deadByError();
                if (json) {
                    AdminSupport.printJson(
                            spec,
                            object("counts", counts, "oldest_pending_age_seconds", oldest, "dead_by_error", dead));
                    return 0;
                }
                var out = spec.commandLine().getOut();
                counts.forEach((status, n) -> out.printf("%-8s %d%n", status, n));
                out.println("Oldest PENDING: " + (oldest == null ? "-" : oldest + " s"));
                if (!dead.isEmpty()) {
                    out.println("DEAD by last_error:");
                    dead.forEach((error, n) -> out.printf("  %-8d %s%n", n, error));
                }
                return 0;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List queue rows, oldest reading first.")
    static class ListQueue implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--status", description = "Only rows in this status: PENDING, SENDING, FAILED or DEAD")
        String status;

        @Option(names = "--limit", defaultValue = "50", description = "Most rows shown (default ${DEFAULT-VALUE})")
        int limit;

        @Option(names = "--json", description = "JSON output for scripts")
        boolean json;

        @Override
        public Integer call() throws SQLException {
            String s = status == null ? null : AdminSupport.status(status, QueueAdminRepository.STATUSES);
            if (limit < 1 || limit > 100_000) {
                throw new CommandFailedException("--limit must be between 1 and 100000 (got " + limit + ")");
            }
            try (var ds = AdminDatabase.open(config.settings())) {
                var rows = new QueueAdminRepository(ds).list(s, limit);
                if (json) {
                    List<Object> list = new ArrayList<>();
                    for (var e : rows) {
                        list.add(object(
                                "id",
                                e.id().toString(),
                                "status",
                                e.status(),
                                "attempts",
                                e.attempts(),
                                "last_error",
                                e.lastError(),
                                "next_attempt_at",
                                iso(e.nextAttemptAt()),
                                "plate",
                                e.plate(),
                                "device_sn",
                                e.deviceSn(),
                                "received_at",
                                iso(e.receivedAt())));
                    }
                    AdminSupport.printJson(spec, list);
                    return 0;
                }
                var out = spec.commandLine().getOut();
                out.printf(
                        "%-36s %-7s %-8s %-24s %-12s %-16s %-24s %s%n",
                        "ID", "STATUS", "ATTEMPTS", "NEXT ATTEMPT", "PLATE", "DEVICE_SN", "RECEIVED", "LAST ERROR");
                for (var e : rows) {
                    out.printf(
                            "%-36s %-7s %-8d %-24s %-12s %-16s %-24s %s%n",
                            e.id(),
                            e.status(),
                            e.attempts(),
                            e.nextAttemptAt(),
                            e.plate(),
                            e.deviceSn(),
                            e.receivedAt(),
                            orDash(e.lastError()));
                }
                return 0;
            }
        }
    }

    @Command(
            name = "requeue",
            mixinStandardHelpOptions = true,
            description = "Send DEAD (or FAILED) readings again: back to PENDING, due now, with a fresh retry budget.")
    static class Requeue implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        static class Which {
            @Option(
                    names = "--id",
                    required = true,
                    description = "One queue row (as shown by queue list), DEAD or FAILED")
            UUID id;

            @ArgGroup(exclusive = false)
            ByStatus byStatus;
        }

        static class ByStatus {
            @Option(names = "--status", required = true, description = "Every row in this status: DEAD (or FAILED)")
            String status;

            @Option(
                    names = "--error",
                    paramLabel = "PREFIX",
                    description = "Only rows whose last_error starts with this, e.g. CODI_RETORN")
            String error;
        }

        @Override
        public Integer call() throws SQLException {
            var out = spec.commandLine().getOut();
            if (which.id != null) {
                try (var ds = AdminDatabase.open(config.settings())) {
                    var r = new QueueAdminRepository(ds).requeue(which.id);
                    if (!r.found()) {
                        throw new CommandFailedException("Queue row " + which.id + " does not exist");
                    }
                    if (!r.requeued()) {
                        throw new CommandFailedException("Queue row " + which.id + " is " + r.previousStatus()
                                + ": only DEAD or FAILED rows can be requeued");
                    }
                    out.println("Requeued 1 reading (queue row " + which.id + ", was " + r.previousStatus() + ")");
                    return 0;
                }
            }
            String s = AdminSupport.status(which.byStatus.status, List.of("DEAD", "FAILED"));
            String prefix =
                    which.byStatus.error == null || which.byStatus.error.isEmpty() ? null : which.byStatus.error;
            try (var ds = AdminDatabase.open(config.settings())) {
                int n = new QueueAdminRepository(ds).requeue(s, prefix);
                out.println("Requeued " + plural(n, "reading", "readings") + " (" + s
                        + (prefix == null ? "" : ", last_error starting with '" + prefix + "'") + ")");
                return 0;
            }
        }
    }

    @Command(
            name = "purge",
            mixinStandardHelpOptions = true,
            description = "Delete DEAD readings, their queue rows and their image files.")
    static class Purge implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(
                names = "--status",
                defaultValue = "DEAD",
                description = "DEAD, the only status that may be purged (default)")
        String status;

        @Option(
                names = {"--older-than", "--older-than-days"},
                paramLabel = "AGE",
                description = "Only rows DEAD for longer: 30 or 30d (or weeks: 4w); default: all DEAD rows")
        String olderThan;

        @Override
        public Integer call() throws SQLException {
            AdminSupport.status(status, List.of("DEAD"));
            Integer olderThanDays = olderThan == null ? null : AdminSupport.days("--older-than", olderThan);
            var settings = config.settings();
            try (var ds = AdminDatabase.open(settings)) {
                int days = olderThanDays == null ? 0 : olderThanDays;
                int n = new DeadRetention(new QueueRepository(ds, false), AdminSupport.images(settings), days).purge();
                spec.commandLine()
                        .getOut()
                        .println("Purged " + plural(n, "DEAD reading", "DEAD readings")
                                + (olderThanDays == null ? "" : " older than " + plural(olderThanDays, "day", "days"))
                                + " (and their images)");
                return 0;
            }
        }
    }
}
