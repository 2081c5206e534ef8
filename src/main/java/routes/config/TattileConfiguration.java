package routes.config;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.spi.CamelBeanPostProcessor;
import org.apache.camel.spi.Resource;
import org.apache.camel.spi.ResourceLoader;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.store.Database;

/**
 * Sets up the flows that {@code TATTILE_FLOWS} selects, the same way for the service and for the tests: the shared
 * {@link CoreConfiguration}, then one configuration per selected flow, whose {@code @BindToRegistry} methods are named
 * after the routes' {@code ref:}s, then the flows' route files (from the jar, or from {@code ROUTES_DIR}).
 */
public class TattileConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(TattileConfiguration.class);

    private final Settings given;

    /** The settings from Camel's properties (tests, and any embedding that sets them there). */
    public TattileConfiguration() {
        this(null);
    }

    /** These settings (the service: environment and .env, already validated). */
    public TattileConfiguration(Settings settings) {
        this.given = settings;
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = given != null ? given : Settings.from(key -> property(context, key));
        // Defaults become visible to the routes' {{placeholders}} too (explicit values keep priority).
        settings.asProperties()
                .forEach((k, v) -> context.getPropertiesComponent().addInitialProperty((String) k, (String) v));

        CoreConfiguration core = new CoreConfiguration(settings, database(context, settings), Clock.systemUTC());
        core.register(context);
        Set<String> flows = settings.flows();
        List<Object> configurations = new ArrayList<>(List.of(core));
        if (flows.contains("ingest") || flows.contains("api")) {
            ReadingIntakeConfiguration intake = new ReadingIntakeConfiguration(context, core);
            configurations.add(intake);
            if (flows.contains("ingest")) {
                configurations.add(new IngestConfiguration(context, core, intake));
            }
        }
        if (flows.contains("sender")) {
            configurations.add(new SenderConfiguration(context, core));
        }
        if (flows.contains("maintenance")) {
            configurations.add(new MaintenanceConfiguration(context, core));
        }
        if (flows.contains("api")) {
            configurations.add(new ApiConfiguration(context, core));
        }
        CamelBeanPostProcessor binder = PluginHelper.getBeanPostProcessor(context);
        for (Object configuration : configurations) {
            binder.postProcessBeforeInitialization(
                    configuration, configuration.getClass().getSimpleName());
        }
        TemplatedRoutes.install(context);
        loadRoutes(context, settings);
        if (flows.contains("ingest")) {
            IngestConfiguration.requireCameraAddressStep(context, settings);
        }
    }

    /** The pool, closed when Camel stops, on a schema migrated (one role) or checked (DB_OWNER_USER set). */
    private static HikariDataSource database(CamelContext context, Settings settings) throws Exception {
        HikariDataSource dataSource = Database.pool(settings.database(), "tattile");
        context.addService(
                new ServiceSupport() {
                    @Override
                    protected void doStop() {
                        dataSource.close();
                    }
                },
                true,
                true);
        // One role: migrates when DB_MIGRATE_ON_START is on. With DB_OWNER_USER: never migrates, refuses a schema
        // behind the jar.
        Database.prepare(settings.database(), dataSource)
                .filter(result -> result.migrationsExecuted > 0)
                .ifPresent(result -> LOG.info(
                        "Database schema migrated to version {} ({} migrations applied)",
                        result.targetSchemaVersion,
                        result.migrationsExecuted));
        return dataSource;
    }

    /**
     * The selected flows' route files ({@link Service#routesIncludePattern}). Loaded here rather than by Camel Main's
     * route collector (off in application.properties), so that whatever starts this configuration gets the same routes.
     */
    private static void loadRoutes(CamelContext context, Settings settings) throws Exception {
        ResourceLoader files = PluginHelper.getResourceLoader(context);
        List<Resource> routes = Arrays.stream(
                        Service.routesIncludePattern(settings).split(","))
                .map(files::resolveResource)
                .toList();
        PluginHelper.getRoutesLoader(context).loadRoutes(routes);
    }

    /**
     * A setting from Camel's properties. A secret is read where Camel would find it, environment and JVM system
     * properties first, but without Camel's resolver, which logs every value it resolves (DEBUG and TRACE); a
     * placeholder in a secret's value is not resolved.
     */
    private static String property(CamelContext context, String key) {
        if (!Setting.valueOf(key).kind().secret()) {
            return context.getPropertiesComponent().resolveProperty(key).orElse(null);
        }
        String value = System.getenv(key);
        if (value == null) {
            value = System.getProperty(key);
        }
        if (value == null && context.getPropertiesComponent() instanceof PropertiesComponent pc) {
            for (Properties p :
                    Arrays.asList(pc.getOverrideProperties(), pc.getLocalProperties(), pc.getInitialProperties())) {
                if (value == null && p != null) {
                    value = p.getProperty(key);
                }
            }
        }
        return value;
    }
}
