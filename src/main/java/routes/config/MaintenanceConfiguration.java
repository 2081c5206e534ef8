package routes.config;

import java.time.Duration;
import org.apache.camel.BindToRegistry;
import routes.store.DeadRetention;
import routes.store.OrphanImageSweeper;

/** The maintenance flow (maintenance.yaml): the orphan image sweep and the DEAD retention purge. */
public final class MaintenanceConfiguration {

    private final CoreConfiguration core;

    MaintenanceConfiguration(CoreConfiguration core) {
        this.core = core;
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
