package routes.tools;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.cli.CommandFailedException;
import routes.config.ConfigOptions;
import routes.config.Setting;
import routes.config.Settings;

/** {@code simulate}: a built-in Tattile camera simulator that sends realistic readings over TCP. */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        description = "Send realistic Tattile readings over TCP, like cameras on persistent connections.")
public class SimulateCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--readings",
            defaultValue = "100",
            description = "How many readings to send (default: ${DEFAULT-VALUE})")
    int readings;

    @Option(
            names = "--connections",
            defaultValue = "4",
            description = "Parallel camera connections (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(
            names = "--serial",
            split = ",",
            defaultValue = "DEMO0001",
            description = "Camera serial(s) to send as, comma separated (default: ${DEFAULT-VALUE})")
    List<String> serials;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Service host (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", description = "Service port (default: TRANSIT_PORT)")
    Integer port;

    @Option(
            names = "--rate",
            defaultValue = "0",
            description = "Readings per second over all connections; 0 = as fast as accepted")
    double rate;

    @Option(
            names = "--ocr-kb",
            defaultValue = "20",
            description = "Approximate OCR image size in KB (default: ${DEFAULT-VALUE})")
    int ocrKb;

    @Option(
            names = "--ctx-kb",
            defaultValue = "60",
            description = "Approximate context image size in KB; 0 = none (default: ${DEFAULT-VALUE})")
    int ctxKb;

    @Override
    public Integer call() throws Exception {
        if (readings < 0 || connections < 1) {
            throw new CommandFailedException("--readings must be >= 0 and --connections >= 1");
        }
        Settings settings = config.settings();
        int target = port != null ? port : settings.integer(Setting.TRANSIT_PORT);
        var simulator = new CameraSimulator(
                host,
                target,
                serials,
                new SyntheticReadings(System.nanoTime(), ocrKb * 1024, ctxKb * 1024),
                settings.zone(Setting.CAMERA_TIMEZONE));
        var report = simulator.run(readings, connections, rate);
        spec.commandLine()
                .getOut()
                .printf(
                        "Sent %d readings over %d connections to %s:%d in %.1f s (%.0f readings/s)%n",
                        report.sent(),
                        report.connections(),
                        host,
                        target,
                        report.elapsedMillis() / 1000.0,
                        report.perSecond());
        return 0;
    }
}
