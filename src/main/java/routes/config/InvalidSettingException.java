package routes.config;

/** A configuration value that cannot be used; its message names the key and says what is expected. */
public class InvalidSettingException extends RuntimeException {
    public InvalidSettingException(String message) {
        super(message);
    }
}
