package routes.admin;

import static routes.admin.AdminSupport.change;
import static routes.admin.AdminSupport.names;
import static routes.admin.AdminSupport.object;
import static routes.admin.AdminSupport.orDash;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.cli.CommandFailedException;
import routes.config.ConfigOptions;
import routes.store.AssignmentRepository;
import routes.store.AssignmentRepository.ReferenceDeletion;
import routes.store.Change;
import routes.store.EndpointRepository;
import routes.store.EndpointRepository.EndpointChanges;
import routes.store.EndpointRepository.NewEndpoint;

/** {@code admin endpoint …}: the Mossos service URLs municipalities and cameras send to. */
@Command(
        name = "endpoint",
        mixinStandardHelpOptions = true,
        description = "Manage Mossos endpoints (without one, readings go to MOSSOS_ENDPOINT_URL).",
        subcommands = {
            EndpointCommand.Add.class,
            EndpointCommand.ListEndpoints.class,
            EndpointCommand.Update.class,
            EndpointCommand.Delete.class
        })
public class EndpointCommand {

    /** The tuning options add and update share. */
    static class Tuning {
        @Option(names = "--timeout-ms", description = "Connect and receive timeout of a send (default 30000)")
        Integer timeoutMs;

        @Option(names = "--retry-max", description = "Failed attempts allowed (default: SENDER_DEFAULT_RETRY_MAX)")
        Integer retryMax;

        @Option(
                names = "--retry-backoff-ms",
                description = "First delay between attempts (default: SENDER_DEFAULT_BACKOFF_MS)")
        Integer retryBackoffMs;

        @Option(names = "--soap-action", description = "SOAPAction header, if the service needs one")
        String soapAction;

        @Option(
                names = "--max-in-flight",
                paramLabel = "N|none",
                description = "Most sends in flight to it from all instances together (enforced through the database);"
                        + " none: no cap (the default)")
        String maxInFlight;

        void check() {
            AdminSupport.checkPositive("--timeout-ms", timeoutMs);
            AdminSupport.checkNotNegative("--retry-max", retryMax);
            AdminSupport.checkPositive("--retry-backoff-ms", retryBackoffMs);
            maxInFlight();
        }

        /** The cap given: absent, none (null in the change) or a positive number. */
        Change<Integer> maxInFlight() {
            if (maxInFlight == null) {
                return null;
            }
            if (AdminSupport.isNone(maxInFlight.strip())) {
                return Change.to(null);
            }
            try {
                int n = Integer.parseInt(maxInFlight.strip());
                if (n > 0) {
                    return Change.to(n);
                }
            } catch (NumberFormatException e) {
                // refused below
            }
            throw new CommandFailedException(
                    "--max-in-flight must be a positive number or none (got " + maxInFlight + ")");
        }

        boolean any() {
            return timeoutMs != null
                    || retryMax != null
                    || retryBackoffMs != null
                    || soapAction != null
                    || maxInFlight != null;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Register an endpoint.")
    static class Add implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Mixin
        Tuning tuning;

        @Option(names = "--name", required = true, description = "Unique name, e.g. mossos-prod")
        String name;

        @Option(names = "--url", required = true, description = "The service URL (http:// or https://)")
        String url;

        @Override
        public Integer call() throws SQLException {
            String n = AdminSupport.checkReferenceName("Endpoint", name);
            AdminSupport.checkUrl(url);
            tuning.check();
            try (var ds = AdminDatabase.open(config.settings())) {
                EndpointRepository repo = new EndpointRepository(ds);
                if (repo.endpointId(n).isPresent()) {
                    throw new CommandFailedException("Endpoint '" + n + "' already exists");
                }
                var id = repo.addEndpoint(new NewEndpoint(
                        n,
                        url,
                        tuning.timeoutMs,
                        tuning.retryMax,
                        tuning.retryBackoffMs,
                        tuning.soapAction == null || tuning.soapAction.isEmpty() ? null : tuning.soapAction,
                        tuning.maxInFlight() == null
                                ? null
                                : tuning.maxInFlight().value()));
                spec.commandLine().getOut().println("Endpoint '" + n + "' added (" + url + ", id " + id + ")");
                return 0;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List endpoints and who uses them.")
    static class ListEndpoints implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "JSON output for scripts")
        boolean json;

        @Override
        public Integer call() throws SQLException {
            try (var ds = AdminDatabase.open(config.settings())) {
                var rows = new EndpointRepository(ds).endpoints();
                if (json) {
                    List<Object> list = new ArrayList<>();
                    for (var e : rows) {
                        list.add(object(
                                "id",
                                e.id().toString(),
                                "name",
                                e.name(),
                                "url",
                                e.url(),
                                "timeout_ms",
                                e.timeoutMs(),
                                "retry_max",
                                e.retryMax(),
                                "retry_backoff_ms",
                                e.retryBackoffMs(),
                                "soap_action",
                                e.soapAction(),
                                "max_in_flight",
                                e.maxInFlight(),
                                "active",
                                e.active(),
                                "used_by",
                                e.usedBy()));
                    }
                    AdminSupport.printJson(spec, list);
                    return 0;
                }
                var out = spec.commandLine().getOut();
                out.printf(
                        "%-20s %-8s %-7s %-8s %-9s %-6s %-24s %s%n",
                        "NAME", "TIMEOUT", "RETRIES", "BACKOFF", "IN FLIGHT", "ACTIVE", "USED BY", "URL");
                for (var e : rows) {
                    out.printf(
                            "%-20s %-8d %-7s %-8s %-9s %-6s %-24s %s%n",
                            e.name(),
                            e.timeoutMs(),
                            orDash(e.retryMax()),
                            orDash(e.retryBackoffMs()),
                            orDash(e.maxInFlight()),
                            e.active() ? "yes" : "no",
                            orDash(e.usedBy()),
                            e.url());
                }
                return 0;
            }
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Change an endpoint.")
    static class Update implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Mixin
        Tuning tuning;

        @Option(names = "--name", required = true, description = "The endpoint to change")
        String name;

        @Option(names = "--new-name", description = "Its new name")
        String newName;

        @Option(names = "--url", description = "Its new URL (http:// or https://)")
        String url;

        @Option(names = "--active", arity = "1", paramLabel = "true|false", description = "Whether it is in use")
        Boolean active;

        @Override
        public Integer call() throws SQLException {
            if (newName == null && url == null && active == null && !tuning.any()) {
                throw new CommandFailedException(
                        "Nothing to update: give --new-name, --url, --timeout-ms, --retry-max, "
                                + "--retry-backoff-ms, --soap-action, --max-in-flight or --active");
            }
            String renamed = newName == null ? null : AdminSupport.checkReferenceName("Endpoint", newName);
            if (url != null) {
                AdminSupport.checkUrl(url);
            }
            tuning.check();
            try (var ds = AdminDatabase.open(config.settings())) {
                EndpointRepository repo = new EndpointRepository(ds);
                if (renamed != null
                        && !renamed.equals(name)
                        && repo.endpointId(renamed).isPresent()) {
                    throw new CommandFailedException("Endpoint '" + renamed + "' already exists");
                }
                var changes = new EndpointChanges(
                        change(renamed),
                        change(url),
                        change(tuning.timeoutMs),
                        change(tuning.retryMax),
                        change(tuning.retryBackoffMs),
                        change(tuning.soapAction),
                        tuning.maxInFlight(),
                        change(active));
                if (!repo.updateEndpoint(name, changes)) {
                    throw new CommandFailedException("Endpoint '" + name + "' does not exist");
                }
                List<String> what = new ArrayList<>();
                if (renamed != null) {
                    what.add("renamed to '" + renamed + "'");
                }
                if (url != null) {
                    what.add("url " + url);
                }
                if (tuning.timeoutMs != null) {
                    what.add("timeout " + tuning.timeoutMs + " ms");
                }
                if (tuning.retryMax != null) {
                    what.add("retry max " + tuning.retryMax);
                }
                if (tuning.retryBackoffMs != null) {
                    what.add("retry back-off " + tuning.retryBackoffMs + " ms");
                }
                if (tuning.soapAction != null) {
                    what.add(tuning.soapAction.isEmpty() ? "SOAP action cleared" : "SOAP action " + tuning.soapAction);
                }
                if (tuning.maxInFlight != null) {
                    Integer cap = tuning.maxInFlight().value();
                    what.add(cap == null ? "no cap on sends in flight" : "at most " + cap + " sends in flight");
                }
                if (active != null) {
                    what.add(active ? "active" : "inactive");
                }
                spec.commandLine().getOut().println("Endpoint '" + name + "' updated: " + String.join(", ", what));
                return 0;
            }
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description =
                    "Delete an endpoint. When municipalities or cameras use it, refused unless --force, which clears those references "
                            + "(they then send to their municipality's endpoint or MOSSOS_ENDPOINT_URL).")
    static class Delete implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--name", required = true, description = "The endpoint to delete")
        String name;

        @Option(
                names = "--force",
                description = "Clear it from the municipalities and cameras that use it, in the same transaction")
        boolean force;

        @Override
        public Integer call() throws SQLException {
            try (var ds = AdminDatabase.open(config.settings())) {
                var result = new AssignmentRepository(ds).deleteEndpoint(name, force);
                spec.commandLine().getOut().println(deletionMessage("Endpoint", name, result));
                return 0;
            }
        }
    }

    /** The outcome of deleting an endpoint or certificate, or the failure explaining why it was refused. */
    static String deletionMessage(String what, String name, ReferenceDeletion result) {
        if (!result.found()) {
            throw new CommandFailedException(what + " '" + name + "' does not exist");
        }
        String users = users(result);
        if (!result.deleted()) {
            throw new CommandFailedException(what + " '" + name + "' is used by " + users
                    + "; use --force to clear those references and delete it");
        }
        return what + " '" + name + "' deleted" + (result.referenced() ? "; cleared from " + users : "");
    }

    private static String users(ReferenceDeletion r) {
        List<String> parts = new ArrayList<>();
        if (!r.municipalities().isEmpty()) {
            parts.add(
                    (r.municipalities().size() == 1 ? "municipality " : "municipalities ") + names(r.municipalities()));
        }
        if (!r.cameras().isEmpty()) {
            parts.add((r.cameras().size() == 1 ? "camera " : "cameras ") + names(r.cameras()));
        }
        return String.join(" and ", parts);
    }
}
