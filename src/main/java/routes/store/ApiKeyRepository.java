package routes.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * API keys of the HTTP API. A key is {@code tsk_} and 32 random bytes in URL-safe Base64 (no padding);
 * it is returned once by {@link #create} and only its SHA-256 (lower-case hex) is stored.
 */
public final class ApiKeyRepository {

    /** The roles a key can have, as stored. */
    public static final List<String> ROLES = List.of("ADMIN", "SOURCE_WRITER", "READ_ONLY");
    /** What every key starts with, so that a leaked one is easy to recognise. */
    public static final String PREFIX = "tsk_";

    private static final int RANDOM_BYTES = 32;
    /** Longer input is no key of ours: not even hashed. */
    private static final int MAX_KEY_LENGTH = 256;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String COLUMNS = "id, name, role, created_at, revoked_at, last_used_at, scoped";

    /**
     * The cameras a scoped SOURCE_WRITER key may send readings for: those of some municipalities and some serials.
     * A scoped key whose scope is empty (its municipality was deleted) covers no camera.
     */
    public record Scope(Set<UUID> municipalityIds, Set<String> cameraSerials) {
        public boolean covers(String serial, UUID municipalityId) {
            return cameraSerials.contains(serial)
                    || (municipalityId != null && municipalityIds.contains(municipalityId));
        }
    }

    /** A key as callers see it: never the key nor its hash. {@code scoped}: see {@link #scopeOf}. */
    public record ApiKey(
            UUID id,
            String name,
            String role,
            Instant createdAt,
            Instant revokedAt,
            Instant lastUsedAt,
            boolean scoped) {
        public boolean active() {
            return revokedAt == null;
        }
    }

    /** {@link #create} with a name already used (by an active or a revoked key). */
    public static final class DuplicateNameException extends SQLException {
        private final String name;

        public DuplicateNameException(String name) {
            super("API key '" + name + "' already exists", "23505");
            this.name = name;
        }

        public String name() {
            return name;
        }
    }

    private final DataSource dataSource;

    public ApiKeyRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The stored form of a role: upper-cased; IllegalArgumentException when it is none of {@link #ROLES}. */
    public static String normalizeRole(String role) {
        String r = role == null ? "" : role.strip().toUpperCase(Locale.ROOT);
        if (!ROLES.contains(r)) {
            throw new IllegalArgumentException("Invalid role '" + role + "': use " + String.join(", ", ROLES));
        }
        return r;
    }

    /** The SHA-256 of the key's UTF-8 bytes, 64 lower-case hex characters. */
    public static String hash(String rawKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(rawKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /**
     * Creates a key and returns it: the only time it is seen, as only its hash is stored.
     *
     * @param role one of {@link #ROLES}, any case
     * @throws DuplicateNameException when a key (active or revoked) already has that name
     * @throws IllegalArgumentException when the name is blank or the role unknown
     */
    public String create(String name, String role) throws SQLException {
        return create(name, role, null);
    }

    /**
     * As {@link #create(String, String)}, limited to a scope (null: every camera). Key and scope are written in one
     * transaction.
     *
     * @throws IllegalArgumentException also when a scope is given for a role other than SOURCE_WRITER
     */
    public String create(String name, String role, Scope scope) throws SQLException {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("API key name must not be blank");
        }
        String storedRole = normalizeRole(role);
        byte[] random = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(random);
        String rawKey = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        if (scope != null && !storedRole.equals("SOURCE_WRITER")) {
            throw new IllegalArgumentException("Only SOURCE_WRITER keys are limited to cameras");
        }
        String sql =
                "INSERT INTO api_keys (name, key_hash, role, scoped) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING id";
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                UUID id;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, name);
                    ps.setString(2, hash(rawKey));
                    ps.setString(3, storedRole);
                    ps.setBoolean(4, scope != null);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new DuplicateNameException(name);
                        }
                        id = rs.getObject(1, UUID.class);
                    }
                }
                if (scope != null) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO api_key_scopes (api_key_id, municipality_id, camera_serial) VALUES (?, ?, ?)")) {
                        for (UUID m : scope.municipalityIds()) {
                            ps.setObject(1, id);
                            ps.setObject(2, m);
                            ps.setString(3, null);
                            ps.addBatch();
                        }
                        for (String serial : scope.cameraSerials()) {
                            ps.setObject(1, id);
                            ps.setObject(2, null);
                            ps.setString(3, serial);
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        return rawKey;
    }

    /** The active (not revoked) key this raw key belongs to; empty for anything else, null included. */
    public Optional<ApiKey> findActive(String rawKey) throws SQLException {
        if (rawKey == null || rawKey.isEmpty() || rawKey.length() > MAX_KEY_LENGTH) {
            return Optional.empty();
        }
        return one("SELECT " + COLUMNS + " FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", hash(rawKey));
    }

    /** The key with this name, active or revoked. */
    public Optional<ApiKey> findByName(String name) throws SQLException {
        return one("SELECT " + COLUMNS + " FROM api_keys WHERE name = ?", name);
    }

    /** The scope of a scoped key (empty sets when all its rows are gone); null for a key that is not scoped. */
    public Scope scopeOf(ApiKey key) throws SQLException {
        if (!key.scoped()) {
            return null;
        }
        Set<UUID> municipalities = new HashSet<>();
        Set<String> serials = new HashSet<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT municipality_id, camera_serial FROM api_key_scopes WHERE api_key_id = ?")) {
            ps.setObject(1, key.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID m = rs.getObject(1, UUID.class);
                    if (m != null) {
                        municipalities.add(m);
                    }
                    if (rs.getString(2) != null) {
                        serials.add(rs.getString(2));
                    }
                }
            }
        }
        return new Scope(Set.copyOf(municipalities), Set.copyOf(serials));
    }

    /** A scope for display: municipality names and camera serials, sorted (empty when not scoped). */
    public List<String> describeScope(ApiKey key) throws SQLException {
        List<String> out = new ArrayList<>();
        if (!key.scoped()) {
            return out;
        }
        String sql = """
                SELECT coalesce('municipality:' || m.name, 'camera:' || s.camera_serial) FROM api_key_scopes s
                LEFT JOIN municipalities m ON m.id = s.municipality_id WHERE s.api_key_id = ? ORDER BY 1""";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, key.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Sets last_used_at to now: one indexed update; callers may limit how often they call it. */
    public void touch(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET last_used_at = now() WHERE id = ?")) {
            ps.setObject(1, id);
            ps.executeUpdate();
        }
    }

    /** All keys, revoked ones included, by name. */
    public List<ApiKey> list() throws SQLException {
        List<ApiKey> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys ORDER BY name");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(row(rs));
            }
        }
        return out;
    }

    /** Revokes the key with this name; false when there is none or it was already revoked (see {@link #findByName}). */
    public boolean revoke(String name) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE api_keys SET revoked_at = now() WHERE name = ? AND revoked_at IS NULL")) {
            ps.setString(1, name);
            return ps.executeUpdate() == 1;
        }
    }

    private Optional<ApiKey> one(String sql, String parameter) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static ApiKey row(ResultSet rs) throws SQLException {
        return new ApiKey(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getString(3),
                instant(rs, 4),
                instant(rs, 5),
                instant(rs, 6),
                rs.getBoolean(7));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
