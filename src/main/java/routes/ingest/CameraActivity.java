package routes.ingest;

import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.store.CameraActivityRepository;
import routes.store.CameraActivityRepository.Seen;
import routes.store.NewReading;

/**
 * Each camera's latest stored reading (when, from which address), kept in memory as readings are stored and written
 * for all cameras at once every few seconds ({@code CAMERA_ACTIVITY_FLUSH_SECONDS}): no extra statement or transaction
 * per reading. Only registered cameras reach it (the gate admitted them), so it holds at most one entry per camera.
 * If the database does not answer, the entries wait for the next flush; a crash loses at most one period of "last
 * seen", never a reading.
 */
public final class CameraActivity {

    private static final Logger LOG = LoggerFactory.getLogger(CameraActivity.class);

    private final CameraActivityRepository repository;
    private final Clock clock;
    private final Map<UUID, Seen> pending = new ConcurrentHashMap<>();
    private boolean failing;

    public CameraActivity(CameraActivityRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    /** A reading of this camera was stored just now. */
    public void stored(NewReading r) {
        pending.put(r.cameraId(), new Seen(clock.instant(), r.sourceAddress()));
    }

    /** Writes what was seen since the last flush; what fails to be written waits for the next one. */
    public synchronized void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Map<UUID, Seen> batch = new HashMap<>();
        for (UUID camera : pending.keySet()) {
            Seen seen = pending.remove(camera);
            if (seen != null) {
                batch.put(camera, seen);
            }
        }
        try {
            repository.record(batch);
            if (failing) {
                failing = false;
                LOG.info("[INGEST] Actividad de las cámaras registrada de nuevo");
            }
        } catch (SQLException | RuntimeException e) {
            // put back, unless a newer reading of the camera arrived meanwhile
            batch.forEach(pending::putIfAbsent);
            if (!failing) {
                failing = true;
                // INFO: no reading is at stake, and a database outage is reported once per flow by the routes.
                LOG.info(
                        "[INGEST] No se puede registrar la actividad de las cámaras (se reintenta): {}",
                        e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    /** Cameras waiting for the next flush (for tests and the log). */
    int pendingCameras() {
        return pending.size();
    }
}
