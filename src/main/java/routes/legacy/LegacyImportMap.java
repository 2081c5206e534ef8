package routes.legacy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Table {@code legacy_import_map}: what earlier runs imported from one old database ({@code source}). A row with no new
 * id was looked at and deliberately not imported (a delivered SUCCESS row, a duplicate).
 */
final class LegacyImportMap {

    static final String MUNICIPALITY = "municipality";
    static final String ENDPOINT = "endpoint";
    static final String CERTIFICATE = "certificate";
    static final String CAMERA = "camera";
    static final String READING = "reading";
    static final String QUEUE = "queue";

    private final String source;
    private final Map<String, Map<Integer, Optional<UUID>>> known = new HashMap<>();

    private LegacyImportMap(String source) {
        this.source = source;
    }

    static LegacyImportMap load(Connection target, String source) throws SQLException {
        LegacyImportMap map = new LegacyImportMap(source);
        try (PreparedStatement ps =
                target.prepareStatement("SELECT entity, old_id, new_id FROM legacy_import_map WHERE source = ?")) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    map.remember(rs.getString(1), rs.getInt(2), rs.getObject(3, UUID.class));
                }
            }
        }
        return map;
    }

    /** The same old row always gets the same new id: a resumed run writes an image to the same path it used before. */
    UUID newId(String entity, int oldId) {
        return UUID.nameUUIDFromBytes(
                ("tattile-legacy:" + source + ":" + entity + ":" + oldId).getBytes(StandardCharsets.UTF_8));
    }

    boolean contains(String entity, int oldId) {
        return known.getOrDefault(entity, Map.of()).containsKey(oldId);
    }

    /** The new id of an imported row; empty when not imported or deliberately skipped. */
    Optional<UUID> get(String entity, int oldId) {
        return known.getOrDefault(entity, Map.of()).getOrDefault(oldId, Optional.empty());
    }

    void remember(String entity, int oldId, UUID newId) {
        known.computeIfAbsent(entity, e -> new HashMap<>()).put(oldId, Optional.ofNullable(newId));
    }

    /** Records the row in the caller's transaction (and in memory). */
    void record(Connection target, String entity, int oldId, UUID newId, String note) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement(
                "INSERT INTO legacy_import_map (source, entity, old_id, new_id, note) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, source);
            ps.setString(2, entity);
            ps.setInt(3, oldId);
            ps.setObject(4, newId);
            ps.setString(5, note);
            ps.executeUpdate();
        }
        remember(entity, oldId, newId);
    }

    /** Forgets what a rolled-back batch remembered. */
    void forget(String entity, int oldId) {
        Map<Integer, Optional<UUID>> m = known.get(entity);
        if (m != null) {
            m.remove(oldId);
        }
    }
}
