package routes.ingest;

/** A document that cannot become a stored reading; the message is safe to log (no images, sanitized values). */
public class RejectedReadingException extends RuntimeException {

    private final Rejection reason;
    private final String serial;
    private final String camera;

    public RejectedReadingException(Rejection reason, String detail) {
        this(reason, detail, null);
    }

    public RejectedReadingException(Rejection reason, String detail, String serial) {
        this(reason, detail, serial, null);
    }

    /**
     * @param camera the serial of the registered camera the reading was admitted for (refused at or after the camera
     *     gate), which the per-camera counters show; null when the document's camera is not a verified registered one
     */
    public RejectedReadingException(Rejection reason, String detail, String serial, String camera) {
        super(detail, null, false, false);
        this.reason = reason;
        this.serial = serial;
        this.camera = camera;
    }

    /** A reading of a registered camera, refused after the camera gate admitted it. */
    public static RejectedReadingException ofCamera(Rejection reason, String detail, String serial) {
        return new RejectedReadingException(reason, detail, serial, serial);
    }

    /** The registered camera's serial when the reading got past the camera gate; null otherwise. */
    public String camera() {
        return camera;
    }

    public Rejection reason() {
        return reason;
    }

    /** The serial the document claimed, sanitized, when known (for per-camera log rate limiting). */
    public String serial() {
        return serial;
    }
}
