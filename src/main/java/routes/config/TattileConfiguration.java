package routes.config;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.time.Duration;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import routes.api.AdminApi;
import routes.api.ApiAccess;
import routes.api.ApiGate;
import routes.api.ApiServer;
import routes.api.ApiErrors;
import routes.api.ApiGuard;
import routes.api.HealthReport;
import routes.api.Metrics;
import routes.api.QueueSnapshot;
import routes.ingest.CameraGate;
import routes.ingest.IdleTimeoutHandlerFactory;
import routes.ingest.IngestStats;
import routes.ingest.LectorVisionAnswers;
import routes.ingest.LectorVisionMapper;
import routes.ingest.LectorVisionServer;
import routes.ingest.ReadingParser;
import routes.ingest.ReadingRecorder;
import routes.ingest.RejectionLog;
import routes.ingest.SourceAllowList;
import routes.ingest.TattileFrameDecoderFactory;
import routes.ingest.XmlSafety;
import routes.store.CameraRepository;
import routes.store.Database;
import routes.store.DeadRetention;
import routes.store.ImageStore;
import routes.store.OrphanImageSweeper;
import routes.store.QueueRepository;
import routes.store.ReadingRepository;
import routes.security.CertificateStore;
import routes.sender.Deliveries;
import routes.sender.Delivery;
import routes.sender.EndpointGuard;
import routes.sender.MatriculaRequest;
import routes.sender.MatriculaResponse;
import routes.sender.MossosClient;
import routes.sender.SendOutcomes;
import routes.sender.SenderMetrics;
import routes.store.ApiKeyRepository;
import routes.store.AuditRepository;
import routes.store.CertificateRepository;
import routes.store.QueueAdminRepository;
import routes.store.RegistryRepository;

/**
 * Binds the beans the YAML routes use, from the validated {@link Settings}. The names bound here are
 * the ones the routes refer to ({@code #tattileFrameDecoders}, {@code ref: readingRecorder}…).
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
        settings.asProperties().forEach((k, v) -> context.getPropertiesComponent().addInitialProperty((String) k, (String) v));
        Registry registry = context.getRegistry();
        Clock clock = Clock.systemUTC();
        TemplatedRoutes.install(context);

        HikariDataSource dataSource = Database.pool(settings.database(), "tattile");
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                dataSource.close();
            }
        }, true, true);
        // One role: migrates when DB_MIGRATE_ON_START is on. With DB_OWNER_USER: never migrates, refuses a schema behind the jar.
        Database.prepare(settings.database(), dataSource).filter(result -> result.migrationsExecuted > 0).ifPresent(result ->
                LOG.info("Database schema migrated to version {} ({} migrations applied)", result.targetSchemaVersion, result.migrationsExecuted));
        registry.bind("dataSource", dataSource);
        registry.bind("settings", settings);

        IngestStats stats = new IngestStats();
        ImageStore images = new ImageStore(settings.path(Setting.IMAGES_BASE_DIR), settings.flag(Setting.IMAGES_FSYNC));
        QueueAdminRepository queueAdmin = new QueueAdminRepository(dataSource);
        EndpointGuard guard = new EndpointGuard(settings.integer(Setting.SENDER_BREAKER_FAILURES),
                Duration.ofSeconds(settings.integer(Setting.SENDER_BREAKER_OPEN_SECONDS)),
                Duration.ofSeconds(settings.integer(Setting.SENDER_HEALTHY_WINDOW_SECONDS)), settings.integer(Setting.SENDER_CONCURRENCY), clock);
        QueueSnapshot queueSnapshot = new QueueSnapshot(queueAdmin, settings.integer(Setting.API_HEALTH_CACHE_SECONDS) * 1000L, clock);
        Metrics metrics = new Metrics(stats, queueSnapshot, guard);
        QueueRepository queue = new QueueRepository(dataSource, settings.flag(Setting.AUDIT_ENABLED));
        registry.bind("imageStore", images);
        registry.bind("outageLog", new routes.store.OutageLog()); // housekeeping-errors (errors.yaml)

        bindIngest(registry, settings, dataSource, images, stats, clock);
        bindLectorVisionPort(context, registry, settings, stats);
        bindSender(context, registry, settings, dataSource, images, queue, clock, guard, new SenderMetrics(metrics.registry()));
        bindMaintenance(registry, settings, dataSource, images, queue, clock);
        bindApi(context, registry, settings, dataSource, queueAdmin, queueSnapshot, guard, metrics, clock);
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
        if (value == null && context.getPropertiesComponent() instanceof org.apache.camel.component.properties.PropertiesComponent pc) {
            for (java.util.Properties p : java.util.Arrays.asList(pc.getOverrideProperties(), pc.getLocalProperties(), pc.getInitialProperties())) {
                if (value == null && p != null) {
                    value = p.getProperty(key);
                }
            }
        }
        return value;
    }

    private static void bindIngest(Registry registry, Settings settings, HikariDataSource dataSource, ImageStore images, IngestStats stats,
                                   Clock clock) {
        XmlSafety xmlSafety = new XmlSafety(settings.integer(Setting.INGEST_MAX_FRAME_BYTES));
        registry.bind("ingestStats", stats);
        registry.bind("xmlSafety", xmlSafety);
        registry.bind("tattileXmlMapper", xmlSafety.hardenedMapper());
        registry.bind("tattileFrameDecoders", new TattileFrameDecoderFactory(settings.integer(Setting.INGEST_MAX_FRAME_BYTES), stats));
        registry.bind("tattileIdleTimeout", new IdleTimeoutHandlerFactory(settings.integer(Setting.INGEST_IDLE_TIMEOUT_SECONDS)));
        registry.bind("frameImages", new routes.ingest.FrameImages());
        registry.bind("readingParser", new ReadingParser());
        registry.bind("lectorVisionMapper", new LectorVisionMapper(settings.integer(Setting.API_MAX_BODY_BYTES)));
        registry.bind("cameraGate", new CameraGate(new CameraRepository(dataSource), settings.zone(Setting.CAMERA_TIMEZONE),
                settings.integer(Setting.CAMERA_CACHE_SECONDS), clock));
        registry.bind("readingRecorder", new ReadingRecorder(images, new ReadingRepository(dataSource), stats));
        RejectionLog rejections = new RejectionLog(stats, clock);
        registry.bind("rejectionLog", rejections);
        registry.bind("tattileSourceFilter", new routes.ingest.SourceFilterHandlerFactory(
                routes.ingest.SourceAllowList.parseList(settings.text(Setting.INGEST_ALLOWED_SOURCES)), rejections));
        registry.bind("readingPlausibility", new routes.ingest.ReadingPlausibility(settings.integer(Setting.INGEST_MAX_AGE_DAYS),
                settings.integer(Setting.INGEST_MAX_FUTURE_SECONDS), clock));
    }

    /**
     * The Windows Lector Vision forwarder's port (lectorvision.yaml, loaded with the ingest flow): its answers always,
     * its HTTP server only with the ingest flow and {@code LECTORVISION_PORT} set.
     */
    private static void bindLectorVisionPort(CamelContext context, Registry registry, Settings settings, IngestStats stats) throws Exception {
        registry.bind("lectorVisionAnswers", new LectorVisionAnswers());
        var port = settings.lectorVisionPort();
        if (port.isEmpty() || !settings.flows().contains("ingest")) {
            return;
        }
        context.addService(new LectorVisionServer(settings.text(Setting.LECTORVISION_BIND_HOST), port.getAsInt(),
                SourceAllowList.parseList(settings.text(Setting.LECTORVISION_ALLOWED_SOURCES)),
                new LectorVisionServer.Limits(settings.integer(Setting.API_MAX_CONNECTIONS), settings.integer(Setting.API_MAX_CONNECTIONS_PER_CLIENT),
                        settings.integer(Setting.API_MAX_REQUESTS_IN_PROGRESS), settings.integer(Setting.API_MAX_BODY_BYTES),
                        settings.integer(Setting.API_HEADER_TIMEOUT_SECONDS) * 1000L, settings.integer(Setting.API_IDLE_TIMEOUT_SECONDS) * 1000L,
                        settings.integer(Setting.API_REQUEST_TIMEOUT_SECONDS) * 1000L), stats), true, true);
    }

    private static void bindSender(CamelContext context, Registry registry, Settings settings, HikariDataSource dataSource,
                                   ImageStore images, QueueRepository queue, Clock clock, EndpointGuard guard, SenderMetrics senderMetrics) {
        int concurrency = settings.integer(Setting.SENDER_CONCURRENCY);
        // A send's timeout must end well before its lease, or a slow send could be recovered and sent twice.
        int maxTimeoutMs = Math.max(1000, (settings.integer(Setting.SENDER_LEASE_SECONDS) - 10) * 1000);
        registry.bind("queueRepository", queue);
        registry.bind("endpointGuard", guard);
        registry.bind("deliveries", new Deliveries(new Delivery.Defaults(settings.text(Setting.MOSSOS_ENDPOINT_URL),
                settings.integer(Setting.SENDER_DEFAULT_RETRY_MAX), settings.integer(Setting.SENDER_DEFAULT_BACKOFF_MS),
                Math.min(30_000, maxTimeoutMs))));
        registry.bind("matriculaRequest", new MatriculaRequest(images,
                new CertificateStore(dataSource, settings.path(Setting.CERTS_DIR), clock), maxTimeoutMs));
        registry.bind("matriculaResponse", new MatriculaResponse(settings.text(Setting.SENDER_SUCCESS_CODES)));
        registry.bind("sendOutcomes", new SendOutcomes(queue, guard, images, settings.text(Setting.SENDER_INSTANCE_ID),
                settings.integer(Setting.SENDER_MAX_BACKOFF_MS), clock, senderMetrics));
        registry.bind("senderCapacity", new routes.sender.SenderCapacity(concurrency, settings.integer(Setting.SENDER_MAX_BATCH_SIZE)));
        registry.bind("mossosEndpoint", MossosClient.endpoint(context, settings.text(Setting.MOSSOS_WSDL_URL),
                settings.flag(Setting.SOAP_DEBUG), concurrency));
        if (settings.flows().contains("sender") && settings.flag(Setting.SENDER_ENABLED)) {
            routes.security.CryptoProvider.install(settings.text(Setting.CRYPTO_PROVIDER));
            MossosClient.warmUp();
        }
    }

    private static void bindMaintenance(Registry registry, Settings settings, HikariDataSource dataSource, ImageStore images,
                                        QueueRepository queue, Clock clock) {
        registry.bind("orphanImageSweeper", new OrphanImageSweeper(images, dataSource,
                Duration.ofMinutes(settings.integer(Setting.IMAGES_ORPHAN_GRACE_MINUTES)), clock));
        registry.bind("deadRetention", new DeadRetention(queue, images, settings.integer(Setting.SENDER_DEAD_RETENTION_DAYS)));
    }

    private static void bindApi(CamelContext context, Registry registry, Settings settings, HikariDataSource dataSource,
                                QueueAdminRepository queueAdmin, QueueSnapshot queueSnapshot, EndpointGuard guard, Metrics metrics, Clock clock)
            throws Exception {
        ObjectMapper json = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        registry.bind("apiObjectMapper", json);
        registry.bind("metrics", metrics);
        registry.bind("healthReport", new HealthReport(dataSource, queueSnapshot, settings.integer(Setting.API_HEALTH_CACHE_SECONDS) * 1000L,
                new CertificateRepository(dataSource), guard,
                settings.flows(), settings.flag(Setting.SENDER_ENABLED)));
        AuditRepository audit = new AuditRepository(dataSource);
        ApiGate gate = new ApiGate(new ApiAccess(settings.integer(Setting.API_MAX_BODY_BYTES)), new ApiKeyRepository(dataSource), audit,
                new ApiGate.Limits(settings.integer(Setting.API_MAX_CONNECTIONS), settings.integer(Setting.API_MAX_CONNECTIONS_PER_CLIENT),
                        settings.integer(Setting.API_MAX_REQUESTS_IN_PROGRESS), settings.integer(Setting.API_HEADER_TIMEOUT_SECONDS) * 1000L,
                        settings.integer(Setting.API_IDLE_TIMEOUT_SECONDS) * 1000L, settings.integer(Setting.API_REQUEST_TIMEOUT_SECONDS) * 1000L,
                        settings.integer(Setting.API_IP_RATE_LIMIT_PER_MINUTE), settings.integer(Setting.API_RATE_LIMIT_PER_MINUTE)), clock);
        registry.bind("apiGate", gate);
        registry.bind("apiGuard", new ApiGuard(gate, audit, new CameraRepository(dataSource)));
        registry.bind("apiErrors", new ApiErrors());
        registry.bind("adminApi", new AdminApi(new RegistryRepository(dataSource), new CameraRepository(dataSource), queueAdmin, json));
        if (settings.flows().contains("api")) {
            var http = context.getComponent("platform-http", org.apache.camel.component.platform.http.PlatformHttpComponent.class);
            http.setHeaderFilterStrategy(new routes.api.ApiResponseHeaders());
            context.addService(new ApiServer(settings.text(Setting.API_BIND_HOST), settings.integer(Setting.API_PORT),
                    settings.integer(Setting.API_MAX_BODY_BYTES), gate,
                    // A backstop for any silent connection; the gate's own deadlines (header, keep-alive, request) come first.
                    settings.integer(Setting.API_IDLE_TIMEOUT_SECONDS) + settings.integer(Setting.API_REQUEST_TIMEOUT_SECONDS),
                    settings.flag(Setting.API_PROXY_PROTOCOL)), true, true);
        }
    }
}
