package routes.legacy;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The old product's rows, read from its database (never written). Integer ids, as it has them. */
final class LegacyRows {

    record Endpoint(int id, String name, String url, int timeoutMs, int retryMax, int retryBackoffMs) {}

    record Municipality(int id, String name, String code, Integer endpointId, boolean active) {}

    /** {@code usedBy}: the municipality whose sender signs with it (the first row of that municipality's, as the old ORM took it). */
    record Certificate(
            int id,
            String name,
            String alias,
            String type,
            String path,
            String clientCertPath,
            String keyPath,
            String pfxPath,
            String privpubPath,
            String publicCertPath,
            Integer municipalityId,
            boolean firstOfItsMunicipality) {}

    record Camera(
            int id,
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
            Double utmY) {}

    /** A queue row with its reading. */
    record Queued(
            int queueId,
            String status,
            int attempts,
            String lastError,
            Instant createdAt,
            Instant updatedAt,
            Instant nextRetryAt,
            int readingId,
            int cameraId,
            String deviceSn,
            String plate,
            Instant timestampUtc,
            String direction,
            Integer laneId,
            String laneDescr,
            Integer ocrScore,
            String countryCode,
            String country,
            Integer bboxMinX,
            Integer bboxMinY,
            Integer bboxMaxX,
            Integer bboxMaxY,
            Integer charHeight,
            boolean hasImageOcr,
            boolean hasImageCtx,
            String imageOcrPath,
            String imageCtxPath,
            Instant readingCreatedAt) {}

    private LegacyRows() {}

    static List<Endpoint> endpoints(Connection c) throws SQLException {
        List<Endpoint> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                        "SELECT id, name, url, timeout_ms, retry_max, retry_backoff_ms FROM endpoints ORDER BY id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Endpoint(
                        rs.getInt(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5), rs.getInt(6)));
            }
        }
        return out;
    }

    static List<Municipality> municipalities(Connection c) throws SQLException {
        List<Municipality> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                        "SELECT id, name, code, endpoint_id, active FROM municipalities ORDER BY id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Municipality(
                        rs.getInt(1), rs.getString(2), rs.getString(3), integer(rs, 4), rs.getBoolean(5)));
            }
        }
        return out;
    }

    /**
     * The old sender found a municipality's certificate through an unordered {@code LEFT JOIN certificates ON
     * municipality_id} and kept the first row PostgreSQL returned (SQLAlchemy, {@code uselist=False}): for these small
     * tables a sequential scan, i.e. the table's physical order ({@code ctid}). That row is marked here.
     */
    static List<Certificate> certificates(Connection c) throws SQLException {
        List<Certificate> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, name, alias, type, path, client_cert_path, key_path, pfx_path, privpub_path, public_cert_path, municipality_id,
                       municipality_id IS NOT NULL AND row_number() OVER (PARTITION BY municipality_id ORDER BY ctid) = 1
                FROM certificates ORDER BY id""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Certificate(
                        rs.getInt(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getString(9),
                        rs.getString(10),
                        integer(rs, 11),
                        rs.getBoolean(12)));
            }
        }
        return out;
    }

    static List<Camera> cameras(Connection c) throws SQLException {
        List<Camera> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, serial_number, codigo_lector, description, municipality_id, endpoint_id, certificate_id, active,
                       coord_x, coord_y, utm_x, utm_y FROM cameras ORDER BY id""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Camera(
                        rs.getInt(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getInt(5),
                        integer(rs, 6),
                        integer(rs, 7),
                        rs.getBoolean(8),
                        rs.getString(9),
                        rs.getString(10),
                        decimal(rs, 11),
                        decimal(rs, 12)));
            }
        }
        return out;
    }

    /** What is done with each batch of queue rows. */
    interface Batches {
        void accept(List<Queued> batch) throws SQLException, IOException;
    }

    /**
     * Every queue row with its reading, oldest queue row first (the old sender's order), in batches: read through a
     * cursor, so a backlog of any size is never held in memory at once. Needs the connection in a transaction.
     */
    static void queued(Connection c, int batchSize, Batches each) throws SQLException, IOException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT q.id, q.status, q.attempts, q.last_error, q.created_at, q.updated_at, q.next_retry_at,
                       r.id, r.camera_id, r.device_sn, r.plate, r.timestamp_utc, r.direction, r.lane_id, r.lane_descr, r.ocr_score,
                       r.country_code, r.country, r.bbox_min_x, r.bbox_min_y, r.bbox_max_x, r.bbox_max_y, r.char_height,
                       r.has_image_ocr, r.has_image_ctx, r.image_ocr_path, r.image_ctx_path, r.created_at
                FROM messages_queue q JOIN alpr_readings r ON r.id = q.reading_id
                ORDER BY q.created_at, q.id""")) {
            ps.setFetchSize(batchSize);
            try (ResultSet rs = ps.executeQuery()) {
                List<Queued> batch = new ArrayList<>(batchSize);
                while (rs.next()) {
                    batch.add(new Queued(
                            rs.getInt(1),
                            rs.getString(2),
                            rs.getInt(3),
                            rs.getString(4),
                            instant(rs, 5),
                            instant(rs, 6),
                            instant(rs, 7),
                            rs.getInt(8),
                            rs.getInt(9),
                            rs.getString(10),
                            rs.getString(11),
                            instant(rs, 12),
                            rs.getString(13),
                            integer(rs, 14),
                            rs.getString(15),
                            integer(rs, 16),
                            rs.getString(17),
                            rs.getString(18),
                            integer(rs, 19),
                            integer(rs, 20),
                            integer(rs, 21),
                            integer(rs, 22),
                            integer(rs, 23),
                            rs.getBoolean(24),
                            rs.getBoolean(25),
                            rs.getString(26),
                            rs.getString(27),
                            instant(rs, 28)));
                    if (batch.size() == batchSize) {
                        each.accept(batch);
                        batch = new ArrayList<>(batchSize);
                    }
                }
                if (!batch.isEmpty()) {
                    each.accept(batch);
                }
            }
        }
    }

    private static Integer integer(ResultSet rs, int i) throws SQLException {
        int v = rs.getInt(i);
        return rs.wasNull() ? null : v;
    }

    private static Double decimal(ResultSet rs, int i) throws SQLException {
        double v = rs.getDouble(i);
        return rs.wasNull() ? null : v;
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        Timestamp t = rs.getTimestamp(i);
        return t == null ? null : t.toInstant();
    }
}
