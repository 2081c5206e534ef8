package routes.store;

import static routes.store.Jdbc.count;
import static routes.store.Jdbc.deleteReadings;
import static routes.store.Jdbc.execute;
import static routes.store.Jdbc.instant;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import routes.store.QueueRepository.Removed;

/** Municipalities as operators register them: look-up, listing, changes, and deletion with their cameras and readings. */
public final class MunicipalityRepository {

    public record Municipality(
            UUID id,
            String name,
            String code,
            boolean active,
            String certificate,
            String endpoint,
            int cameras,
            Instant createdAt) {}

    public record MunicipalityChanges(Change<String> name, Change<String> code, Change<Boolean> active) {}

    /** A municipality's deletion: refused (deleted false) when it has cameras and no force was given. */
    public record MunicipalityDeletion(
            boolean found, boolean deleted, int cameras, long readings, List<Removed> removed) {}

    private final DataSource dataSource;

    public MunicipalityRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<UUID> municipalityId(String name) throws SQLException {
        return Jdbc.id(dataSource, "SELECT id FROM municipalities WHERE name = ?", name);
    }

    public List<Municipality> municipalities() throws SQLException {
        String sql = """
                SELECT m.id, m.name, m.code, m.active, c.name, e.name,
                       (SELECT count(*) FROM cameras k WHERE k.municipality_id = m.id), m.created_at
                FROM municipalities m
                LEFT JOIN certificates c ON c.id = m.certificate_id
                LEFT JOIN endpoints e ON e.id = m.endpoint_id
                ORDER BY m.name""";
        List<Municipality> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Municipality(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getBoolean(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getInt(7),
                        instant(rs, 8)));
            }
        }
        return out;
    }

    /** @return false when there is no municipality with that name */
    public boolean updateMunicipality(String name, MunicipalityChanges changes) throws SQLException {
        return new ColumnUpdate("municipalities", "name")
                .put("name", changes.name())
                .put("code", changes.code())
                .put("active", changes.active())
                .run(dataSource, name);
    }

    /**
     * Deletes a municipality. With cameras it is refused unless {@code force}: then its cameras' readings,
     * its cameras and the municipality go in one transaction; the image paths of the readings are returned.
     */
    public MunicipalityDeletion deleteMunicipality(String name, boolean force) throws SQLException {
        return Jdbc.inTransaction(dataSource, c -> {
            Optional<UUID> id = Jdbc.id(c, "SELECT id FROM municipalities WHERE name = ? FOR UPDATE", name);
            if (id.isEmpty()) {
                return new MunicipalityDeletion(false, false, 0, 0, List.of());
            }
            // Locking the cameras keeps the ingest from adding readings to them meanwhile.
            int cameras = (int) count(
                    c,
                    "SELECT count(*) FROM (SELECT id FROM cameras WHERE municipality_id = ? FOR UPDATE) k",
                    id.get());
            long readings = count(c, """
                    SELECT count(*) FROM alpr_readings WHERE camera_id IN (SELECT id FROM cameras WHERE municipality_id = ?)""", id.get());
            if (cameras > 0 && !force) {
                return new MunicipalityDeletion(true, false, cameras, readings, List.of());
            }
            List<Removed> removed = deleteReadings(c, """
                    DELETE FROM alpr_readings WHERE camera_id IN (SELECT id FROM cameras WHERE municipality_id = ?)
                    RETURNING id, image_ocr_path, image_ctx_path""", id.get());
            execute(c, "DELETE FROM cameras WHERE municipality_id = ?", id.get());
            execute(c, "DELETE FROM municipalities WHERE id = ?", id.get());
            return new MunicipalityDeletion(true, true, cameras, removed.size(), removed);
        });
    }
}
