package routes.config;

import java.time.Duration;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import routes.store.ClusterLock;
import routes.store.DeadRetention;
import routes.store.OrphanImageSweeper;

/**
 * The maintenance flow (maintenance.yaml): the orphan image sweep and the DEAD retention purge, run by one instance of
 * the cluster at a time (the maintenance lock).
 */
public final class MaintenanceConfiguration {

    private final CamelContext context;
    private final CoreConfiguration core;

    MaintenanceConfiguration(CamelContext context, CoreConfiguration core) {
        this.context = context;
        this.core = core;
    }

    @BindToRegistry
    public ClusterLock maintenanceLock() throws Exception {
        return core.clusterLock(
                context, ClusterLock.Job.MAINTENANCE, core.settings().maintenanceIntervalMillis());
    }

    @BindToRegistry
    public OrphanImageSweeper orphanImageSweeper() {
        return new OrphanImageSweeper(
                core.imageStore(),
                core.dataSource(),
                Duration.ofMinutes(core.settings().integer(Setting.IMAGES_ORPHAN_GRACE_MINUTES)),
                core.clock());
    }

    @BindToRegistry
    public DeadRetention deadRetention() {
        return new DeadRetention(
                core.queueRepository(), core.imageStore(), core.settings().integer(Setting.SENDER_DEAD_RETENTION_DAYS));
    }
}
