package routes.admin;

import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import routes.Application.CommandFailedException;
import routes.config.ConfigOptions;
import routes.store.CameraRepository;

/** {@code admin municipality …}. */
@Command(name = "municipality", mixinStandardHelpOptions = true, description = "Manage municipalities.",
        subcommands = {MunicipalityCommand.Add.class})
public class MunicipalityCommand {

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Register a municipality.")
    static class Add implements Callable<Integer> {
        @Mixin ConfigOptions config;
        @Spec CommandSpec spec;

        @Option(names = "--name", required = true, description = "Unique name, e.g. Girona")
        String name;

        @Option(names = "--code", description = "Municipality code (optional)")
        String code;

        @Override
        public Integer call() throws SQLException {
            if (name.isBlank() || name.length() > 200) {
                throw new CommandFailedException("Municipality name must be 1-200 characters");
            }
            try (var ds = AdminDatabase.open(config.settings())) {
                CameraRepository repo = new CameraRepository(ds);
                if (repo.municipalityId(name).isPresent()) {
                    throw new CommandFailedException("Municipality '" + name + "' already exists");
                }
                var id = repo.addMunicipality(name.strip(), code);
                spec.commandLine().getOut().println("Municipality '" + name.strip() + "' added (id " + id + ")");
                return 0;
            }
        }
    }
}
