package routes.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** Certificate rows: what was imported, where its files are, until when it is valid, who uses it. */
public final class CertificateRepository {

    /** A certificate as listed to operators. */
    public record Listed(
            UUID id,
            String name,
            String type,
            String subject,
            Instant validFrom,
            Instant validTo,
            boolean active,
            String usedBy) {}

    private final DataSource dataSource;

    public CertificateRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<UUID> certificateId(String name) throws SQLException {
        return Jdbc.id(dataSource, "SELECT id FROM certificates WHERE name = ?", name);
    }

    /** Inserts a PEM certificate row, or updates the one with the same name (a renewal). */
    public UUID upsertPem(
            String name,
            String certPath,
            String keyPath,
            String subject,
            String fingerprint,
            Instant validFrom,
            Instant validTo)
            throws SQLException {
        String sql = """
                INSERT INTO certificates (name, type, cert_path, key_path, subject, fingerprint_sha256, valid_from, valid_to)
                VALUES (?, 'PEM', ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET type = 'PEM', cert_path = EXCLUDED.cert_path, key_path = EXCLUDED.key_path,
                    pfx_path = NULL, password_path = NULL, subject = EXCLUDED.subject,
                    fingerprint_sha256 = EXCLUDED.fingerprint_sha256, valid_from = EXCLUDED.valid_from,
                    valid_to = EXCLUDED.valid_to, active = true, updated_at = now()
                RETURNING id""";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.setString(2, certPath);
            ps.setString(3, keyPath);
            ps.setString(4, subject);
            ps.setString(5, fingerprint);
            ps.setTimestamp(6, Timestamp.from(validFrom));
            ps.setTimestamp(7, Timestamp.from(validTo));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    /** Makes the municipality sign with this certificate; false when there is no such municipality. */
    public boolean assignToMunicipality(UUID certificateId, String municipality) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE municipalities SET certificate_id = ?, updated_at = now() WHERE name = ?")) {
            ps.setObject(1, certificateId);
            ps.setString(2, municipality);
            return ps.executeUpdate() == 1;
        }
    }

    public List<Listed> list() throws SQLException {
        String sql = """
                SELECT c.id, c.name, c.type, c.subject, c.valid_from, c.valid_to, c.active,
                       (SELECT string_agg(name, ',' ORDER BY name) FROM (
                            SELECT m.name FROM municipalities m WHERE m.certificate_id = c.id
                            UNION SELECT 'camera:' || k.serial_number FROM cameras k WHERE k.certificate_id = c.id) u)
                FROM certificates c ORDER BY c.name""";
        List<Listed> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Timestamp from = rs.getTimestamp(5);
                Timestamp to = rs.getTimestamp(6);
                out.add(new Listed(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        from == null ? null : from.toInstant(),
                        to == null ? null : to.toInstant(),
                        rs.getBoolean(7),
                        rs.getString(8)));
            }
        }
        return out;
    }
}
