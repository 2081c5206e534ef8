package routes.legacy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The old product's database on the test PostgreSQL (DB_HOST / DB_PORT, default 127.0.0.1:5432): made and dropped as
 * the superuser {@code postgres} (trust authentication, as deploy/dev/postgres.sh sets up), owned by and filled as
 * the old product's own role {@link #USER}.
 */
final class LegacyDatabase {

    /** The old product's role: DB_USER of the old .env, owner of the old database. */
    static final String USER = "tattile_legacy";
    /** Its password: DB_PASSWORD of the old .env. */
    static final String PASSWORD = "legacy-secret";

    static final String SCHEMA_RESOURCE = "legacy/tattilesender-schema.sql";

    private static final String ADMIN_USER = "postgres";
    private static final String DUPLICATE_OBJECT = "42710";
    private static final String UNIQUE_VIOLATION = "23505";

    private LegacyDatabase() {}

    static String host() {
        return env("DB_HOST", "127.0.0.1");
    }

    static String port() {
        return env("DB_PORT", "5432");
    }

    static String jdbcUrl(String dbName) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + dbName;
    }

    /** A connection to {@code dbName} as the old product's role. */
    static Connection connect(String dbName) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(dbName), USER, PASSWORD);
    }

    /** Creates {@link #USER} (login, password {@link #PASSWORD}) unless it exists; another build creating it at the same time is fine. */
    static void ensureRole() throws SQLException {
        try (Connection c = admin();
                Statement s = c.createStatement()) {
            try {
                s.execute("CREATE ROLE " + quote(USER) + " LOGIN PASSWORD '" + PASSWORD + "'");
            } catch (SQLException e) {
                if (!DUPLICATE_OBJECT.equals(e.getSQLState()) && !UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                s.execute("ALTER ROLE " + quote(USER) + " LOGIN PASSWORD '" + PASSWORD + "'");
            }
        }
    }

    /** Drops {@code dbName} if it exists (disconnecting its sessions) and creates it empty, owned by {@link #USER}. */
    static void recreate(String dbName) throws SQLException {
        drop(dbName);
        try (Connection c = admin();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + quote(dbName) + " OWNER " + quote(USER)
                    + " ENCODING 'UTF8' TEMPLATE template0");
        }
    }

    /** DROP DATABASE IF EXISTS ... WITH (FORCE). */
    static void drop(String dbName) throws SQLException {
        try (Connection c = admin();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + quote(dbName) + " WITH (FORCE)");
        }
    }

    /** Runs the hand-translated Alembic schema in {@code dbName} as {@link #USER}, so the old role owns every table. */
    static void applySchema(String dbName) throws SQLException, IOException {
        String script;
        try (InputStream in = LegacyDatabase.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IOException(SCHEMA_RESOURCE + " is not on the test classpath");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = connect(dbName);
                Statement s = c.createStatement()) {
            s.execute(script);
        }
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection(jdbcUrl("postgres"), ADMIN_USER, "");
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static String env(String key, String fallback) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? fallback : v;
    }
}
