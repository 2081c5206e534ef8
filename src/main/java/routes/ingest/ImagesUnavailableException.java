package routes.ingest;

import routes.store.ImageStorageUnavailableException;

/**
 * The image store (an S3 bucket) did not answer while a reading was stored: handled as a database outage (the same
 * error-policy clause, ingest-database-down, names the parent type), so the camera waits under back-pressure and the
 * store is retried with back-off; nothing of the reading stays behind.
 */
public class ImagesUnavailableException extends DatabaseUnavailableException {
    public ImagesUnavailableException(String plate, String serial, ImageStorageUnavailableException cause) {
        super(plate, serial, cause);
    }
}
