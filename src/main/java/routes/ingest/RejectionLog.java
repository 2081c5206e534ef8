package routes.ingest;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per refused document, and the counters. Unknown or inactive cameras, and readings from an
 * address a camera does not allow, are logged at most once a minute per serial (and address), with how many
 * were suppressed, so a misconfigured or forged source cannot flood the log; so are connections refused by
 * {@code INGEST_ALLOWED_SOURCES} or {@code INGEST_PROXY_SOURCES}, or
 * without a PROXY header behind a balancer, per address.
 */
public final class RejectionLog {

    private static final Logger LOG = LoggerFactory.getLogger(RejectionLog.class);
    private static final long CAMERA_LOG_INTERVAL_MILLIS = 60_000;
    private static final int MAX_TRACKED = 10_000;

    /** Per serial: when the current minute started and how many lines it has held back. */
    private static final class Window {
        final long startMillis;
        int suppressed;

        Window(long startMillis) {
            this.startMillis = startMillis;
        }
    }

    private final IngestStats stats;
    private final Clock clock;
    private final Map<String, Window> cameraWindows = new ConcurrentHashMap<>();

    public RejectionLog(IngestStats stats, Clock clock) {
        this.stats = stats;
        this.clock = clock;
    }

    /** A document refused for a known reason. */
    public void rejected(RejectedReadingException e, String remote) {
        stats.rejected(e.reason(), e.camera());
        if (e.reason() == Rejection.UNKNOWN_CAMERA
                || e.reason() == Rejection.INACTIVE_CAMERA
                || e.reason() == Rejection.SOURCE_NOT_ALLOWED) {
            cameraRejected(e, remote);
            return;
        }
        if (e.reason() == Rejection.STORE_FAILED) {
            LOG.error("[INGEST] Lectura rechazada ({}): {} de {}", e.reason().label(), e.getMessage(), remote);
        } else {
            LOG.warn("[INGEST] Lectura rechazada ({}): {} de {}", e.reason().label(), e.getMessage(), remote);
        }
    }

    /**
     * A camera connection from an address outside {@code list} ({@code INGEST_ALLOWED_SOURCES}, or
     * {@code INGEST_PROXY_SOURCES} for a balancer): counted, logged at most once a minute per address.
     *
     * @param via how the connection came ("" directly, or which balancer's PROXY header gave the address)
     */
    public void connectionRefused(String address, String via, String list) {
        stats.rejected(Rejection.SOURCE_NOT_ALLOWED);
        cameraRejected(
                new RejectedReadingException(
                        Rejection.SOURCE_NOT_ALLOWED,
                        "conexión cerrada: " + address + " no está en " + list,
                        "port@" + address),
                address + via);
    }

    /**
     * A connection to the camera port behind a balancer ({@code INGEST_PROXY_PROTOCOL=true}) that did not begin with a
     * valid PROXY header: counted, logged at most once a minute per address.
     */
    public void proxyHeaderMissing(String address) {
        stats.rejected(Rejection.PROXY_HEADER);
        cameraRejected(
                new RejectedReadingException(
                        Rejection.PROXY_HEADER,
                        "conexión cerrada: no empieza con una cabecera PROXY v1 o v2 válida (INGEST_PROXY_PROTOCOL=true)",
                        "proxy@" + address),
                address);
    }

    /** A document the XML parser refused. */
    public void malformed(Exception e, String remote) {
        stats.rejected(Rejection.MALFORMED_XML);
        LOG.warn("[INGEST] Lectura rechazada ({}): {} de {}", Rejection.MALFORMED_XML.label(), firstLine(e), remote);
    }

    /** A reading lost because the database stayed unavailable through every retry. */
    public void storeFailed(Exception e, String remote) {
        stats.rejected(Rejection.STORE_FAILED);
        LOG.error(
                "[INGEST] Lectura perdida ({}): {} no disponible tras los reintentos: {} de {}",
                Rejection.STORE_FAILED.label(),
                e instanceof ImagesUnavailableException ? "almacén de imágenes" : "base de datos",
                firstLine(e),
                remote);
    }

    /**
     * A document lost to an error no other clause of the policy names (ingest-errors' and lectorvision-errors' last
     * catch-all): counted, one ERROR line with the error's type and first line, never a stack trace nor the document.
     */
    public void unexpected(Exception e, String remote) {
        stats.rejected(Rejection.UNEXPECTED_ERROR);
        LOG.error(
                "[INGEST] Lectura rechazada ({}): {} de {}",
                Rejection.UNEXPECTED_ERROR.label(),
                LectorVisionAnswers.safe(e),
                remote);
    }

    private void cameraRejected(RejectedReadingException e, String remote) {
        String key = e.reason() + ":" + e.serial();
        long now = clock.millis();
        if (cameraWindows.size() >= MAX_TRACKED) {
            cameraWindows.clear(); // hostile serials cannot grow the map without bound
        }
        int[] heldBack = {-1};
        cameraWindows.compute(key, (k, w) -> {
            if (w == null || now - w.startMillis >= CAMERA_LOG_INTERVAL_MILLIS) {
                heldBack[0] = w == null ? 0 : w.suppressed;
                return new Window(now);
            }
            w.suppressed++;
            return w;
        });
        if (heldBack[0] >= 0) {
            LOG.warn(
                    "[INGEST] Lectura rechazada ({}): {} de {}{}",
                    e.reason().label(),
                    e.getMessage(),
                    remote,
                    heldBack[0] > 0 ? " (+" + heldBack[0] + " más sin registrar en el último minuto)" : "");
        }
    }

    /** The first line of a throwable's message, at most 200 characters (its type when it has no message). */
    static String firstLine(Throwable t) {
        String m = t.getMessage();
        if (m == null) {
            return t.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        String line = nl >= 0 ? m.substring(0, nl) : m;
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
