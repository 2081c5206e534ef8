package routes.store;

import static routes.store.Jdbc.execute;
import static routes.store.Jdbc.names;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Which certificate and endpoint municipalities and cameras use: setting or clearing one, and deleting a certificate or
 * endpoint together with the uses of it (one transaction each).
 */
public final class AssignmentRepository {

    /** An endpoint's or certificate's deletion: refused when referenced and no force was given; else those references were cleared. */
    public record ReferenceDeletion(boolean found, boolean deleted, List<String> municipalities, List<String> cameras) {
        public boolean referenced() {
            return !municipalities.isEmpty() || !cameras.isEmpty();
        }
    }

    /** Who a certificate or endpoint is assigned to. */
    public enum Target {
        MUNICIPALITY,
        CAMERA
    }

    /** What is assigned. */
    public enum Assigned {
        CERTIFICATE("certificate_id"),
        ENDPOINT("endpoint_id");

        final String column;

        Assigned(String column) {
            this.column = column;
        }
    }

    private final DataSource dataSource;

    public AssignmentRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Sets (or, with a null id, clears) the certificate or endpoint of a municipality (by name) or the override
     * of a camera (by serial). @return false when there is no such municipality or camera
     */
    public boolean assign(Assigned what, UUID idOrNull, Target target, String key) throws SQLException {
        String sql = target == Target.MUNICIPALITY
                ? "UPDATE municipalities SET " + what.column + " = ?, updated_at = now() WHERE name = ?"
                : "UPDATE cameras SET " + what.column + " = ?, updated_at = now() WHERE serial_number = ?";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, idOrNull, Types.OTHER);
            ps.setString(2, key);
            return ps.executeUpdate() == 1;
        }
    }

    /** Deletes an endpoint; when municipalities or cameras use it, refused unless {@code force} (then their references are cleared). */
    public ReferenceDeletion deleteEndpoint(String name, boolean force) throws SQLException {
        return deleteReferenced("endpoints", Assigned.ENDPOINT, name, force);
    }

    /** Deletes a certificate row (its files stay); when used, refused unless {@code force} (then the references are cleared). */
    public ReferenceDeletion deleteCertificate(String name, boolean force) throws SQLException {
        return deleteReferenced("certificates", Assigned.CERTIFICATE, name, force);
    }

    private ReferenceDeletion deleteReferenced(String table, Assigned kind, String name, boolean force)
            throws SQLException {
        return Jdbc.inTransaction(dataSource, c -> {
            Optional<UUID> id = Jdbc.id(c, "SELECT id FROM " + table + " WHERE name = ? FOR UPDATE", name);
            if (id.isEmpty()) {
                return new ReferenceDeletion(false, false, List.of(), List.of());
            }
            List<String> municipalities = names(
                    c,
                    "SELECT name FROM municipalities WHERE " + kind.column + " = ? ORDER BY name FOR UPDATE",
                    id.get());
            List<String> cameras = names(
                    c,
                    "SELECT serial_number FROM cameras WHERE " + kind.column + " = ? ORDER BY serial_number FOR UPDATE",
                    id.get());
            ReferenceDeletion result = new ReferenceDeletion(true, false, municipalities, cameras);
            if (result.referenced() && !force) {
                return result;
            }
            execute(
                    c,
                    "UPDATE municipalities SET " + kind.column + " = NULL, updated_at = now() WHERE " + kind.column
                            + " = ?",
                    id.get());
            execute(
                    c,
                    "UPDATE cameras SET " + kind.column + " = NULL, updated_at = now() WHERE " + kind.column + " = ?",
                    id.get());
            execute(c, "DELETE FROM " + table + " WHERE id = ?", id.get());
            return new ReferenceDeletion(true, true, municipalities, cameras);
        });
    }
}
