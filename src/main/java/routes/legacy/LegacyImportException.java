package routes.legacy;

/** A reason the old installation cannot be imported: one line for the operator, nothing written. */
public class LegacyImportException extends RuntimeException {

    public LegacyImportException(String message) {
        super(message);
    }

    public LegacyImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
