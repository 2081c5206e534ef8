package routes.admin;

import static routes.admin.AdminSupport.change;
import static routes.admin.AdminSupport.iso;
import static routes.admin.AdminSupport.object;
import static routes.admin.AdminSupport.orDash;
import static routes.admin.AdminSupport.plural;

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
import routes.store.CameraRepository;
import routes.store.MunicipalityRepository;
import routes.store.MunicipalityRepository.MunicipalityChanges;
import routes.store.QueueAdminRepository;

/** {@code admin municipality …}. */
@Command(
        name = "municipality",
        mixinStandardHelpOptions = true,
        description = "Manage municipalities.",
        subcommands = {
            MunicipalityCommand.Add.class,
            MunicipalityCommand.ListMunicipalities.class,
            MunicipalityCommand.Update.class,
            MunicipalityCommand.Delete.class
        })
public class MunicipalityCommand {

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Register a municipality.")
    static class Add implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--name", required = true, description = "Unique name, e.g. Girona")
        String name;

        @Option(names = "--code", description = "Municipality code (optional)")
        String code;

        @Override
        public Integer call() throws SQLException {
            String n = AdminSupport.checkName("Municipality", name);
            try (var ds = AdminDatabase.open(config.settings())) {
                CameraRepository repo = new CameraRepository(ds);
                if (repo.municipalityId(n).isPresent()) {
                    throw new CommandFailedException("Municipality '" + n + "' already exists");
                }
                var id = repo.addMunicipality(n, code);
                spec.commandLine().getOut().println("Municipality '" + n + "' added (id " + id + ")");
                return 0;
            }
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List municipalities with their certificate, endpoint and cameras.")
    static class ListMunicipalities implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "JSON output for scripts")
        boolean json;

        @Override
        public Integer call() throws SQLException {
            try (var ds = AdminDatabase.open(config.settings())) {
                var rows = new MunicipalityRepository(ds).municipalities();
                if (json) {
                    List<Object> list = new ArrayList<>();
                    for (var m : rows) {
                        list.add(object(
                                "id",
                                m.id().toString(),
                                "name",
                                m.name(),
                                "code",
                                m.code(),
                                "active",
                                m.active(),
                                "certificate",
                                m.certificate(),
                                "endpoint",
                                m.endpoint(),
                                "cameras",
                                m.cameras(),
                                "created_at",
                                iso(m.createdAt())));
                    }
                    AdminSupport.printJson(spec, list);
                    return 0;
                }
                var out = spec.commandLine().getOut();
                out.printf(
                        "%-24s %-10s %-6s %-7s %-24s %s%n",
                        "NAME", "CODE", "ACTIVE", "CAMERAS", "CERTIFICATE", "ENDPOINT");
                for (var m : rows) {
                    out.printf(
                            "%-24s %-10s %-6s %-7d %-24s %s%n",
                            m.name(),
                            orDash(m.code()),
                            m.active() ? "yes" : "no",
                            m.cameras(),
                            orDash(m.certificate()),
                            orDash(m.endpoint()));
                }
                return 0;
            }
        }
    }

    @Command(
            name = "update",
            mixinStandardHelpOptions = true,
            description = "Rename a municipality, change its code or (de)activate it.")
    static class Update implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--name", required = true, description = "The municipality to change")
        String name;

        @Option(names = "--new-name", description = "Its new name")
        String newName;

        @Option(names = "--code", description = "Its code (\"\" clears it)")
        String code;

        @Option(
                names = "--active",
                arity = "1",
                paramLabel = "true|false",
                description = "false: its cameras' readings are refused at ingest")
        Boolean active;

        @Override
        public Integer call() throws SQLException {
            if (newName == null && code == null && active == null) {
                throw new CommandFailedException("Nothing to update: give --new-name, --code or --active");
            }
            String renamed = newName == null ? null : AdminSupport.checkName("Municipality", newName);
            try (var ds = AdminDatabase.open(config.settings())) {
                MunicipalityRepository repo = new MunicipalityRepository(ds);
                if (renamed != null
                        && !renamed.equals(name)
                        && repo.municipalityId(renamed).isPresent()) {
                    throw new CommandFailedException("Municipality '" + renamed + "' already exists");
                }
                if (!repo.updateMunicipality(
                        name, new MunicipalityChanges(change(renamed), change(code), change(active)))) {
                    throw new CommandFailedException("Municipality '" + name + "' does not exist");
                }
                List<String> what = new ArrayList<>();
                if (renamed != null) {
                    what.add("renamed to '" + renamed + "'");
                }
                if (code != null) {
                    what.add(code.isEmpty() ? "code cleared" : "code " + code);
                }
                if (active != null) {
                    what.add(active ? "active" : "inactive");
                }
                spec.commandLine().getOut().println("Municipality '" + name + "' updated: " + String.join(", ", what));
                return 0;
            }
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description =
                    "Delete a municipality. With cameras it is refused unless --force, which deletes its cameras and their readings too.")
    static class Delete implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--name", required = true, description = "The municipality to delete")
        String name;

        @Option(
                names = "--force",
                description = "Also delete its cameras and their readings (with their images), in one transaction")
        boolean force;

        @Override
        public Integer call() throws SQLException {
            var settings = config.settings();
            try (var ds = AdminDatabase.open(settings)) {
                var result = new MunicipalityRepository(ds).deleteMunicipality(name, force);
                if (!result.found()) {
                    throw new CommandFailedException("Municipality '" + name + "' does not exist");
                }
                if (!result.deleted()) {
                    String readings = result.readings() == 0
                            ? ""
                            : (result.cameras() == 1 ? " and its " : " and their ")
                                    + plural(result.readings(), "queued reading", "queued readings");
                    throw new CommandFailedException("Municipality '" + name + "' has "
                            + plural(result.cameras(), "camera", "cameras") + "; use --force to delete "
                            + (result.cameras() == 1 ? "it" : "them") + readings + " too");
                }
                QueueAdminRepository.deleteImages(AdminSupport.images(settings), result.removed());
                String cascaded = result.cameras() == 0
                        ? ""
                        : " with its " + plural(result.cameras(), "camera", "cameras")
                                + (result.readings() == 0
                                        ? ""
                                        : " and " + plural(result.readings(), "reading", "readings")
                                                + " (and their images)");
                spec.commandLine().getOut().println("Municipality '" + name + "' deleted" + cascaded);
                return 0;
            }
        }
    }
}
