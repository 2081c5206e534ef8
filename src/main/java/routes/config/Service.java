package routes.config;

import java.util.stream.Collectors;
import org.apache.camel.main.Main;

/** Runs the service: Camel Main with the YAML routes of the selected flows, until the process is stopped. */
public final class Service {

    private final Settings settings;

    public Service(Settings settings) {
        this.settings = settings;
    }

    /** The flows' route files, in the jar. */
    public static final java.util.List<String> ROUTE_FILES = java.util.List.of("errors.yaml", "ingest.yaml", "sender.yaml", "maintenance.yaml",
            "api.yaml");

    /**
     * The route files for {@code TATTILE_FLOWS}: the shared error policies plus one file per flow, from
     * the jar, or from {@code ROUTES_DIR} when set.
     */
    public static String routesIncludePattern(Settings settings) {
        String dir = settings.text(Setting.ROUTES_DIR);
        String base = dir.isEmpty() ? "classpath:camel/" : "file:" + java.nio.file.Path.of(dir).toAbsolutePath().normalize() + "/";
        return base + "errors.yaml," + settings.flows().stream()
                .map(flow -> base + flow + ".yaml")
                .collect(Collectors.joining(","));
    }

    public int run() {
        startJolokia(settings.integer(Setting.JOLOKIA_PORT));
        Main main = new Main();
        main.setOverrideProperties(settings.asProperties());
        main.configure().withName("tattile-sender")
                .withAutoConfigurationLogSummary(false) // the summary would print DB_PASSWORD
                .withRoutesIncludePattern(routesIncludePattern(settings))
                .addConfiguration(TattileConfiguration.class);
        if (settings.flows().contains("api")) {
            var http = main.configure().httpServer();
            http.setEnabled(true);
            http.setHost(settings.text(Setting.API_BIND_HOST));
            http.setPort(settings.integer(Setting.API_PORT));
            http.setMaxBodySize((long) settings.integer(Setting.API_MAX_BODY_BYTES));
        }
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

    /** Jolokia's JVM agent, in this process, on 127.0.0.1 only, with the access policy packaged in the jar. */
    static void startJolokia(int port) {
        if (port <= 0) {
            return;
        }
        try {
            org.jolokia.jvmagent.JvmAgent.agentmain("host=127.0.0.1,port=" + port
                    + ",policyLocation=classpath:/jolokia-access.xml,discoveryEnabled=false", null);
        } catch (RuntimeException e) {
            // Monitoring must not stop the service (e.g. two processes of one host, one per flow, on the same port).
            org.slf4j.LoggerFactory.getLogger(Service.class).warn("Jolokia not started on 127.0.0.1:{} ({}); set JOLOKIA_PORT to a free port or 0",
                    port, e.getMessage());
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
