package routes.admin;

import java.sql.SQLException;
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
import routes.store.AssignmentRepository;
import routes.store.AssignmentRepository.Assigned;
import routes.store.AssignmentRepository.Target;
import routes.store.CertificateRepository;
import routes.store.EndpointRepository;

/** {@code admin assign …}: which certificate signs, and which endpoint receives, a municipality's or a camera's readings. */
@Command(
        name = "assign",
        mixinStandardHelpOptions = true,
        description =
                "Set the certificate or endpoint of a municipality, or a camera's override of its municipality's (none clears it).")
public class AssignCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    @ArgGroup(exclusive = true, multiplicity = "1")
    To to;

    static class What {
        @Option(
                names = "--certificate",
                required = true,
                paramLabel = "NAME|none",
                description = "A certificate's name")
        String certificate;

        @Option(names = "--endpoint", required = true, paramLabel = "NAME|none", description = "An endpoint's name")
        String endpoint;
    }

    static class To {
        @Option(names = "--municipality", required = true, paramLabel = "NAME", description = "A municipality's name")
        String municipality;

        @Option(names = "--camera", required = true, paramLabel = "SERIAL", description = "A camera's serial")
        String camera;
    }

    @Override
    public Integer call() throws SQLException {
        Assigned kind = what.certificate != null ? Assigned.CERTIFICATE : Assigned.ENDPOINT;
        String name = what.certificate != null ? what.certificate : what.endpoint;
        String label = kind == Assigned.CERTIFICATE ? "Certificate" : "Endpoint";
        Target target = to.municipality != null ? Target.MUNICIPALITY : Target.CAMERA;
        String key = to.municipality != null ? to.municipality : to.camera;
        String targetLabel = target == Target.MUNICIPALITY ? "municipality '" + key + "'" : "camera '" + key + "'";
        try (var ds = AdminDatabase.open(config.settings())) {
            UUID id = null;
            if (!AdminSupport.isNone(name)) {
                id = (kind == Assigned.CERTIFICATE
                                ? new CertificateRepository(ds).certificateId(name)
                                : new EndpointRepository(ds).endpointId(name))
                        .orElseThrow(() -> new CommandFailedException(label + " '" + name + "' does not exist"));
            }
            if (!new AssignmentRepository(ds).assign(kind, id, target, key)) {
                throw new CommandFailedException(
                        (target == Target.MUNICIPALITY ? "Municipality '" : "Camera '") + key + "' does not exist");
            }
            var out = spec.commandLine().getOut();
            if (id == null) {
                out.println(label + " of " + targetLabel + " cleared"
                        + (target == Target.CAMERA ? " (it uses its municipality's)" : ""));
            } else {
                out.println(label + " '" + name + "' assigned to " + targetLabel
                        + (target == Target.CAMERA ? " (overrides its municipality's)" : ""));
            }
            return 0;
        }
    }
}
