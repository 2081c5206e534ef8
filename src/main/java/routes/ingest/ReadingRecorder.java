package routes.ingest;

import java.io.IOException;
import java.sql.SQLException;
import routes.store.ImageExistsException;
import routes.store.ImageStorage;
import routes.store.ImageStorageUnavailableException;
import routes.store.ImageStore;
import routes.store.NewReading;
import routes.store.ReadingRepository;
import routes.store.SqlErrors;

/**
 * Stores a reading whole or not at all: images first (a folder: temporary name, then rename; a bucket: create-only
 * PUT), then one transaction with the reading and its PENDING queue row. When the transaction fails or the reading is
 * a duplicate, the images just written are deleted. A crash between the two steps leaves images that no reading
 * references; the maintenance route sweeps them. An image store that does not answer is a database outage to the
 * route (back-pressure and retries), not a refused reading.
 */
public final class ReadingRecorder {

    /** What happened to a reading, for the route's log line. */
    public record Recorded(boolean stored, String plate, String serial, String source) {}

    private final ImageStorage images;
    private final ReadingRepository readings;
    private final IngestStats stats;
    private final CameraActivity activity;

    public ReadingRecorder(
            ImageStorage images, ReadingRepository readings, IngestStats stats, CameraActivity activity) {
        this.images = images;
        this.readings = readings;
        this.stats = stats;
        this.activity = activity;
    }

    public Recorded record(NewReading r) throws SQLException {
        String ocrPath = null;
        String ctxPath = null;
        boolean committed = false;
        try {
            if (r.imageOcr() != null) {
                ocrPath =
                        ImageStore.relativePath(r.deviceSn(), r.plate(), r.timestampUtc(), r.id(), ImageStore.Kind.OCR);
                write(ocrPath, r.imageOcr());
            }
            if (r.imageCtx() != null) {
                ctxPath =
                        ImageStore.relativePath(r.deviceSn(), r.plate(), r.timestampUtc(), r.id(), ImageStore.Kind.CTX);
                write(ctxPath, r.imageCtx());
            }
            committed = readings.insert(r, ocrPath, ctxPath);
            if (!committed && readings.isStored(r.id())) {
                // A retry (ingest-errors) after a commit whose reply was lost with the connection: this very
                // reading is stored and its row points to these images, which must stay.
                committed = true;
            }
        } catch (ImageStorageUnavailableException e) {
            throw new ImagesUnavailableException(r.plate(), r.deviceSn(), e);
        } catch (IOException e) {
            throw RejectedReadingException.ofCamera(
                    Rejection.STORE_FAILED,
                    "no se pueden guardar las imágenes de la lectura (" + r.plate() + ") de (" + r.deviceSn() + "): "
                            + e,
                    r.deviceSn());
        } catch (SQLException e) {
            if (SqlErrors.isTransient(e)) {
                throw new DatabaseUnavailableException(r.plate(), r.deviceSn(), e);
            }
            throw RejectedReadingException.ofCamera(
                    Rejection.STORE_FAILED,
                    "la base de datos rechaza la lectura (" + r.plate() + ") de (" + r.deviceSn() + "): SQLState "
                            + e.getSQLState() + " " + RejectionLog.firstLine(e),
                    r.deviceSn());
        } finally {
            if (!committed) {
                images.delete(ocrPath);
                images.delete(ctxPath);
            }
        }
        if (committed) {
            stats.stored(r.deviceSn());
            activity.stored(r);
        } else {
            stats.duplicate();
        }
        return new Recorded(committed, r.plate(), r.deviceSn(), r.sourceAddress() == null ? "?" : r.sourceAddress());
    }

    /**
     * A create-only store that finds an image under the key already has this reading's image (the key carries the
     * reading id): written by an earlier attempt whose images could not be deleted (the store was down then), or
     * whose commit went through with its reply lost. It is used as it is, never overwritten.
     */
    private void write(String key, byte[] bytes) throws IOException {
        try {
            images.write(key, bytes);
        } catch (ImageExistsException sameReading) {
            // kept: the insert below decides, and a reading that does not commit deletes it as its own
        }
    }
}
