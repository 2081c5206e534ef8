package routes.ingest;

/** Why a document was not stored. The code is what counters and logs show. */
public enum Rejection {
    MALFORMED_XML("XML mal formado"),
    MALFORMED_JSON("JSON mal formado"),
    FORBIDDEN_XML("DOCTYPE o entidades no permitidos"),
    MISSING_FIELD("falta un campo obligatorio"),
    INVALID_FIELD("campo con valor no válido"),
    UNKNOWN_CAMERA("cámara no registrada"),
    INACTIVE_CAMERA("cámara inactiva"),
    SOURCE_NOT_ALLOWED("origen no permitido"),
    /** Behind a balancer (INGEST_PROXY_PROTOCOL=true), a connection that did not begin with a valid PROXY header. */
    PROXY_HEADER("sin cabecera PROXY"),
    IMPLAUSIBLE_TIME("fecha fuera de margen"),
    NOT_JPEG("imagen no JPEG"),
    FRAME_TOO_LARGE("documento demasiado grande"),
    INCOMPLETE_DOCUMENT("documento incompleto"),
    STORE_FAILED("error al almacenar"),
    /** Anything the ingest's error policies do not name (a bug, a non-transient SQL error of the camera lookup). */
    UNEXPECTED_ERROR("error inesperado");

    private final String label;

    Rejection(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
