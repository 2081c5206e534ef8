package routes.admin;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.cli.CommandFailedException;
import routes.config.Service;

/** {@code routes export}: writes the packaged YAML routes to a folder, the starting point for ROUTES_DIR. */
@Command(
        name = "routes",
        mixinStandardHelpOptions = true,
        description = "The YAML routes.",
        subcommands = RoutesCommand.Export.class)
public class RoutesCommand {

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description = "Write the packaged YAML routes to a folder; point ROUTES_DIR at it to run edited routes.")
    static class Export implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, description = "Target folder (created if needed)")
        Path dir;

        @Option(names = "--force", description = "Overwrite existing files")
        boolean force;

        @Override
        public Integer call() throws Exception {
            Files.createDirectories(dir);
            for (String name : Service.ROUTE_FILES) {
                Path target = dir.resolve(name);
                if (Files.exists(target) && !force) {
                    throw new CommandFailedException(target + " exists: use --force to overwrite it");
                }
                try (InputStream in = RoutesCommand.class.getClassLoader().getResourceAsStream("camel/" + name)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            spec.commandLine()
                    .getOut()
                    .println("Routes written to " + dir.toAbsolutePath() + ": "
                            + String.join(", ", Service.ROUTE_FILES));
            return 0;
        }
    }
}
