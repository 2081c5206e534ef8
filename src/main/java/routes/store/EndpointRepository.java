package routes.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The Mossos endpoints operators register: look-up, adding, listing with who uses them, and changes (their deletion clears
 * those uses: {@link AssignmentRepository}).
 */
public final class EndpointRepository {

    public record Endpoint(
            UUID id,
            String name,
            String url,
            int timeoutMs,
            Integer retryMax,
            Integer retryBackoffMs,
            String soapAction,
            Integer maxInFlight,
            boolean active,
            String usedBy) {}

    /** {@code maxInFlight}: the endpoint's cluster-wide cap on sends in flight, null for none. */
    public record NewEndpoint(
            String name,
            String url,
            Integer timeoutMs,
            Integer retryMax,
            Integer retryBackoffMs,
            String soapAction,
            Integer maxInFlight) {}

    public record EndpointChanges(
            Change<String> name,
            Change<String> url,
            Change<Integer> timeoutMs,
            Change<Integer> retryMax,
            Change<Integer> retryBackoffMs,
            Change<String> soapAction,
            Change<Integer> maxInFlight,
            Change<Boolean> active) {}

    private final DataSource dataSource;

    public EndpointRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<UUID> endpointId(String name) throws SQLException {
        return Jdbc.id(dataSource, "SELECT id FROM endpoints WHERE name = ?", name);
    }

    public UUID addEndpoint(NewEndpoint e) throws SQLException {
        String sql = """
                INSERT INTO endpoints (name, url, timeout_ms, retry_max, retry_backoff_ms, soap_action, max_in_flight)
                VALUES (?, ?, coalesce(?, 30000), ?, ?, ?, ?) RETURNING id""";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, e.name());
            ps.setString(2, e.url());
            setInteger(ps, 3, e.timeoutMs());
            setInteger(ps, 4, e.retryMax());
            setInteger(ps, 5, e.retryBackoffMs());
            ps.setString(6, e.soapAction());
            setInteger(ps, 7, e.maxInFlight());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    public List<Endpoint> endpoints() throws SQLException {
        String sql = """
                SELECT e.id, e.name, e.url, e.timeout_ms, e.retry_max, e.retry_backoff_ms, e.soap_action, e.max_in_flight,
                       e.active,
                       (SELECT string_agg(n, ',' ORDER BY n) FROM (
                            SELECT m.name AS n FROM municipalities m WHERE m.endpoint_id = e.id
                            UNION SELECT 'camera:' || k.serial_number FROM cameras k WHERE k.endpoint_id = e.id) u)
                FROM endpoints e ORDER BY e.name""";
        List<Endpoint> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Endpoint(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getInt(4),
                        rs.getObject(5, Integer.class),
                        rs.getObject(6, Integer.class),
                        rs.getString(7),
                        rs.getObject(8, Integer.class),
                        rs.getBoolean(9),
                        rs.getString(10)));
            }
        }
        return out;
    }

    /** @return false when there is no endpoint with that name */
    public boolean updateEndpoint(String name, EndpointChanges changes) throws SQLException {
        return new ColumnUpdate("endpoints", "name")
                .put("name", changes.name())
                .put("url", changes.url())
                .put("timeout_ms", changes.timeoutMs())
                .put("retry_max", changes.retryMax())
                .put("retry_backoff_ms", changes.retryBackoffMs())
                .put("soap_action", changes.soapAction())
                .put("max_in_flight", changes.maxInFlight())
                .put("active", changes.active())
                .run(dataSource, name);
    }

    private static void setInteger(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }
}
