package routes.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import routes.store.QueueRepository.Removed;

/** The queue as operators see and repair it: counts, listings, requeue, purges and delivery health. */
public final class QueueAdminRepository {

    /** Every queue status, in the order they are shown. */
    public static final List<String> STATUSES = List.of("PENDING", "SENDING", "FAILED", "DEAD");

    private static final int BATCH = 1000;

    /** One queue row with its reading's identity (no image, no XML). */
    public record Entry(
            UUID id,
            String status,
            int attempts,
            String lastError,
            Instant nextAttemptAt,
            String plate,
            String deviceSn,
            Instant receivedAt) {}

    /** What a requeue by id found: whether the row exists, its status before, and whether it went back to PENDING. */
    public record RequeueById(boolean found, String previousStatus, boolean requeued) {}

    /** Delivery outcomes of one endpoint ("global" when none: MOSSOS_ENDPOINT_URL) within a recent window. */
    public record EndpointHealth(
            String endpoint, long delivered, long failed, long dead, String lastOutcome, Instant lastOutcomeAt) {}

    /**
     * How late readings were delivered within a recent window: deliveries (DELIVERED rows of delivery_log) and the
     * median and 95th percentile of their delay from reception to delivery, in milliseconds (null when none of them
     * has a delay, e.g. no delivery at all).
     */
    public record DeliveryDelay(long deliveries, Long p50Millis, Long p95Millis) {}

    private final DataSource dataSource;

    public QueueAdminRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The queue at a glance, at a cost that does not grow with the queue: counts by status, readings in all,
     * and how long the oldest PENDING reading has waited.
     *
     * @param counts          rows by status (every status present)
     * @param estimated       true when the counts are estimates (a large queue): PostgreSQL's live-row counter
     *                        spread by a 1 % block sample of the statuses, instead of an exact count
     * @param readings        rows of alpr_readings (from the same live-row counter when large)
     * @param oldestPendingAgeSeconds seconds since the oldest PENDING reading was queued (or requeued); null when none
     */
    public record Overview(Map<String, Long> counts, boolean estimated, long readings, Long oldestPendingAgeSeconds) {}

    /**
     * Age of the oldest PENDING row since it was queued, first in the PENDING-only index: one index entry read,
     * however many due FAILED rows were queued before it, and whatever an open breaker did to its next attempt.
     */
    static final String OLDEST_PENDING = """
            SELECT floor(extract(epoch FROM now() - created_at))::bigint FROM messages_queue
            WHERE status = 'PENDING' ORDER BY created_at LIMIT 1""";

    /** Up to this many rows a count is exact; above it, it is estimated. */
    public static final long EXACT_COUNT_LIMIT = 100_000;

    public Overview overview() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long queueRows = liveRows(c, "messages_queue");
            Map<String, Long> counts = new LinkedHashMap<>();
            STATUSES.forEach(st -> counts.put(st, 0L));
            boolean estimated = queueRows > EXACT_COUNT_LIMIT;
            String sql = estimated
                    ? "SELECT status, count(*) FROM messages_queue TABLESAMPLE SYSTEM (1) GROUP BY status"
                    : "SELECT status, count(*) FROM messages_queue GROUP BY status";
            Map<String, Long> seen = new LinkedHashMap<>();
            long sampled = 0;
            try (PreparedStatement ps = c.prepareStatement(sql);
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    seen.put(rs.getString(1), rs.getLong(2));
                    sampled += rs.getLong(2);
                }
            }
            for (var e : seen.entrySet()) {
                counts.put(
                        e.getKey(),
                        estimated
                                ? Math.round((double) e.getValue() / Math.max(1, sampled) * queueRows)
                                : e.getValue());
            }
            long readingRows = liveRows(c, "alpr_readings");
            long readings =
                    readingRows > EXACT_COUNT_LIMIT ? readingRows : exact(c, "SELECT count(*) FROM alpr_readings");
            Long age;
            try (PreparedStatement ps = c.prepareStatement(OLDEST_PENDING);
                    ResultSet rs = ps.executeQuery()) {
                age = rs.next() ? Math.max(0, rs.getLong(1)) : null;
            }
            return new Overview(counts, estimated, readings, age);
        }
    }

    /** PostgreSQL's own count of a table's live rows (kept by its statistics as rows come and go; no scan). */
    private static long liveRows(Connection c, String table) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT coalesce(max(n_live_tup), 0) FROM pg_stat_user_tables WHERE relname = ? "
                        + "AND schemaname = current_schema()")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long exact(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Rows by status; every status is present, zero when empty. */
    public Map<String, Long> countsByStatus() throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        STATUSES.forEach(s -> counts.put(s, 0L));
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT status, count(*) FROM messages_queue GROUP BY status");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
        }
        return counts;
    }

    /** Age in seconds of the oldest PENDING row, or null when none is pending. */
    public Long oldestPendingAgeSeconds() throws SQLException {
        String sql =
                "SELECT floor(extract(epoch FROM now() - min(created_at)))::bigint FROM messages_queue WHERE status = 'PENDING'";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getObject(1, Long.class);
        }
    }

    /**
     * The reasons a reading goes DEAD, as its last_error starts ({@code CODE} or {@code CODE:detail}); anything else
     * (an error of an older version, an imported row) is {@code OTHER}. A fixed list, so a metric's labels stay bounded.
     */
    public static final List<String> DEAD_REASONS = List.of(
            "NO_IMAGE_AVAILABLE_OCR",
            "NO_IMAGE_FILE_OCR",
            "CERTIFICADO_NO_CONFIGURADO",
            "CERTIFICADO_CADUCADO",
            "CERTIFICADO_NO_VALIDO_AUN",
            "CERTIFICADO_ILEGIBLE",
            "ENDPOINT_URL_NO_CONFIGURADA",
            "DATOS_INVALIDOS",
            "CODI_RETORN",
            "MAX_REINTENTOS_AGOTADOS",
            "OTHER");

    /** DEAD rows by reason ({@link #DEAD_REASONS}, every one present, 0 when none), through the DEAD-only index. */
    public Map<String, Long> deadByReason() throws SQLException {
        String sql = """
                SELECT split_part(coalesce(last_error, ''), ':', 1), count(*) FROM messages_queue WHERE status = 'DEAD'
                GROUP BY 1""";
        Map<String, Long> out = new LinkedHashMap<>();
        DEAD_REASONS.forEach(r -> out.put(r, 0L));
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String reason = DEAD_REASONS.contains(rs.getString(1)) ? rs.getString(1) : "OTHER";
                out.merge(reason, rs.getLong(2), Long::sum);
            }
        }
        return out;
    }

    /** DEAD rows by last_error, most frequent first; a DEAD row without one counts under "(none)". */
    public Map<String, Long> deadByError() throws SQLException {
        String sql = """
                SELECT coalesce(last_error, '(none)'), count(*) FROM messages_queue WHERE status = 'DEAD'
                GROUP BY 1 ORDER BY 2 DESC, 1""";
        Map<String, Long> out = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    public long readingsTotal() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM alpr_readings");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Queue rows, oldest reading first, of one status or all (null). */
    public List<Entry> list(String statusOrNull, int limit) throws SQLException {
        String sql = """
                SELECT q.id, q.status, q.attempts, q.last_error, q.next_attempt_at, r.plate, r.device_sn, r.received_at
                FROM messages_queue q JOIN alpr_readings r ON r.id = q.reading_id
                WHERE (?::text IS NULL OR q.status = ?::text)
                ORDER BY r.received_at, q.id LIMIT ?""";
        List<Entry> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, statusOrNull);
            ps.setString(2, statusOrNull);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(
                            rs.getObject(1, UUID.class),
                            rs.getString(2),
                            rs.getInt(3),
                            rs.getString(4),
                            Jdbc.instant(rs, 5),
                            rs.getString(6),
                            rs.getString(7),
                            Jdbc.instant(rs, 8)));
                }
            }
        }
        return out;
    }

    private static final String REQUEUE_SET = """
            UPDATE messages_queue SET status = 'PENDING', attempts = 0, last_error = NULL, next_attempt_at = now(),
                locked_until = NULL, locked_by = NULL, updated_at = now()""";

    /** Back to PENDING, due now, with a fresh retry budget; only a DEAD or FAILED row is requeued. */
    public RequeueById requeue(UUID queueId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String status;
                try (PreparedStatement ps =
                        c.prepareStatement("SELECT status FROM messages_queue WHERE id = ? FOR UPDATE")) {
                    ps.setObject(1, queueId);
                    try (ResultSet rs = ps.executeQuery()) {
                        status = rs.next() ? rs.getString(1) : null;
                    }
                }
                boolean requeued = false;
                if ("DEAD".equals(status) || "FAILED".equals(status)) {
                    try (PreparedStatement ps = c.prepareStatement(REQUEUE_SET + " WHERE id = ?")) {
                        ps.setObject(1, queueId);
                        requeued = ps.executeUpdate() == 1;
                    }
                }
                c.commit();
                return new RequeueById(status != null, status, requeued);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Requeues every row of a status (DEAD or FAILED) whose last_error starts with the prefix (null: any). @return how many */
    public int requeue(String status, String errorPrefixOrNull) throws SQLException {
        if (!"DEAD".equals(status) && !"FAILED".equals(status)) {
            throw new IllegalArgumentException("Only DEAD or FAILED rows can be requeued");
        }
        String sql = REQUEUE_SET + " WHERE status = ? AND (?::text IS NULL OR starts_with(last_error, ?::text))";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, status);
            ps.setString(2, errorPrefixOrNull);
            ps.setString(3, errorPrefixOrNull);
            return ps.executeUpdate();
        }
    }

    /**
     * Deletes readings received more than {@code days} days ago whose queue row is not being sent (SENDING rows
     * are skipped, as are rows another transaction holds), and their image files, in batches. @return how many
     */
    public int purgeReadingsOlderThan(int days, ImageStorage images) throws SQLException {
        String sql = """
                WITH victims AS (
                    SELECT q.reading_id FROM messages_queue q JOIN alpr_readings r ON r.id = q.reading_id
                    WHERE r.received_at < now() - make_interval(days => ?) AND q.status <> 'SENDING'
                    ORDER BY r.received_at LIMIT ?
                    FOR UPDATE OF q SKIP LOCKED)
                DELETE FROM alpr_readings r USING victims v WHERE r.id = v.reading_id
                RETURNING r.id, r.image_ocr_path, r.image_ctx_path""";
        int total = 0;
        while (true) {
            List<Removed> removed = new ArrayList<>();
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setInt(1, days);
                ps.setInt(2, BATCH);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        removed.add(new Removed(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)));
                    }
                }
            }
            deleteImages(images, removed);
            total += removed.size();
            if (removed.size() < BATCH) {
                return total;
            }
        }
    }

    /** Deletes the image files of removed readings (missing files are fine). */
    public static void deleteImages(ImageStorage images, List<Removed> removed) {
        for (Removed r : removed) {
            images.delete(r.imageOcrPath());
            images.delete(r.imageCtxPath());
        }
    }

    /**
     * Delivery delay over the window, from delivery_log (written only with AUDIT_ENABLED): the created_at index
     * bounds the rows read to the window's.
     */
    public DeliveryDelay deliveryDelay(Duration window) throws SQLException {
        String sql = """
                SELECT count(*),
                       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY delay_ms))::bigint,
                       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY delay_ms))::bigint
                FROM delivery_log WHERE outcome = 'DELIVERED' AND created_at > now() - make_interval(secs => ?)""";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setDouble(1, window.toSeconds());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new DeliveryDelay(rs.getLong(1), rs.getObject(2, Long.class), rs.getObject(3, Long.class));
            }
        }
    }

    /**
     * Outcomes per endpoint in delivery_log over the window; every registered endpoint appears (zero when
     * idle), and "global" when readings went to MOSSOS_ENDPOINT_URL in the window.
     */
    public List<EndpointHealth> endpointHealth(Duration window) throws SQLException {
        String sql = """
                WITH recent AS (
                    SELECT endpoint_id,
                           count(*) FILTER (WHERE outcome = 'DELIVERED') AS delivered,
                           count(*) FILTER (WHERE outcome = 'FAILED') AS failed,
                           count(*) FILTER (WHERE outcome = 'DEAD') AS dead,
                           (array_agg(outcome ORDER BY created_at DESC))[1] AS last_outcome,
                           max(created_at) AS last_at
                    FROM delivery_log WHERE created_at > now() - make_interval(secs => ?)
                    GROUP BY endpoint_id)
                SELECT CASE WHEN e.id IS NOT NULL THEN e.name WHEN r.endpoint_id IS NULL THEN 'global' ELSE r.endpoint_id::text END,
                       coalesce(r.delivered, 0), coalesce(r.failed, 0), coalesce(r.dead, 0), r.last_outcome, r.last_at
                FROM recent r FULL JOIN endpoints e ON e.id = r.endpoint_id
                ORDER BY (r.endpoint_id IS NULL AND e.id IS NULL), 1""";
        List<EndpointHealth> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setDouble(1, window.toSeconds());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new EndpointHealth(
                            rs.getString(1),
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            rs.getString(5),
                            Jdbc.instant(rs, 6)));
                }
            }
        }
        return out;
    }
}
