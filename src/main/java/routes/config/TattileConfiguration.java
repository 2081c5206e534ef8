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
import routes.ingest.CameraGate;
import routes.ingest.IdleTimeoutHandlerFactory;
import routes.ingest.IngestStats;
import routes.ingest.ReadingParser;
import routes.ingest.ReadingRecorder;
import routes.ingest.RejectionLog;
import routes.ingest.TattileFrameDecoderFactory;
import routes.ingest.XmlSafety;
import routes.store.CameraRepository;
import routes.store.Database;
import routes.store.ImageStore;
import routes.store.OrphanImageSweeper;
import routes.store.ReadingRepository;

/**
 * Binds the beans the YAML routes use, from the validated {@link Settings}. The names bound here are
 * the ones the routes refer to ({@code #tattileFrameDecoders}, {@code ref: readingRecorder}…).
 */
public class TattileConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(TattileConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = Settings.from(key -> context.getPropertiesComponent().resolveProperty(key).orElse(null));
        // Defaults become visible to the routes' {{placeholders}} too (explicit values keep priority).
        settings.asProperties().forEach((k, v) -> context.getPropertiesComponent().addInitialProperty((String) k, (String) v));
        Registry registry = context.getRegistry();
        Clock clock = Clock.systemUTC();

        HikariDataSource dataSource = Database.pool(settings, "tattile");
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                dataSource.close();
            }
        }, true, true);
        if (settings.flag(Setting.DB_MIGRATE_ON_START)) {
            var result = Database.migrate(dataSource);
            if (result.migrationsExecuted > 0) {
                LOG.info("Database schema migrated to version {} ({} migrations applied)", result.targetSchemaVersion, result.migrationsExecuted);
            }
        }
        registry.bind("dataSource", dataSource);
        registry.bind("settings", settings);

        IngestStats stats = new IngestStats();
        ImageStore images = new ImageStore(settings.path(Setting.IMAGES_BASE_DIR), settings.flag(Setting.IMAGES_FSYNC));
        XmlSafety xmlSafety = new XmlSafety(settings.integer(Setting.INGEST_MAX_FRAME_BYTES));
        registry.bind("ingestStats", stats);
        registry.bind("imageStore", images);
        registry.bind("xmlSafety", xmlSafety);
        registry.bind("tattileXmlMapper", xmlSafety.hardenedMapper());
        registry.bind("tattileFrameDecoders", new TattileFrameDecoderFactory(settings.integer(Setting.INGEST_MAX_FRAME_BYTES), stats));
        registry.bind("tattileIdleTimeout", new IdleTimeoutHandlerFactory(settings.integer(Setting.INGEST_IDLE_TIMEOUT_SECONDS)));
        registry.bind("readingParser", new ReadingParser());
        registry.bind("cameraGate", new CameraGate(new CameraRepository(dataSource), settings.zone(Setting.CAMERA_TIMEZONE),
                settings.integer(Setting.CAMERA_CACHE_SECONDS), clock));
        registry.bind("readingRecorder", new ReadingRecorder(images, new ReadingRepository(dataSource), stats));
        registry.bind("rejectionLog", new RejectionLog(stats, clock));
        registry.bind("orphanImageSweeper", new OrphanImageSweeper(images, dataSource,
                Duration.ofMinutes(settings.integer(Setting.IMAGES_ORPHAN_GRACE_MINUTES)), clock));
    }
}
