package routes.sender;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.camel.RuntimeCamelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.store.ImageStorage;
import routes.store.QueueRepository;
import routes.store.QueueRepository.Audit;
import routes.store.SqlErrors;

/**
 * Applies the outcome of one delivery to the queue, the endpoint's guard and the image store:
 * delivered (delete reading, images and queue row), failed (retry with back-off, or DEAD once the
 * retry budget is spent while the endpoint was healthy), postponed (breaker open: no attempt used),
 * or DEAD (permanent).
 */
public final class SendOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(SendOutcomes.class);
    /** How long a delivery's outcome is retried while the database is unavailable (then the lease decides). */
    static final long DELIVERED_RETRY_MILLIS = 60_000;

    private final QueueRepository queue;
    private final EndpointGuard guard;
    private final ImageStorage images;
    private final String instance;
    private final long maxBackoffMillis;
    private final Clock clock;
    private final SenderMetrics metrics;
    private final EndpointSlots slots;

    public SendOutcomes(
            QueueRepository queue,
            EndpointGuard guard,
            EndpointSlots slots,
            ImageStorage images,
            String instance,
            long maxBackoffMillis,
            Clock clock,
            SenderMetrics metrics) {
        this.metrics = metrics;
        this.queue = queue;
        this.guard = guard;
        this.slots = slots;
        this.images = images;
        this.instance = instance;
        this.maxBackoffMillis = maxBackoffMillis;
        this.clock = clock;
    }

    /** The endpoint answered with a success code. */
    public void delivered(Delivery d, String codiRetorn, Long startNanos) throws SQLException, InterruptedException {
        long latency = elapsedMillis(startNanos);
        guard.delivered(d, latency);
        metrics.delivered(d, latency);
        boolean heldLease = recordDelivered(d, audit(d, "DELIVERED", codiRetorn, d.attempts(), latency, null));
        if (!heldLease) {
            LOG.warn(
                    "[SENDER] La lectura ({}) se entregó después de vencer su reserva (SENDER_LEASE_SECONDS): otra instancia pudo enviarla también",
                    d.plate());
        }
        images.delete(d.imageOcrPath());
        images.delete(d.imageCtxPath());
    }

    /**
     * Mossos has the reading, so recording that must not fail on a database that is briefly unavailable
     * (a restart): else the row would stay SENDING, be recovered when its lease expires and be sent twice.
     * Transient failures are retried with back-off for up to {@link #DELIVERED_RETRY_MILLIS}.
     */
    private boolean recordDelivered(Delivery d, Audit auditRow) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + DELIVERED_RETRY_MILLIS * 1_000_000;
        long delay = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                boolean heldLease = queue.delivered(d.queueId(), d.readingId(), d.cameraId(), instance, auditRow);
                if (attempt > 1) {
                    LOG.info("[SENDER] Entrega de la lectura ({}) registrada tras {} intentos", d.plate(), attempt);
                }
                return heldLease;
            } catch (SQLException e) {
                if (!SqlErrors.isTransient(e) || System.nanoTime() + delay * 1_000_000 > deadline) {
                    throw e;
                }
                if (attempt == 1) {
                    LOG.warn(
                            "[SENDER] Lectura ({}) entregada a Mossos, pero la base de datos no responde: se reintenta registrar la entrega ({})",
                            d.plate(),
                            describe(e));
                }
                Thread.sleep(delay);
                delay = Math.min(2000, delay * 2);
            }
        }
    }

    /** The endpoint answered, but with a code that is not success: the reading goes DEAD. */
    public void refused(Delivery d, String codiRetorn, Long startNanos) throws SQLException {
        long latency = elapsedMillis(startNanos);
        guard.answered(d, latency);
        metrics.answered(latency);
        dead(d, "CODI_RETORN:" + codiRetorn);
    }

    /** Permanent: DEAD with a controlled reason. */
    public void dead(Delivery d, String reason) throws SQLException {
        dead(d, reason, 0, null);
    }

    private void dead(Delivery d, String reason, int countedAttempt, String lastFailure) throws SQLException {
        String detail = lastFailure == null ? reason : reason + " (" + lastFailure + ")";
        if (queue.dead(
                d.queueId(),
                instance,
                reason,
                countedAttempt,
                audit(d, "DEAD", null, d.attempts() + countedAttempt, null, detail))) {
            LOG.error("[SENDER] Lectura ({}) descartada (DEAD): {}", d.plate(), detail);
            metrics.dead(d);
        }
    }

    /**
     * The send failed without a usable answer. Counts against the retry budget only if the endpoint was
     * healthy; DEAD with {@code MAX_REINTENTOS_AGOTADOS} once the budget is spent.
     */
    public void failed(Delivery d, Throwable cause, Boolean admitted, Long startNanos) throws SQLException {
        long latency = elapsedMillis(startNanos);
        // A database failure after the answer (recording the outcome) is not the endpoint's: its breaker and the
        // reading's retry budget are left alone (the answer already released the endpoint's permit).
        boolean databaseFault = hasCause(cause, SQLException.class);
        boolean counts = Boolean.TRUE.equals(admitted) && !databaseFault && guard.failed(d, latency, cause);
        int attempts = d.attempts() + (counts ? 1 : 0);
        String error = describe(cause);
        if (counts && attempts > d.retryMax()) {
            dead(d, "MAX_REINTENTOS_AGOTADOS", 1, error);
            return;
        }
        Instant next = clock.instant().plus(backoff(d.retryBackoffMs(), Math.max(1, attempts)));
        queue.failed(d.queueId(), instance, counts, error, next, audit(d, "FAILED", null, attempts, latency, error));
        metrics.failed(d);
        LOG.warn(
                "[SENDER] Error enviando lectura ({}): {}; nuevo intento en {} s{}",
                d.plate(),
                error,
                Duration.between(clock.instant(), next).toSeconds(),
                counts ? " (intento " + attempts + " de " + (d.retryMax() + 1) + ")" : "");
    }

    /** The endpoint's breaker is open, or its cluster-wide cap reached: the reading waits, its attempts untouched. */
    public void postponed(Delivery d, Exception e) throws SQLException {
        queue.postponed(
                d.queueId(),
                instance,
                cause(e, EndpointUnavailableException.class).retryAt());
        metrics.postponed(d);
    }

    /** Permanent, as raised by a route step (possibly wrapped by Camel). */
    public void dead(Delivery d, Exception e) throws SQLException {
        dead(d, cause(e, PermanentDeliveryException.class).code());
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        throw new IllegalArgumentException("not caused by " + type.getSimpleName(), t);
    }

    /**
     * Whether the poller should claim again right away: the claim got every row it asked for, no endpoint is held by
     * its breaker and none refused a reading a slot of its cluster-wide cap just now.
     */
    public boolean claimAgain(List<?> batch, int asked) {
        return batch != null && asked > 0 && batch.size() >= asked && guard.allClosed() && !slots.refusedRecently();
    }

    /** Exponential back-off with ±20 % jitter, capped. */
    Duration backoff(long baseMillis, int attempt) {
        double exp = baseMillis * Math.pow(2, Math.min(30, attempt - 1));
        double capped = Math.min(maxBackoffMillis, exp);
        double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.max(1, Math.round(capped * jitter)));
    }

    private Audit audit(Delivery d, String outcome, String codi, int attempts, Long latency, String error) {
        return new Audit(
                d.queueId(),
                d.readingId(),
                d.cameraId(),
                d.municipalityId(),
                d.endpointId(),
                outcome,
                codi,
                attempts,
                latency,
                error,
                d.receivedAt() == null ? null : metrics.delayOf(d).toMillis());
    }

    private static long elapsedMillis(Long startNanos) {
        return startNanos == null ? 0 : (System.nanoTime() - startNanos) / 1_000_000;
    }

    /**
     * A short, controlled description: exception type and the first line of its message, no payload, no password of a
     * URL (a WSDL or endpoint URL with user:password@ is quoted by the parser's and the HTTP client's errors).
     */
    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null
                && root.getCause() != root
                && (root.getMessage() == null || root instanceof RuntimeCamelException)) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? "" : MossosClient.withoutCredentials(root.getMessage());
        int nl = m.indexOf('\n');
        if (nl >= 0) {
            m = m.substring(0, nl);
        }
        if (m.length() > 200) {
            m = m.substring(0, 200) + "…";
        }
        return root.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
    }
}
