package routes.legacy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;

/**
 * INSERTs into the old schema, column for column as the old scripts fill them: what an ORM default or a server
 * default fills is left out, so PostgreSQL fills it as it did for the old product.
 */
final class OldRows {

    private final Connection connection;

    OldRows(Connection connection) {
        this.connection = connection;
    }

    /** app/scripts/add_endpoint.py: every column given. */
    int endpoint(String name, String url, int timeoutMs, int retryMax, int retryBackoffMs) throws SQLException {
        return insert(
                "INSERT INTO endpoints (name, url, timeout_ms, retry_max, retry_backoff_ms) VALUES (?, ?, ?, ?, ?) RETURNING id",
                name,
                url,
                timeoutMs,
                retryMax,
                retryBackoffMs);
    }

    /** app/scripts/add_municipality.py (+ assign_municipality_endpoint.py); certificate_id (0001's column) stays NULL. */
    int municipality(String name, String code, Integer endpointId) throws SQLException {
        return insert(
                "INSERT INTO municipalities (name, code, endpoint_id, active) VALUES (?, ?, ?, true) RETURNING id",
                name,
                code,
                endpointId);
    }

    /** app/admin/certs.py's new Certificate: created_at / updated_at from the server default. */
    int certificateLikeAdminCerts(
            String name, String clientPem, String keyPem, String pfx, String privpub, int municipalityId)
            throws SQLException {
        return insert(
                "INSERT INTO certificates (name, type, path, client_cert_path, key_path, pfx_path, privpub_path, "
                        + "municipality_id, active) VALUES (?, 'PEM', ?, ?, ?, ?, ?, ?, true) RETURNING id",
                name,
                clientPem,
                clientPem,
                keyPem,
                pfx,
                privpub,
                municipalityId);
    }

    /** app/scripts/import_certificate_from_pfx.py's Certificate: alias = name, created_at = updated_at = now (UTC) from Python. */
    int certificateLikeImportScript(
            String alias,
            String publicPem,
            String keyPem,
            String privpub,
            String pfx,
            int municipalityId,
            OffsetDateTime now)
            throws SQLException {
        return insert(
                "INSERT INTO certificates (alias, name, municipality_id, path, client_cert_path, public_cert_path, "
                        + "key_path, privpub_path, pfx_path, type, active, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'PEM_PAIR', true, ?, ?) RETURNING id",
                alias,
                alias,
                municipalityId,
                publicPem,
                publicPem,
                publicPem,
                keyPem,
                privpub,
                pfx,
                now,
                now);
    }

    /** A certificate registered by hand (add_certificate.py, then update_certificate.py for the municipality). */
    int certificateByHand(String name, String path, String keyPath, String pfx, String privpub, int municipalityId)
            throws SQLException {
        return insert(
                "INSERT INTO certificates (name, type, path, client_cert_path, key_path, pfx_path, privpub_path, "
                        + "municipality_id, active) VALUES (?, 'PEM', ?, ?, ?, ?, ?, ?, true) RETURNING id",
                name,
                path,
                path,
                keyPath,
                pfx,
                privpub,
                municipalityId);
    }

    /** app/scripts/add_camera.py's columns, plus what the assign_* / update_* scripts and the sender set later. */
    int camera(
            String serial,
            String codigoLector,
            String description,
            int municipalityId,
            Integer endpointId,
            Integer certificateId,
            boolean active,
            String coordX,
            String coordY,
            Double utmX,
            Double utmY,
            OffsetDateTime lastSentAt)
            throws SQLException {
        return insert(
                "INSERT INTO cameras (serial_number, codigo_lector, description, municipality_id, endpoint_id, "
                        + "certificate_id, active, coord_x, coord_y, utm_x, utm_y, last_sent_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                serial,
                codigoLector,
                description,
                municipalityId,
                endpointId,
                certificateId,
                active,
                coordX,
                coordY,
                utmX,
                utmY,
                lastSentAt);
    }

    /** INSERT ... RETURNING id with positional arguments. */
    int insert(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
