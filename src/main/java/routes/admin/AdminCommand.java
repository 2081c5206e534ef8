package routes.admin;

import picocli.CommandLine.Command;

/** {@code admin …}: what an operator registers, inspects and repairs, without SQL. */
@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        description =
                "Manage municipalities, endpoints, cameras, certificates and API keys; inspect and repair the queue.",
        subcommands = {
            MunicipalityCommand.class,
            EndpointCommand.class,
            CameraCommand.class,
            CertificateCommand.class,
            AssignCommand.class,
            QueueCommand.class,
            ReadingsCommand.class,
            ImagesCommand.class,
            DbCommand.class,
            StatusCommand.class,
            ApiKeyCommand.class,
            ImportLegacyCommand.class
        })
public class AdminCommand {}
