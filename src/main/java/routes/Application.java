package routes;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import routes.admin.AdminCommand;
import routes.admin.DbCommand;
import routes.admin.RoutesCommand;
import routes.cli.CommandFailedException;
import routes.config.ConfigOptions;
import routes.config.InvalidSettingException;
import routes.config.Service;
import routes.store.DatabaseSetupException;
import routes.tools.SandboxCommand;
import routes.tools.SimulateCommand;
import routes.tools.bench.BenchCommand;

/**
 * The one entry point. Without a sub-command it runs the service; {@code admin}, {@code db} and
 * {@code simulate} are the operator and developer tools, in the same jar.
 */
@Command(
        name = "tattile-sender",
        mixinStandardHelpOptions = true,
        versionProvider = Application.Version.class,
        description = "Forwards Tattile ALPR readings to the Mossos d'Esquadra matricula service.%n"
                + "Without a command: runs the service (configuration from the environment and .env).")
public class Application implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() {
        return new Service(config.settings()).run();
    }

    public static void main(String[] args) {
        // No argument is the service (the systemd unit): picocli would otherwise build the model of every tool's
        // command first, which took 0.2 s of the start to listening.
        System.exit((args.length == 0 ? serviceCommandLine() : commandLine()).execute(args));
    }

    /** The command line with its error handling and the tools' commands. */
    public static CommandLine commandLine() {
        CommandLine cl = serviceCommandLine();
        for (Class<?> tool : List.of(
                AdminCommand.class,
                DbCommand.class,
                RoutesCommand.class,
                SimulateCommand.class,
                SandboxCommand.class,
                BenchCommand.class)) {
            cl.addSubcommand(tool);
        }
        return cl;
    }

    /** The command line of the service alone, with its error handling: a bad setting or a failure prints one line. */
    static CommandLine serviceCommandLine() {
        CommandLine cl = new CommandLine(new Application());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof InvalidSettingException
                    || e instanceof CommandFailedException
                    || e instanceof Service.ServiceFailedException
                    || e instanceof DatabaseSetupException) {
                commandLine.getErr().println(oneLine(e.getMessage()));
                return e instanceof InvalidSettingException ? 2 : 1;
            }
            if (e instanceof SQLException) {
                commandLine.getErr().println(oneLine("Database error: " + e.getMessage()));
                return 1;
            }
            commandLine.getErr().println(oneLine("Error: " + e));
            return 1;
        });
        // Bad arguments: the message and where to find help, on one line (not the whole usage).
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            failed.getErr()
                    .println(oneLine(e.getMessage()) + " (see: "
                            + failed.getCommandSpec().qualifiedName() + " --help)");
            return failed.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cl;
    }

    private static String oneLine(String message) {
        return String.valueOf(message).strip().replaceAll("\\s*\\R\\s*", " ");
    }

    static class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Application.class.getPackage().getImplementationVersion();
            return new String[] {"tattile-sender " + (v == null ? "dev" : v)};
        }
    }
}
