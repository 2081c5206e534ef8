package routes.api;

/** An HTTP API request refused with a status code and a reason (shown to the client as JSON). */
public class ApiException extends RuntimeException {

    private final int status;

    public ApiException(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
