package routes.ingest;

import java.io.IOException;
import java.sql.SQLException;
import routes.store.ImageStore;
import routes.store.NewReading;
import routes.store.ReadingRepository;
import routes.store.SqlErrors;

/**
 * Stores a reading whole or not at all: images first (temporary name, then rename), then one transaction
 * with the reading and its PENDING queue row. When the transaction fails or the reading is a duplicate,
 * the images just written are deleted. A crash between the two steps leaves files that no reading
 * references; the maintenance route sweeps them.
 */
public final class ReadingRecorder {

    /** What happened to a reading, for the route's log line. */
    public record Recorded(boolean stored, String plate, String serial, String source) {}

    private final ImageStore images;
    private final ReadingRepository readings;
    private final IngestStats stats;

    public ReadingRecorder(ImageStore images, ReadingRepository readings, IngestStats stats) {
        this.images = images;
        this.readings = readings;
        this.stats = stats;
    }

    public Recorded record(NewReading r) throws SQLException {
        String ocrPath = null;
        String ctxPath = null;
        boolean committed = false;
        try {
            if (r.imageOcr() != null) {
                ocrPath =
                        ImageStore.relativePath(r.deviceSn(), r.plate(), r.timestampUtc(), r.id(), ImageStore.Kind.OCR);
                images.write(ocrPath, r.imageOcr());
            }
            if (r.imageCtx() != null) {
                ctxPath =
                        ImageStore.relativePath(r.deviceSn(), r.plate(), r.timestampUtc(), r.id(), ImageStore.Kind.CTX);
                images.write(ctxPath, r.imageCtx());
            }
            committed = readings.insert(r, ocrPath, ctxPath);
            if (!committed && readings.isStored(r.id())) {
                // A retry (ingest-errors) after a commit whose reply was lost with the connection: this very
                // reading is stored and its row points to these images, which must stay.
                committed = true;
            }
        } catch (IOException e) {
            throw new RejectedReadingException(
                    Rejection.STORE_FAILED,
                    "no se pueden guardar las imágenes de la lectura (" + r.plate() + ") de (" + r.deviceSn() + "): "
                            + e,
                    r.deviceSn());
        } catch (SQLException e) {
            if (SqlErrors.isTransient(e)) {
                throw new DatabaseUnavailableException(r.plate(), r.deviceSn(), e);
            }
            throw new RejectedReadingException(
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
            stats.stored();
        } else {
            stats.duplicate();
        }
        return new Recorded(committed, r.plate(), r.deviceSn(), r.sourceAddress() == null ? "?" : r.sourceAddress());
    }
}
