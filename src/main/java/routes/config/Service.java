package routes.config;

import java.util.stream.Collectors;
import org.apache.camel.main.Main;

/** Runs the service: Camel Main with the YAML routes of the selected flows, until the process is stopped. */
public final class Service {

    private final Settings settings;

    public Service(Settings settings) {
        this.settings = settings;
    }

    /** The route files for {@code TATTILE_FLOWS}: the shared error policies plus one file per flow. */
    public static String routesIncludePattern(Settings settings) {
        return "classpath:camel/errors.yaml," + settings.flows().stream()
                .map(flow -> "classpath:camel/" + flow + ".yaml")
                .collect(Collectors.joining(","));
    }

    public int run() {
        Main main = new Main();
        main.setOverrideProperties(settings.asProperties());
        main.configure().withName("tattile-sender")
                .withAutoConfigurationLogSummary(false) // the summary would print DB_PASSWORD
                .withRoutesIncludePattern(routesIncludePattern(settings))
                .addConfiguration(TattileConfiguration.class);
        try {
            return main.run(new String[0]);
        } catch (Exception e) {
            throw new IllegalStateException("The service could not start: " + e.getMessage(), e);
        }
    }
}
