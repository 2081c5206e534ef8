package routes.ingest;

/** The database did not answer; the route retries the store with back-off (see ingest-errors). */
public class DatabaseUnavailableException extends RuntimeException {
    public DatabaseUnavailableException(Throwable cause) {
        super("base de datos no disponible: " + cause.getMessage(), cause);
    }
}
