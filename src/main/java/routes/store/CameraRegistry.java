package routes.store;

import static routes.store.Jdbc.count;
import static routes.store.Jdbc.deleteReadings;
import static routes.store.Jdbc.execute;
import static routes.store.Jdbc.instant;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import routes.store.QueueRepository.Removed;

/**
 * Cameras as operators register them: look-up, adding with all their columns, listing, changes, and deletion with their
 * readings. (What the ingest needs of a camera is {@link CameraRepository}'s.)
 */
public final class CameraRegistry {

    public record Camera(
            UUID id,
            String serial,
            String codigoLector,
            String description,
            String municipality,
            String endpoint,
            String certificate,
            Double coordX,
            Double coordY,
            Double utmX,
            Double utmY,
            String timezone,
            boolean active,
            Instant lastSentAt,
            List<String> allowedSources,
            Instant lastReadingAt,
            String lastSourceAddress,
            Integer expectSeconds,
            Instant createdAt) {}

    /** A camera's columns; on insert a null means "not set". */
    public record CameraChanges(
            Change<String> codigoLector,
            Change<String> description,
            Change<UUID> municipalityId,
            Change<UUID> endpointId,
            Change<UUID> certificateId,
            Change<Double> coordX,
            Change<Double> coordY,
            Change<Double> utmX,
            Change<Double> utmY,
            Change<String> timezone,
            Change<Boolean> active,
            Change<List<String>> allowedSources,
            Change<Integer> expectSeconds) {}

    /** A camera's deletion: refused (deleted false) when it has readings and no force was given. */
    public record CameraDeletion(boolean found, boolean deleted, long readings, List<Removed> removed) {}

    private final DataSource dataSource;

    public CameraRegistry(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<UUID> cameraId(String serial) throws SQLException {
        return Jdbc.id(dataSource, "SELECT id FROM cameras WHERE serial_number = ?", serial);
    }

    public UUID addCamera(String serial, UUID municipalityId, CameraChanges v) throws SQLException {
        String sql = """
                INSERT INTO cameras (serial_number, municipality_id, codigo_lector, description, endpoint_id, certificate_id,
                    coord_x, coord_y, utm_x, utm_y, timezone, active, allowed_sources, expect_readings_within_seconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, true), ?::cidr[], ?) RETURNING id""";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, serial);
            ps.setObject(2, municipalityId);
            ps.setObject(3, value(v.codigoLector()), Types.VARCHAR);
            ps.setObject(4, value(v.description()), Types.VARCHAR);
            ps.setObject(5, value(v.endpointId()), Types.OTHER);
            ps.setObject(6, value(v.certificateId()), Types.OTHER);
            ps.setObject(7, value(v.coordX()), Types.DOUBLE);
            ps.setObject(8, value(v.coordY()), Types.DOUBLE);
            ps.setObject(9, value(v.utmX()), Types.DOUBLE);
            ps.setObject(10, value(v.utmY()), Types.DOUBLE);
            ps.setObject(11, value(v.timezone()), Types.VARCHAR);
            ps.setObject(12, value(v.active()), Types.BOOLEAN);
            List<String> sources = value(v.allowedSources());
            ps.setArray(13, sources == null ? null : c.createArrayOf("varchar", sources.toArray()));
            ps.setObject(14, value(v.expectSeconds()), Types.INTEGER);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    /** Cameras, all or those of one municipality, by serial. */
    public List<Camera> cameras(UUID municipalityIdOrNull) throws SQLException {
        String sql = """
                SELECT k.id, k.serial_number, k.codigo_lector, k.description, m.name, e.name, c.name, k.coord_x, k.coord_y,
                       k.utm_x, k.utm_y, k.timezone, k.active, k.last_sent_at, k.allowed_sources::text[],
                       k.last_reading_at, host(k.last_source_address), k.expect_readings_within_seconds, k.created_at
                FROM cameras k
                JOIN municipalities m ON m.id = k.municipality_id
                LEFT JOIN endpoints e ON e.id = k.endpoint_id
                LEFT JOIN certificates c ON c.id = k.certificate_id
                WHERE (?::uuid IS NULL OR k.municipality_id = ?::uuid)
                ORDER BY k.serial_number""";
        List<Camera> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, municipalityIdOrNull, Types.OTHER);
            ps.setObject(2, municipalityIdOrNull, Types.OTHER);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Camera(
                            rs.getObject(1, UUID.class),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getObject(8, Double.class),
                            rs.getObject(9, Double.class),
                            rs.getObject(10, Double.class),
                            rs.getObject(11, Double.class),
                            rs.getString(12),
                            rs.getBoolean(13),
                            instant(rs, 14),
                            rs.getArray(15) == null
                                    ? List.of()
                                    : List.of((String[]) rs.getArray(15).getArray()),
                            instant(rs, 16),
                            rs.getString(17),
                            rs.getObject(18, Integer.class),
                            instant(rs, 19)));
                }
            }
        }
        return out;
    }

    /** @return false when there is no camera with that serial */
    public boolean updateCamera(String serial, CameraChanges changes) throws SQLException {
        return new ColumnUpdate("cameras", "serial_number")
                .put("codigo_lector", changes.codigoLector())
                .put("description", changes.description())
                .put("municipality_id", changes.municipalityId())
                .put("endpoint_id", changes.endpointId())
                .put("certificate_id", changes.certificateId())
                .put("coord_x", changes.coordX())
                .put("coord_y", changes.coordY())
                .put("utm_x", changes.utmX())
                .put("utm_y", changes.utmY())
                .put("timezone", changes.timezone())
                .put("active", changes.active())
                .put("allowed_sources", changes.allowedSources())
                .put("expect_readings_within_seconds", changes.expectSeconds())
                .run(dataSource, serial);
    }

    /** Deletes a camera; with readings it is refused unless {@code force}: then its readings go first, in the same transaction. */
    public CameraDeletion deleteCamera(String serial, boolean force) throws SQLException {
        return Jdbc.inTransaction(dataSource, c -> {
            Optional<UUID> id = Jdbc.id(c, "SELECT id FROM cameras WHERE serial_number = ? FOR UPDATE", serial);
            if (id.isEmpty()) {
                return new CameraDeletion(false, false, 0, List.of());
            }
            long readings = count(c, "SELECT count(*) FROM alpr_readings WHERE camera_id = ?", id.get());
            if (readings > 0 && !force) {
                return new CameraDeletion(true, false, readings, List.of());
            }
            List<Removed> removed = deleteReadings(
                    c,
                    "DELETE FROM alpr_readings WHERE camera_id = ? RETURNING id, image_ocr_path, image_ctx_path",
                    id.get());
            execute(c, "DELETE FROM cameras WHERE id = ?", id.get());
            return new CameraDeletion(true, true, removed.size(), removed);
        });
    }

    private static <T> T value(Change<T> change) {
        return change == null ? null : change.value();
    }
}
