package routes.sender;

/** A delivery that can never succeed as it is: the queue row goes DEAD with {@link #code()} as last_error. */
public class PermanentDeliveryException extends RuntimeException {

    private final String code;

    public PermanentDeliveryException(String code) {
        super(code, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
