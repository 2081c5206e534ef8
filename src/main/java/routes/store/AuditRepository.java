package routes.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The audit log: who (an API key or an operator at the CLI) did what, to what, with which outcome.
 * Callers never pass keys, passwords or plates.
 */
public final class AuditRepository {

    /** Longer values are cut to this many characters (with a trailing "…"), so no caller can flood the table. */
    public static final int MAX_LENGTH = 2000;
    /** {@link #recent} returns at most this many rows whatever is asked. */
    public static final int MAX_RECENT = 1000;

    private final DataSource dataSource;

    public AuditRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records one action.
     *
     * @param actor   "apikey:&lt;name&gt;" or "cli:&lt;os user&gt;"; required
     * @param action  e.g. "POST /api/queue/requeue", "admin apikey create"; required
     * @param target  what it was done to (a name, an id); may be null
     * @param outcome e.g. "ok", "denied", "not found"; required
     * @param clientIp the HTTP client's address; null at the CLI
     * @param detail  anything else worth keeping; may be null
     */
    public void record(String actor, String action, String target, String outcome, String clientIp, String detail)
            throws SQLException {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(outcome, "outcome");
        String sql =
                "INSERT INTO audit_log (actor, action, target, outcome, client_ip, detail) VALUES (?, ?, ?, ?, ?, ?)";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, cut(actor));
            ps.setString(2, cut(action));
            ps.setString(3, cut(target));
            ps.setString(4, cut(outcome));
            ps.setString(5, cut(clientIp));
            ps.setString(6, cut(detail));
            ps.executeUpdate();
        }
    }

    /**
     * The newest rows first, at most {@code limit} (capped at {@link #MAX_RECENT}; 0 or less gives none).
     * Each row is a map ready for JSON: {@code id} (UUID as text), {@code at} (ISO-8601 UTC text), {@code actor},
     * {@code action}, {@code target}, {@code outcome}, {@code client_ip}, {@code detail} (text or null).
     */
    public List<Map<String, Object>> recent(int limit) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (limit <= 0) {
            return out;
        }
        String sql =
                "SELECT id, at, actor, action, target, outcome, client_ip, detail FROM audit_log ORDER BY at DESC, id LIMIT ?";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, Math.min(limit, MAX_RECENT));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", rs.getObject(1, UUID.class).toString());
                    Timestamp at = rs.getTimestamp(2);
                    m.put("at", at.toInstant().toString());
                    m.put("actor", rs.getString(3));
                    m.put("action", rs.getString(4));
                    m.put("target", rs.getString(5));
                    m.put("outcome", rs.getString(6));
                    m.put("client_ip", rs.getString(7));
                    m.put("detail", rs.getString(8));
                    out.add(m);
                }
            }
        }
        return out;
    }

    private static String cut(String s) {
        if (s == null || s.length() <= MAX_LENGTH) {
            return s;
        }
        int end = MAX_LENGTH - 1;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // not half a character
        }
        return s.substring(0, end) + "…";
    }
}
