package routes.ingest;

/** A document that cannot become a stored reading; the message is safe to log (no images, sanitized values). */
public class RejectedReadingException extends RuntimeException {

    private final Rejection reason;
    private final String serial;

    public RejectedReadingException(Rejection reason, String detail) {
        this(reason, detail, null);
    }

    public RejectedReadingException(Rejection reason, String detail, String serial) {
        super(detail, null, false, false);
        this.reason = reason;
        this.serial = serial;
    }

    public Rejection reason() {
        return reason;
    }

    /** The serial the document claimed, sanitized, when known (for per-camera log rate limiting). */
    public String serial() {
        return serial;
    }
}
