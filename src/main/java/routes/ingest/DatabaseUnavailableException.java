package routes.ingest;

/**
 * The database did not answer (or, as {@link ImagesUnavailableException}, the image store); the route retries the
 * store with back-off (see ingest-errors).
 */
public class DatabaseUnavailableException extends RuntimeException {
    public DatabaseUnavailableException(String plate, String serial, Throwable cause) {
        super("lectura (" + plate + ") de (" + serial + "): " + cause.getMessage(), cause);
    }
}
