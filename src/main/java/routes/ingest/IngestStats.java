package routes.ingest;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * Counters of what the ingest did since start: stored, duplicates, and rejections by reason, in all and per camera.
 * Per-camera counts are keyed by the serial of a registered camera (one the camera gate admitted); anything not
 * attributable to one (unknown serials, documents refused before their camera was known) counts under {@link
 * #UNREGISTERED}, so hostile serials cannot grow the label set.
 */
public final class IngestStats {

    /** The per-camera key of documents not attributable to a registered camera. */
    public static final String UNREGISTERED = "unregistered";

    /** A camera and why its documents were refused. */
    public record CameraRejection(String serial, Rejection reason) {}

    private final LongAdder stored = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final Map<Rejection, AtomicLong> rejected = new EnumMap<>(Rejection.class);
    private final Map<String, LongAdder> storedByCamera = new ConcurrentHashMap<>();
    private final Map<CameraRejection, LongAdder> rejectedByCamera = new ConcurrentHashMap<>();

    public IngestStats() {
        for (Rejection r : Rejection.values()) {
            rejected.put(r, new AtomicLong());
        }
    }

    /** A reading of this registered camera was stored. */
    public void stored(String serial) {
        stored.increment();
        storedByCamera.computeIfAbsent(serial, s -> new LongAdder()).increment();
    }

    public void duplicate() {
        duplicates.increment();
    }

    /** A document refused before it could be tied to a registered camera. */
    public void rejected(Rejection reason) {
        rejected(reason, null);
    }

    /** A document refused; {@code camera} is the registered camera's serial, or null when it is not known. */
    public void rejected(Rejection reason, String camera) {
        rejected.get(reason).incrementAndGet();
        rejectedByCamera
                .computeIfAbsent(
                        new CameraRejection(camera == null ? UNREGISTERED : camera, reason), k -> new LongAdder())
                .increment();
    }

    public long storedCount() {
        return stored.sum();
    }

    public long duplicateCount() {
        return duplicates.sum();
    }

    public long rejectedCount(Rejection reason) {
        return rejected.get(reason).get();
    }

    /** Readings stored of this camera. */
    public long storedCount(String serial) {
        LongAdder n = storedByCamera.get(serial);
        return n == null ? 0 : n.sum();
    }

    /** Documents refused of this camera, for this reason. */
    public long rejectedCount(CameraRejection key) {
        LongAdder n = rejectedByCamera.get(key);
        return n == null ? 0 : n.sum();
    }

    /** Each camera that stored readings, with how many. */
    public void eachCameraStored(BiConsumer<String, Long> visitor) {
        storedByCamera.forEach((serial, n) -> visitor.accept(serial, n.sum()));
    }

    /** Each camera and reason with refused documents, with how many. */
    public void eachCameraRejected(BiConsumer<CameraRejection, Long> visitor) {
        rejectedByCamera.forEach((key, n) -> visitor.accept(key, n.sum()));
    }
}
