package routes.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import routes.store.QueueRepository.Removed;

/**
 * What operators register: municipalities, endpoints and cameras, the certificates and endpoints they
 * use, and their deletion with what depends on them (one transaction each).
 */
public final class RegistryRepository {

    /** A change to one column: absent (the field is null) leaves it alone, {@code Change.to(null)} clears it. */
    public record Change<T>(T value) {
        public static <T> Change<T> to(T value) {
            return new Change<>(value);
        }
    }

    public record Municipality(UUID id, String name, String code, boolean active, String certificate, String endpoint, int cameras,
                               Instant createdAt) {
    }

    public record MunicipalityChanges(Change<String> name, Change<String> code, Change<Boolean> active) {
    }

    public record Endpoint(UUID id, String name, String url, int timeoutMs, Integer retryMax, Integer retryBackoffMs, String soapAction,
                           boolean active, String usedBy) {
    }

    public record NewEndpoint(String name, String url, Integer timeoutMs, Integer retryMax, Integer retryBackoffMs, String soapAction) {
    }

    public record EndpointChanges(Change<String> name, Change<String> url, Change<Integer> timeoutMs, Change<Integer> retryMax,
                                  Change<Integer> retryBackoffMs, Change<String> soapAction, Change<Boolean> active) {
    }

    public record Camera(UUID id, String serial, String codigoLector, String description, String municipality, String endpoint,
                         String certificate, Double coordX, Double coordY, Double utmX, Double utmY, String timezone, boolean active,
                         Instant lastSentAt, List<String> allowedSources) {
    }

    /** A camera's columns; on insert a null means "not set". */
    public record CameraChanges(Change<String> codigoLector, Change<String> description, Change<UUID> municipalityId,
                                Change<UUID> endpointId, Change<UUID> certificateId, Change<Double> coordX, Change<Double> coordY,
                                Change<Double> utmX, Change<Double> utmY, Change<String> timezone, Change<Boolean> active,
                                Change<List<String>> allowedSources) {
    }

    /** A municipality's deletion: refused (deleted false) when it has cameras and no force was given. */
    public record MunicipalityDeletion(boolean found, boolean deleted, int cameras, long readings, List<Removed> removed) {
    }

    /** A camera's deletion: refused (deleted false) when it has readings and no force was given. */
    public record CameraDeletion(boolean found, boolean deleted, long readings, List<Removed> removed) {
    }

    /** An endpoint's or certificate's deletion: refused when referenced and no force was given; else those references were cleared. */
    public record ReferenceDeletion(boolean found, boolean deleted, List<String> municipalities, List<String> cameras) {
        public boolean referenced() {
            return !municipalities.isEmpty() || !cameras.isEmpty();
        }
    }

    /** Who a certificate or endpoint is assigned to. */
    public enum Target { MUNICIPALITY, CAMERA }

    /** What is assigned. */
    public enum Assigned {
        CERTIFICATE("certificate_id"), ENDPOINT("endpoint_id");

        final String column;

        Assigned(String column) {
            this.column = column;
        }
    }

    private final DataSource dataSource;

    public RegistryRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    // --- look-ups ---

    public Optional<UUID> municipalityId(String name) throws SQLException {
        return id("SELECT id FROM municipalities WHERE name = ?", name);
    }

    public Optional<UUID> endpointId(String name) throws SQLException {
        return id("SELECT id FROM endpoints WHERE name = ?", name);
    }

    public Optional<UUID> certificateId(String name) throws SQLException {
        return id("SELECT id FROM certificates WHERE name = ?", name);
    }

    public Optional<UUID> cameraId(String serial) throws SQLException {
        return id("SELECT id FROM cameras WHERE serial_number = ?", serial);
    }

    private Optional<UUID> id(String sql, String key) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
            }
        }
    }

    // --- municipalities ---

    public List<Municipality> municipalities() throws SQLException {
        String sql = """
                SELECT m.id, m.name, m.code, m.active, c.name, e.name,
                       (SELECT count(*) FROM cameras k WHERE k.municipality_id = m.id), m.created_at
                FROM municipalities m
                LEFT JOIN certificates c ON c.id = m.certificate_id
                LEFT JOIN endpoints e ON e.id = m.endpoint_id
                ORDER BY m.name""";
        List<Municipality> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Municipality(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getString(5),
                        rs.getString(6), rs.getInt(7), instant(rs, 8)));
            }
        }
        return out;
    }

    /** @return false when there is no municipality with that name */
    public boolean updateMunicipality(String name, MunicipalityChanges changes) throws SQLException {
        Map<String, Object> set = new LinkedHashMap<>();
        put(set, "name", changes.name());
        put(set, "code", changes.code());
        put(set, "active", changes.active());
        return update("municipalities", "name", name, set);
    }

    /**
     * Deletes a municipality. With cameras it is refused unless {@code force}: then its cameras' readings,
     * its cameras and the municipality go in one transaction; the image paths of the readings are returned.
     */
    public MunicipalityDeletion deleteMunicipality(String name, boolean force) throws SQLException {
        return inTransaction(c -> {
            Optional<UUID> id = lockedId(c, "SELECT id FROM municipalities WHERE name = ? FOR UPDATE", name);
            if (id.isEmpty()) {
                return new MunicipalityDeletion(false, false, 0, 0, List.of());
            }
            // Locking the cameras keeps the ingest from adding readings to them meanwhile.
            int cameras = (int) count(c, "SELECT count(*) FROM (SELECT id FROM cameras WHERE municipality_id = ? FOR UPDATE) k", id.get());
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

    // --- endpoints ---

    public UUID addEndpoint(NewEndpoint e) throws SQLException {
        String sql = """
                INSERT INTO endpoints (name, url, timeout_ms, retry_max, retry_backoff_ms, soap_action)
                VALUES (?, ?, coalesce(?, 30000), ?, ?, ?) RETURNING id""";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, e.name());
            ps.setString(2, e.url());
            setInteger(ps, 3, e.timeoutMs());
            setInteger(ps, 4, e.retryMax());
            setInteger(ps, 5, e.retryBackoffMs());
            ps.setString(6, e.soapAction());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    public List<Endpoint> endpoints() throws SQLException {
        String sql = """
                SELECT e.id, e.name, e.url, e.timeout_ms, e.retry_max, e.retry_backoff_ms, e.soap_action, e.active,
                       (SELECT string_agg(n, ',' ORDER BY n) FROM (
                            SELECT m.name AS n FROM municipalities m WHERE m.endpoint_id = e.id
                            UNION SELECT 'camera:' || k.serial_number FROM cameras k WHERE k.endpoint_id = e.id) u)
                FROM endpoints e ORDER BY e.name""";
        List<Endpoint> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Endpoint(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getObject(5, Integer.class), rs.getObject(6, Integer.class), rs.getString(7), rs.getBoolean(8), rs.getString(9)));
            }
        }
        return out;
    }

    /** @return false when there is no endpoint with that name */
    public boolean updateEndpoint(String name, EndpointChanges changes) throws SQLException {
        Map<String, Object> set = new LinkedHashMap<>();
        put(set, "name", changes.name());
        put(set, "url", changes.url());
        put(set, "timeout_ms", changes.timeoutMs());
        put(set, "retry_max", changes.retryMax());
        put(set, "retry_backoff_ms", changes.retryBackoffMs());
        put(set, "soap_action", changes.soapAction());
        put(set, "active", changes.active());
        return update("endpoints", "name", name, set);
    }

    /** Deletes an endpoint; when municipalities or cameras use it, refused unless {@code force} (then their references are cleared). */
    public ReferenceDeletion deleteEndpoint(String name, boolean force) throws SQLException {
        return deleteReferenced("endpoints", Assigned.ENDPOINT, name, force);
    }

    /** Deletes a certificate row (its files stay); when used, refused unless {@code force} (then the references are cleared). */
    public ReferenceDeletion deleteCertificate(String name, boolean force) throws SQLException {
        return deleteReferenced("certificates", Assigned.CERTIFICATE, name, force);
    }

    private ReferenceDeletion deleteReferenced(String table, Assigned kind, String name, boolean force) throws SQLException {
        return inTransaction(c -> {
            Optional<UUID> id = lockedId(c, "SELECT id FROM " + table + " WHERE name = ? FOR UPDATE", name);
            if (id.isEmpty()) {
                return new ReferenceDeletion(false, false, List.of(), List.of());
            }
            List<String> municipalities = names(c, "SELECT name FROM municipalities WHERE " + kind.column + " = ? ORDER BY name FOR UPDATE",
                    id.get());
            List<String> cameras = names(c, "SELECT serial_number FROM cameras WHERE " + kind.column + " = ? ORDER BY serial_number FOR UPDATE",
                    id.get());
            ReferenceDeletion result = new ReferenceDeletion(true, false, municipalities, cameras);
            if (result.referenced() && !force) {
                return result;
            }
            execute(c, "UPDATE municipalities SET " + kind.column + " = NULL, updated_at = now() WHERE " + kind.column + " = ?", id.get());
            execute(c, "UPDATE cameras SET " + kind.column + " = NULL, updated_at = now() WHERE " + kind.column + " = ?", id.get());
            execute(c, "DELETE FROM " + table + " WHERE id = ?", id.get());
            return new ReferenceDeletion(true, true, municipalities, cameras);
        });
    }

    // --- cameras ---

    public UUID addCamera(String serial, UUID municipalityId, CameraChanges v) throws SQLException {
        String sql = """
                INSERT INTO cameras (serial_number, municipality_id, codigo_lector, description, endpoint_id, certificate_id,
                    coord_x, coord_y, utm_x, utm_y, timezone, active, allowed_sources)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, true), ?::cidr[]) RETURNING id""";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
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
                       k.utm_x, k.utm_y, k.timezone, k.active, k.last_sent_at, k.allowed_sources::text[]
                FROM cameras k
                JOIN municipalities m ON m.id = k.municipality_id
                LEFT JOIN endpoints e ON e.id = k.endpoint_id
                LEFT JOIN certificates c ON c.id = k.certificate_id
                WHERE (?::uuid IS NULL OR k.municipality_id = ?::uuid)
                ORDER BY k.serial_number""";
        List<Camera> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, municipalityIdOrNull, Types.OTHER);
            ps.setObject(2, municipalityIdOrNull, Types.OTHER);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Camera(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getObject(8, Double.class), rs.getObject(9, Double.class),
                            rs.getObject(10, Double.class), rs.getObject(11, Double.class), rs.getString(12), rs.getBoolean(13),
                            instant(rs, 14), rs.getArray(15) == null ? List.of() : List.of((String[]) rs.getArray(15).getArray())));
                }
            }
        }
        return out;
    }

    /** @return false when there is no camera with that serial */
    public boolean updateCamera(String serial, CameraChanges changes) throws SQLException {
        Map<String, Object> set = new LinkedHashMap<>();
        put(set, "codigo_lector", changes.codigoLector());
        put(set, "description", changes.description());
        put(set, "municipality_id", changes.municipalityId());
        put(set, "endpoint_id", changes.endpointId());
        put(set, "certificate_id", changes.certificateId());
        put(set, "coord_x", changes.coordX());
        put(set, "coord_y", changes.coordY());
        put(set, "utm_x", changes.utmX());
        put(set, "utm_y", changes.utmY());
        put(set, "timezone", changes.timezone());
        put(set, "active", changes.active());
        put(set, "allowed_sources", changes.allowedSources());
        return update("cameras", "serial_number", serial, set);
    }

    /** Deletes a camera; with readings it is refused unless {@code force}: then its readings go first, in the same transaction. */
    public CameraDeletion deleteCamera(String serial, boolean force) throws SQLException {
        return inTransaction(c -> {
            Optional<UUID> id = lockedId(c, "SELECT id FROM cameras WHERE serial_number = ? FOR UPDATE", serial);
            if (id.isEmpty()) {
                return new CameraDeletion(false, false, 0, List.of());
            }
            long readings = count(c, "SELECT count(*) FROM alpr_readings WHERE camera_id = ?", id.get());
            if (readings > 0 && !force) {
                return new CameraDeletion(true, false, readings, List.of());
            }
            List<Removed> removed = deleteReadings(c,
                    "DELETE FROM alpr_readings WHERE camera_id = ? RETURNING id, image_ocr_path, image_ctx_path", id.get());
            execute(c, "DELETE FROM cameras WHERE id = ?", id.get());
            return new CameraDeletion(true, true, removed.size(), removed);
        });
    }

    // --- assignments ---

    /**
     * Sets (or, with a null id, clears) the certificate or endpoint of a municipality (by name) or the override
     * of a camera (by serial). @return false when there is no such municipality or camera
     */
    public boolean assign(Assigned what, UUID idOrNull, Target target, String key) throws SQLException {
        String sql = target == Target.MUNICIPALITY
                ? "UPDATE municipalities SET " + what.column + " = ?, updated_at = now() WHERE name = ?"
                : "UPDATE cameras SET " + what.column + " = ?, updated_at = now() WHERE serial_number = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, idOrNull, Types.OTHER);
            ps.setString(2, key);
            return ps.executeUpdate() == 1;
        }
    }

    // --- helpers ---

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs the work in one transaction; a refusal (nothing changed) is simply committed empty. */
    private <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static void put(Map<String, Object> set, String column, Change<?> change) {
        if (change != null) {
            set.put(column, change.value());
        }
    }

    private static <T> T value(Change<T> change) {
        return change == null ? null : change.value();
    }

    /** UPDATE of the given columns (names from this class, never from input) of the row whose key column equals key. */
    private boolean update(String table, String keyColumn, String key, Map<String, Object> set) throws SQLException {
        if (set.isEmpty()) {
            return id("SELECT id FROM " + table + " WHERE " + keyColumn + " = ?", key).isPresent();
        }
        StringBuilder sql = new StringBuilder("UPDATE ").append(table).append(" SET ");
        for (String column : set.keySet()) {
            sql.append(column).append(column.equals("allowed_sources") ? " = ?::cidr[], " : " = ?, ");
        }
        sql.append("updated_at = now() WHERE ").append(keyColumn).append(" = ?");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (Object v : set.values()) {
                if (v == null) {
                    ps.setNull(i++, Types.NULL);
                } else if (v instanceof UUID) {
                    ps.setObject(i++, v, Types.OTHER);
                } else if (v instanceof List<?> list) {
                    ps.setArray(i++, c.createArrayOf("varchar", list.toArray()));
                } else {
                    ps.setObject(i++, v);
                }
            }
            ps.setString(i, key);
            return ps.executeUpdate() == 1;
        }
    }

    private static Optional<UUID> lockedId(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
            }
        }
    }

    private static long count(Connection c, String sql, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static List<String> names(Connection c, String sql, UUID id) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static void execute(Connection c, String sql, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            ps.executeUpdate();
        }
    }

    private static List<Removed> deleteReadings(Connection c, String sql, UUID id) throws SQLException {
        List<Removed> removed = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    removed.add(new Removed(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return removed;
    }

    private static void setInteger(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
