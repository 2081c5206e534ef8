package routes.store;

import java.sql.SQLException;

/** Deletes DEAD readings (rows and images) once they are older than the retention period. */
public final class DeadRetention {

    private static final int BATCH = 1000;

    private final QueueRepository queue;
    private final ImageStorage images;
    private final int retentionDays;

    public DeadRetention(QueueRepository queue, ImageStorage images, int retentionDays) {
        this.queue = queue;
        this.images = images;
        this.retentionDays = retentionDays;
    }

    /** @return how many DEAD readings were deleted */
    public int purge() throws SQLException {
        int total = 0;
        while (true) {
            var removed = queue.purgeDead(retentionDays, BATCH);
            for (var r : removed) {
                images.delete(r.imageOcrPath());
                images.delete(r.imageCtxPath());
            }
            total += removed.size();
            if (removed.size() < BATCH) {
                return total;
            }
        }
    }
}
