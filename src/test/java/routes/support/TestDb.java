package routes.support;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import routes.config.Setting;
import routes.config.Settings;
import routes.store.CameraRepository;
import routes.store.Database;

/**
 * The real PostgreSQL the tests use: database {@code tattile_test} made by deploy/dev/postgres.sh.
 * Host and port follow DB_HOST / DB_PORT when set.
 */
public final class TestDb {

    /** The test database; TEST_DB_NAME picks another (deploy/dev/postgres.sh creates it). */
    public static final String NAME = System.getenv().getOrDefault("TEST_DB_NAME", "tattile_test");
    /** The same settings as Camel properties, for {@code @CamelMainTest(properties = …)}. */
    public static final String HOST_PROPERTY = "DB_HOST=127.0.0.1";

    public static final String NAME_PROPERTY = "DB_NAME={{env:TEST_DB_NAME:tattile_test}}";
    public static final String USER_PROPERTY = "DB_USER=tattile";
    public static final String PASSWORD_PROPERTY = "DB_PASSWORD=tattile";
    /** For tests whose fixtures carry fixed dates (the samples are from 2024 and March 2026): any reading up to 10 years old. */
    public static final String ANY_READING_AGE_PROPERTY = "INGEST_MAX_AGE_DAYS=3650";

    private TestDb() {}

    public static Settings settings() {
        return Settings.from(key -> switch (key) {
            case "DB_NAME" -> NAME;
            case "DB_HOST" -> env("DB_HOST", "127.0.0.1");
            case "DB_PORT" -> env("DB_PORT", "5432");
            case "DB_POOL_SIZE" -> "4";
            default -> null;
        });
    }

    /**
     * What a service under test needs to reach the test database ({@code DB_HOST}, {@code DB_PORT}, {@code DB_NAME}),
     * plus these settings, given as key, value, key, value...
     */
    public static Map<String, String> serviceSettings(String... more) {
        Settings db = settings();
        Map<String, String> s = new HashMap<>();
        s.put("DB_HOST", db.text(Setting.DB_HOST));
        s.put("DB_PORT", db.text(Setting.DB_PORT));
        s.put("DB_NAME", NAME);
        for (int i = 0; i + 1 < more.length; i += 2) {
            s.put(more[i], more[i + 1]);
        }
        return s;
    }

    /** A small pool on the test database, schema migrated. */
    public static HikariDataSource open() {
        HikariDataSource ds = Database.pool(settings().database(), "test");
        Database.migrate(ds);
        return ds;
    }

    /** Empties every table. */
    public static void reset(HikariDataSource ds) throws SQLException {
        // A service still finishing the previous test's sends can make TRUNCATE's table locks deadlock with its
        // transaction; PostgreSQL then cancels one side, and the reset is simply tried again.
        for (int attempt = 1; ; attempt++) {
            try {
                execute(
                        ds,
                        "TRUNCATE delivery_log, messages_queue, alpr_readings, cameras, municipalities, endpoints, certificates, "
                                + "api_keys, audit_log, legacy_import_map, cluster_locks CASCADE");
                return;
            } catch (SQLException e) {
                if (!"40P01".equals(e.getSQLState()) || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Registers a camera under municipality {@code Test}, created if needed. */
    public static UUID camera(HikariDataSource ds, String serial, String timezone) throws SQLException {
        CameraRepository repo = new CameraRepository(ds);
        UUID municipality = repo.municipalityId("Test").orElseGet(() -> {
            try {
                return repo.addMunicipality("Test", "17000");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        return repo.addCamera(serial, municipality, null, null, timezone);
    }

    public static long count(HikariDataSource ds, String sql, Object... args) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public static String text(HikariDataSource ds, String sql, Object... args) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The text of EXPLAIN (ANALYZE, BUFFERS) of a statement, one plan line a line. */
    public static String explainAnalyze(HikariDataSource ds, String sql) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }

    public static void execute(HikariDataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String env(String key, String fallback) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? fallback : v;
    }
}
