package routes.admin;

import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.Application.CommandFailedException;
import routes.config.ConfigOptions;
import routes.ingest.ReadingFields;
import routes.store.CameraRepository;

/** {@code admin camera …}. */
@Command(name = "camera", mixinStandardHelpOptions = true, description = "Manage cameras.",
        subcommands = {CameraCommand.Add.class})
public class CameraCommand {

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Register a camera under a municipality.")
    static class Add implements Callable<Integer> {
        @Mixin ConfigOptions config;
        @Spec CommandSpec spec;

        @Option(names = "--serial", required = true, description = "The camera's DEVICE_SN (letters, digits, '-', '_')")
        String serial;

        @Option(names = "--municipality", required = true, description = "Name of a registered municipality")
        String municipality;

        @Option(names = "--codigo-lector", description = "Reader code Mossos knows this camera by (default: the serial)")
        String codigoLector;

        @Option(names = "--timezone", description = "Time zone of the camera's clock (default: CAMERA_TIMEZONE)")
        String timezone;

        @Option(names = "--description", description = "Free text, e.g. where it is")
        String description;

        @Override
        public Integer call() throws SQLException {
            if (!ReadingFields.isValidSerial(serial)) {
                throw new CommandFailedException("Invalid serial '" + serial + "': use 1-64 letters, digits, '-' or '_'");
            }
            if (timezone != null) {
                try {
                    ZoneId.of(timezone);
                } catch (DateTimeException e) {
                    throw new CommandFailedException("Invalid time zone '" + timezone + "': use a name such as Europe/Madrid");
                }
            }
            try (var ds = AdminDatabase.open(config.settings())) {
                CameraRepository repo = new CameraRepository(ds);
                var municipalityId = repo.municipalityId(municipality)
                        .orElseThrow(() -> new CommandFailedException("Municipality '" + municipality + "' does not exist"));
                if (repo.findBySerial(serial).isPresent()) {
                    throw new CommandFailedException("Camera '" + serial + "' already exists");
                }
                var id = repo.addCamera(serial, municipalityId, codigoLector, description, timezone);
                spec.commandLine().getOut().println("Camera '" + serial + "' added to municipality '" + municipality + "' (id " + id + ")");
                return 0;
            }
        }
    }
}
