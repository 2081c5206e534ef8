package routes.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** Cameras and municipalities, as the ingest and the admin commands need them. */
public final class CameraRepository {

    /** What ingest needs to know of a camera: its allowed sources are CIDR blocks (empty: any address). */
    public record CameraInfo(
            UUID id,
            String serialNumber,
            String timezone,
            boolean active,
            UUID municipalityId,
            List<String> allowedSources) {}

    private final DataSource dataSource;

    public CameraRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The camera with this serial, if registered; "active" is false when it or its municipality is inactive. */
    public Optional<CameraInfo> findBySerial(String serial) throws SQLException {
        String sql = """
                SELECT c.id, c.serial_number, c.timezone, c.active AND m.active, c.municipality_id, c.allowed_sources::text[]
                FROM cameras c JOIN municipalities m ON m.id = c.municipality_id
                WHERE c.serial_number = ?""";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, serial);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Array sources = rs.getArray(6);
                List<String> allowed = sources == null ? List.of() : List.of((String[]) sources.getArray());
                return Optional.of(new CameraInfo(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getBoolean(4),
                        rs.getObject(5, UUID.class),
                        allowed));
            }
        }
    }

    public UUID addMunicipality(String name, String code) throws SQLException {
        String sql = "INSERT INTO municipalities (name, code) VALUES (?, ?) RETURNING id";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.setString(2, code);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    public Optional<UUID> municipalityId(String name) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT id FROM municipalities WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
            }
        }
    }

    public UUID addCamera(String serial, UUID municipalityId, String codigoLector, String description, String timezone)
            throws SQLException {
        String sql = """
                INSERT INTO cameras (serial_number, municipality_id, codigo_lector, description, timezone)
                VALUES (?, ?, ?, ?, ?) RETURNING id""";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, serial);
            ps.setObject(2, municipalityId);
            ps.setString(3, codigoLector);
            ps.setString(4, description);
            ps.setString(5, timezone);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }
}
