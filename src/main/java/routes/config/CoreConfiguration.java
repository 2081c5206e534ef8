package routes.config;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.service.ServiceSupport;
import routes.api.Metrics;
import routes.health.BreakersCheck;
import routes.health.CertificatesCheck;
import routes.health.DatabaseCheck;
import routes.health.FleetSnapshot;
import routes.health.FlowsCheck;
import routes.health.ImageStoreCheck;
import routes.health.MaintenanceCheck;
import routes.health.QueueCheck;
import routes.health.QueueSnapshot;
import routes.ingest.IngestStats;
import routes.sender.EndpointGuard;
import routes.sender.SenderMetrics;
import routes.store.CameraActivityRepository;
import routes.store.CameraSilence;
import routes.store.CertificateRepository;
import routes.store.ClusterLock;
import routes.store.EndpointRepository;
import routes.store.ImageStorage;
import routes.store.OutageLog;
import routes.store.QueueAdminRepository;
import routes.store.QueueRepository;

/**
 * What every flow shares, built once per process: the settings, the (migrated) database pool, the image store, the
 * queue, the per-endpoint guard and the meter registry that {@code /metrics} exports. Each {@code @BindToRegistry}
 * method is named after the {@code ref:} the routes use. The health checks go into Camel's health-check registry, and
 * Camel's route metrics into the same meter registry, so {@code /health}, {@code /metrics}, JMX and Hawtio agree.
 */
public final class CoreConfiguration {

    private final Settings settings;
    private final DataSource dataSource;
    private final Clock clock;
    private final ImageStorage images;
    private final IngestStats stats = new IngestStats();
    private final OutageLog outageLog = new OutageLog();
    private final EndpointGuard guard;
    private final QueueRepository queue;
    private final QueueAdminRepository queueAdmin;
    private final QueueSnapshot queueSnapshot;
    private final Metrics metrics;
    private final SenderMetrics senderMetrics;

    CoreConfiguration(Settings settings, DataSource dataSource, Clock clock) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.clock = clock;
        this.images = openImages(settings);
        this.guard = new EndpointGuard(
                settings.integer(Setting.SENDER_BREAKER_FAILURES),
                Duration.ofSeconds(settings.integer(Setting.SENDER_BREAKER_OPEN_SECONDS)),
                Duration.ofSeconds(settings.integer(Setting.SENDER_HEALTHY_WINDOW_SECONDS)),
                settings.integer(Setting.SENDER_CONCURRENCY),
                clock);
        this.queue = new QueueRepository(dataSource, settings.flag(Setting.AUDIT_ENABLED));
        this.queueAdmin = new QueueAdminRepository(dataSource);
        this.queueSnapshot = new QueueSnapshot(queueAdmin, healthCacheMillis(), clock);
        this.metrics = new Metrics(
                stats,
                queueSnapshot,
                guard,
                new FleetSnapshot(
                        new CameraActivityRepository(dataSource),
                        queueAdmin,
                        new CertificateRepository(dataSource),
                        new EndpointRepository(dataSource),
                        healthCacheMillis(),
                        clock),
                CameraSilence.seconds(settings.text(Setting.CAMERA_SILENCE_DEFAULT)),
                clock);
        this.senderMetrics =
                new SenderMetrics(metrics.registry(), clock); // exported by every process, as 0 where nothing is sent
    }

    /**
     * The image store, answering now: an S3 bucket that cannot be reached (or not with these credentials) stops
     * start-up with one line. Later outages are handled like the database's (ingest back-pressure, sender retries).
     */
    private static ImageStorage openImages(Settings settings) {
        ImageStorage images = settings.imageStorage(true);
        try {
            images.check();
        } catch (IOException e) {
            images.close();
            throw new Service.ServiceFailedException("The image store cannot be used: " + e.getMessage());
        }
        return images;
    }

    /** The health checks that {@code /health} aggregates, and Camel's per-route metrics in {@code /metrics}. */
    void register(CamelContext context) throws Exception {
        HealthCheckRegistry checks = HealthCheckRegistry.get(context);
        for (HealthCheck check : List.of(
                new DatabaseCheck(dataSource),
                new FlowsCheck(settings.flows(), settings.flag(Setting.SENDER_ENABLED)),
                new ImageStoreCheck(images),
                new QueueCheck(queueSnapshot),
                new CertificatesCheck(new CertificateRepository(dataSource), clock),
                new BreakersCheck(guard, new EndpointRepository(dataSource)),
                new MaintenanceCheck(dataSource))) {
            checks.register(check);
        }
        context.addService(
                new ServiceSupport() {
                    @Override
                    protected void doStop() {
                        images.close();
                    }
                },
                true,
                true);
        MicrometerRoutePolicyFactory routeMetrics = new MicrometerRoutePolicyFactory();
        routeMetrics.setMeterRegistry(metrics.registry());
        context.addRoutePolicyFactory(routeMetrics);
    }

    @BindToRegistry
    public Settings settings() {
        return settings;
    }

    @BindToRegistry
    public DataSource dataSource() {
        return dataSource;
    }

    @BindToRegistry
    public ImageStorage imageStore() {
        return images;
    }

    /** The housekeeping routes' error policy ({@code housekeeping-errors} in errors.yaml). */
    @BindToRegistry
    public OutageLog outageLog() {
        return outageLog;
    }

    @BindToRegistry
    public IngestStats ingestStats() {
        return stats;
    }

    @BindToRegistry
    public EndpointGuard endpointGuard() {
        return guard;
    }

    @BindToRegistry
    public QueueRepository queueRepository() {
        return queue;
    }

    @BindToRegistry
    public Metrics metrics() {
        return metrics;
    }

    SenderMetrics senderMetrics() {
        return senderMetrics;
    }

    Clock clock() {
        return clock;
    }

    QueueAdminRepository queueAdmin() {
        return queueAdmin;
    }

    /**
     * The lock of a job run once per cluster ({@link ClusterLock}), every {@code periodMillis}; handed over when Camel
     * stops (after the routes, before the pool closes), so that another instance takes the job at its next round.
     */
    ClusterLock clusterLock(CamelContext context, ClusterLock.Job job, long periodMillis) throws Exception {
        ClusterLock clusterLock = new ClusterLock(
                dataSource, job, settings.text(Setting.SENDER_INSTANCE_ID), Duration.ofMillis(periodMillis));
        context.addService(
                new ServiceSupport() {
                    @Override
                    protected void doStop() {
                        clusterLock.handOver();
                    }
                },
                true,
                true);
        return clusterLock;
    }

    long healthCacheMillis() {
        return settings.integer(Setting.API_HEALTH_CACHE_SECONDS) * 1000L;
    }
}
