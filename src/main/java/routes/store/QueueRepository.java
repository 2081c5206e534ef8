package routes.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The queue's state changes after a claim (the claim itself is the sender route's SQL). Every change
 * is guarded by the lease: only the instance that holds a SENDING row may move it.
 */
public final class QueueRepository {

    /** An audit row of {@code delivery_log}: no plate, no image. */
    public record Audit(
            UUID queueId,
            UUID readingId,
            UUID cameraId,
            UUID municipalityId,
            UUID endpointId,
            String outcome,
            String codiRetorn,
            int attempts,
            Long latencyMs,
            String error,
            Long delayMs) {}

    /** A reading removed from the store, with the images to delete. */
    public record Removed(UUID readingId, String imageOcrPath, String imageCtxPath) {}

    private final DataSource dataSource;
    private final boolean audit;

    public QueueRepository(DataSource dataSource, boolean audit) {
        this.dataSource = dataSource;
        this.audit = audit;
    }

    /**
     * Delivered: in one transaction, the reading (and by cascade its queue row) is deleted, the camera's
     * last_sent_at updated and the audit row written. Returns the image paths to delete afterwards.
     *
     * @return whether this instance still held the lease (false: it expired and the row was recovered)
     */
    public boolean delivered(UUID queueId, UUID readingId, UUID cameraId, String instance, Audit auditRow)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean heldLease;
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM messages_queue WHERE id = ? AND status = 'SENDING' AND locked_by = ?")) {
                    ps.setObject(1, queueId);
                    ps.setString(2, instance);
                    heldLease = ps.executeUpdate() == 1;
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM alpr_readings WHERE id = ?")) {
                    ps.setObject(1, readingId);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps =
                        c.prepareStatement("UPDATE cameras SET last_sent_at = now() WHERE id = ?")) {
                    ps.setObject(1, cameraId);
                    ps.executeUpdate();
                }
                insertAudit(c, auditRow);
                c.commit();
                return heldLease;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * A slot of an endpoint's cluster-wide cap ({@code endpoints.max_in_flight}) for this instance's SENDING row: in one
     * transaction, the endpoint's advisory lock, then the count of the rows that hold one of its slots (SENDING, with
     * {@code sending_to} this endpoint, under a live lease), and the row marked as holding one if the count is below
     * {@code max}. Race-free: in READ COMMITTED each statement reads a snapshot taken when it starts, and the count
     * starts after the lock is granted, so it sees every slot a previous holder of the lock committed (which is why
     * the lock and the count are two statements). A slot held is freed by the row leaving SENDING (every outcome
     * does: delivered rows are deleted, the others become FAILED, PENDING or DEAD) or by its lease running out (a
     * killed instance); one freed but not yet committed is counted still, which errs on the side of the cap.
     *
     * @return whether the row holds a slot now; false: the endpoint has {@code max} sends in flight, or the row is no
     *     longer this instance's (its lease ran out and it was recovered)
     */
    public boolean takeSlot(UUID queueId, UUID endpointId, int max, String instance) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                // Endpoints whose keys collide share a lock: they wait for each other, never count each other.
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT pg_advisory_xact_lock(?, hashtext(?)), current_setting('transaction_isolation')")) {
                    ps.setInt(1, ClusterLock.NAMESPACE);
                    ps.setString(2, endpointId.toString());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (!"read committed".equals(rs.getString(2))) {
                            throw new IllegalStateException(
                                    "Counting an endpoint's sends in flight needs READ COMMITTED," + " not "
                                            + rs.getString(2));
                        }
                    }
                }
                String sql = """
                        UPDATE messages_queue SET sending_to = ?
                        WHERE id = ? AND status = 'SENDING' AND locked_by = ?
                          AND (SELECT count(*) FROM messages_queue
                               WHERE status = 'SENDING' AND sending_to = ? AND locked_until > now()) < ?""";
                boolean taken;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setObject(1, endpointId);
                    ps.setObject(2, queueId);
                    ps.setString(3, instance);
                    ps.setObject(4, endpointId);
                    ps.setInt(5, max);
                    taken = ps.executeUpdate() == 1;
                }
                c.commit();
                return taken;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** A failed attempt: back to FAILED, due again at {@code nextAttemptAt}; attempts grow only if {@code countsAttempt}. */
    public int failed(
            UUID queueId, String instance, boolean countsAttempt, String error, Instant nextAttemptAt, Audit auditRow)
            throws SQLException {
        String sql = """
                UPDATE messages_queue SET status = 'FAILED', attempts = attempts + ?, last_error = ?, next_attempt_at = ?,
                    locked_until = NULL, locked_by = NULL, updated_at = now()
                WHERE id = ? AND status = 'SENDING' AND locked_by = ?
                RETURNING attempts""";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, countsAttempt ? 1 : 0);
            ps.setString(2, truncate(error));
            ps.setTimestamp(3, Timestamp.from(nextAttemptAt));
            ps.setObject(4, queueId);
            ps.setString(5, instance);
            try (ResultSet rs = ps.executeQuery()) {
                int attempts = rs.next() ? rs.getInt(1) : -1;
                if (attempts >= 0) {
                    insertAudit(c, auditRow);
                }
                return attempts;
            }
        }
    }

    /**
     * Not attempted (endpoint held by its breaker): back to PENDING if it was never tried, else FAILED,
     * due at {@code retryAt}; attempts and last_error untouched.
     */
    public void postponed(UUID queueId, String instance, Instant retryAt) throws SQLException {
        String sql = """
                UPDATE messages_queue SET status = CASE WHEN last_error IS NULL THEN 'PENDING' ELSE 'FAILED' END,
                    next_attempt_at = ?, locked_until = NULL, locked_by = NULL, updated_at = now()
                WHERE id = ? AND status = 'SENDING' AND locked_by = ?""";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setTimestamp(1, Timestamp.from(retryAt));
            ps.setObject(2, queueId);
            ps.setString(3, instance);
            ps.executeUpdate();
        }
    }

    /** Permanent failure: DEAD with a controlled reason; reading and images are kept for the retention period. */
    public boolean dead(UUID queueId, String instance, String reason, int countedAttempts, Audit auditRow)
            throws SQLException {
        String sql = """
                UPDATE messages_queue SET status = 'DEAD', last_error = ?, attempts = attempts + ?, locked_until = NULL, locked_by = NULL,
                    updated_at = now()
                WHERE id = ? AND status = 'SENDING' AND locked_by = ?""";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, truncate(reason));
            ps.setInt(2, countedAttempts);
            ps.setObject(3, queueId);
            ps.setString(4, instance);
            boolean changed = ps.executeUpdate() == 1;
            if (changed) {
                insertAudit(c, auditRow);
            }
            return changed;
        }
    }

    /**
     * SENDING rows whose lease expired (their instance died or hung) go back to FAILED, due now, with
     * {@code SENDING_TIMEOUT_RECOVERED}; their attempt count is not increased.
     */
    public int recoverExpiredLeases() throws SQLException {
        String sql = """
                UPDATE messages_queue SET status = 'FAILED', last_error = 'SENDING_TIMEOUT_RECOVERED', next_attempt_at = now(),
                    locked_until = NULL, locked_by = NULL, updated_at = now()
                WHERE status = 'SENDING' AND locked_until < now()""";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            return ps.executeUpdate();
        }
    }

    /** Deletes up to {@code limit} DEAD readings older than the retention; returns them so their images can go too. */
    public List<Removed> purgeDead(int retentionDays, int limit) throws SQLException {
        String sql = """
                DELETE FROM alpr_readings r USING messages_queue q
                WHERE q.reading_id = r.id AND q.id IN (
                    SELECT id FROM messages_queue WHERE status = 'DEAD' AND updated_at < now() - make_interval(days => ?)
                    ORDER BY updated_at LIMIT ?)
                RETURNING r.id, r.image_ocr_path, r.image_ctx_path""";
        List<Removed> removed = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, retentionDays);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    removed.add(new Removed(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return removed;
    }

    private void insertAudit(Connection c, Audit a) throws SQLException {
        if (!audit || a == null) {
            return;
        }
        String sql = """
                INSERT INTO delivery_log (queue_id, reading_id, camera_id, municipality_id, endpoint_id, outcome, codi_retorn,
                    attempts, latency_ms, error, delay_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, a.queueId());
            ps.setObject(2, a.readingId());
            ps.setObject(3, a.cameraId());
            ps.setObject(4, a.municipalityId());
            ps.setObject(5, a.endpointId());
            ps.setString(6, a.outcome());
            ps.setString(7, a.codiRetorn());
            ps.setInt(8, a.attempts());
            if (a.latencyMs() == null) {
                ps.setNull(9, Types.INTEGER);
            } else {
                ps.setInt(9, (int) Math.min(Integer.MAX_VALUE, a.latencyMs()));
            }
            ps.setString(10, truncate(a.error()));
            if (a.delayMs() == null) {
                ps.setNull(11, Types.BIGINT);
            } else {
                ps.setLong(11, a.delayMs());
            }
            ps.executeUpdate();
        }
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 500 ? s : s.substring(0, 500);
    }
}
