package routes.admin;

import picocli.CommandLine.Command;

/** {@code admin …}: what an operator registers and inspects, without SQL. */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Manage municipalities, cameras and certificates.",
        subcommands = {MunicipalityCommand.class, CameraCommand.class, CertificateCommand.class})
public class AdminCommand {
}
