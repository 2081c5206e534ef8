package routes.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.main.Main;
import routes.monitoring.JolokiaAgent;

/** Runs the service: Camel Main with the YAML routes of the selected flows, until the process is stopped. */
public final class Service {

    private final Settings settings;

    public Service(Settings settings) {
        this.settings = settings;
    }

    /** The flows' route files, in the jar. */
    public static final List<String> ROUTE_FILES =
            List.of("errors.yaml", "ingest.yaml", "lectorvision.yaml", "sender.yaml", "maintenance.yaml", "api.yaml");

    /**
     * The route files of one flow: its own, and for ingest also the Lector Vision forwarder's port's
     * ({@code LECTORVISION_PORT}).
     */
    public static List<String> routeFiles(String flow) {
        return flow.equals("ingest") ? List.of("ingest.yaml", "lectorvision.yaml") : List.of(flow + ".yaml");
    }

    /** Files added after the first release of {@code routes export}: a ROUTES_DIR exported before them runs the packaged ones. */
    private static final Set<String> ADDED_LATER = Set.of("lectorvision.yaml");

    /**
     * The route files for {@code TATTILE_FLOWS}: the shared error policies plus each flow's files, from
     * the jar, or from {@code ROUTES_DIR} when set.
     */
    public static String routesIncludePattern(Settings settings) {
        String dir = settings.text(Setting.ROUTES_DIR);
        Path folder = dir.isEmpty() ? null : Path.of(dir).toAbsolutePath().normalize();
        String base = folder == null ? "classpath:camel/" : "file:" + folder + "/";
        return base + "errors.yaml,"
                + settings.flows().stream()
                        .flatMap(flow -> routeFiles(flow).stream())
                        .map(file -> folder != null && ADDED_LATER.contains(file) && !Files.exists(folder.resolve(file))
                                ? "classpath:camel/" + file
                                : base + file)
                        .collect(Collectors.joining(","));
    }

    /**
     * Camel Main as the service runs it, with these properties over the defaults and this configuration (the beans and
     * routes of the selected flows). Tests start theirs here too, changing only what differs (JMX, say).
     */
    public static Main camelMain(Properties properties, TattileConfiguration configuration) {
        Main main = new Main();
        main.setOverrideProperties(properties);
        main.configure()
                .withName("tattile-sender")
                .withAutoConfigurationLogSummary(false) // the summary would print DB_PASSWORD
                .addConfiguration(configuration);
        return main;
    }

    public int run() {
        JolokiaAgent.start(
                settings.integer(Setting.JOLOKIA_PORT),
                settings.text(Setting.JOLOKIA_USER),
                settings.text(Setting.JOLOKIA_PASSWORD_FILE));
        // The settings themselves: DB_PASSWORD never goes through Camel's properties (see Settings.asProperties).
        Main main = camelMain(settings.asProperties(), new TattileConfiguration(settings));
        try {
            int exit = main.run(new String[0]);
            if (exit != 0 && main.getCamelContext() == null) {
                throw new ServiceFailedException("The service could not start (see the log above)");
            }
            return exit;
        } catch (ServiceFailedException e) {
            throw e;
        } catch (Exception e) {
            throw new ServiceFailedException("The service could not start: " + rootMessage(e));
        }
    }

    /** The innermost message, which for a broken route file names the file, line and column. */
    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return (t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage()).strip();
    }

    /** Start-up failed; the message is the one line the operator sees. */
    public static class ServiceFailedException extends RuntimeException {
        public ServiceFailedException(String message) {
            super(message);
        }
    }
}
