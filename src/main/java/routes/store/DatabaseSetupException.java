package routes.store;

/** The database is not ready for this process (schema behind, roles or privileges wrong); the message is the one line the operator sees. */
public class DatabaseSetupException extends RuntimeException {
    public DatabaseSetupException(String message) {
        super(message);
    }
}
