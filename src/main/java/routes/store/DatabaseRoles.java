package routes.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.api.output.MigrateResult;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Two database roles (DB_OWNER_USER set): the owner owns the tables and alone migrates; DB_USER, the service's, reads and
 * writes data but may only read and add to {@code audit_log}, so neither the service nor anyone holding its password can
 * rewrite the audit trail. {@link #migrateAsOwner} is {@code db migrate} then: it connects as the owner, migrates, and
 * grants DB_USER its privileges again every time, so tables a migration adds get theirs too.
 */
public final class DatabaseRoles {

    /** What DB_USER may do on a table of the service's data, on the audit log, and on Flyway's schema history. */
    static final String DATA = "SELECT, INSERT, UPDATE, DELETE";

    static final String AUDIT = "SELECT, INSERT";
    static final String HISTORY = "SELECT";
    static final String AUDIT_TABLE = "audit_log";

    /** Tables, partitioned tables, views, materialized views and foreign tables: what GRANT ... ON TABLE covers. */
    private static final String TABLE_KINDS = "('r', 'p', 'v', 'm', 'f')";

    private DatabaseRoles() {}

    /** What {@code db migrate} did as the owner: the migrations, and the tables whose privileges DB_USER was given. */
    public record Outcome(MigrateResult migration, int tables, String historyTable) {}

    /**
     * Connects as DB_OWNER_USER with its password (read from DB_OWNER_PASSWORD_FILE by the caller), applies the pending migrations, then grants DB_USER
     * USAGE on schema public, {@value #DATA} on every table but {@code audit_log} ({@value #AUDIT}) and Flyway's history
     * ({@value #HISTORY}), revoking anything else it held there. Idempotent.
     *
     * @throws DatabaseSetupException  no connection as the owner, a table the owner does not own, or DB_USER still able to
     *                                 rewrite audit_log after the grants (a superuser, or a member of a role that may)
     */
    public static Outcome migrateAsOwner(DatabaseConfig db, String ownerPassword) {
        String owner = db.ownerUser();
        DataSource ds = ownerDataSource(db, ownerPassword);
        try (Connection c = ds.getConnection()) {
            requireOwnerOwnsTheSchema(c, owner);
        } catch (SQLException e) {
            throw new DatabaseSetupException("Cannot connect to database '" + db.name() + "' as DB_OWNER_USER '" + owner
                    + "' with the password in DB_OWNER_PASSWORD_FILE: " + oneLine(e.getMessage()));
        }
        var flyway = Database.flyway(ds);
        MigrateResult result = flyway.migrate();
        String history = flyway.getConfiguration().getTable();
        int tables = grantService(ds, db.user(), history);
        return new Outcome(result, tables, history);
    }

    private static DataSource ownerDataSource(DatabaseConfig db, String password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(db.jdbcUrl());
        ds.setUser(db.ownerUser());
        ds.setPassword(password);
        ds.setApplicationName("tattile-sender db migrate");
        ds.setConnectTimeout(Math.max(1, (db.connectTimeoutMs() + 999) / 1000));
        return ds;
    }

    /** A table in schema public the owner does not own would stop a migration or a grant halfway: said up front instead. */
    private static void requireOwnerOwnsTheSchema(Connection c, String owner) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                        "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c"
                                + " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN " + TABLE_KINDS
                                + " AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user) ORDER BY c.relname LIMIT 1");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                throw new DatabaseSetupException(
                        "Table public." + rs.getString(1) + " is owned by '" + rs.getString(2)
                                + "', not by DB_OWNER_USER '" + owner
                                + "': hand the schema to the owner first (REASSIGN OWNED, deploy/db-roles.sh or README, Install on a server)");
            }
        }
    }

    /** Grants DB_USER exactly its privileges on every table of schema public, in one transaction; returns how many tables. */
    static int grantService(DataSource ds, String service, String historyTable) {
        String role = quoted(service);
        int count;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("GRANT USAGE ON SCHEMA public TO " + role);
                List<String> tables = new ArrayList<>();
                try (ResultSet rs = st.executeQuery(
                        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN "
                                + TABLE_KINDS + " ORDER BY relname")) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
                for (String t : tables) {
                    String table = "public." + quoted(t);
                    // Whatever else it held (an earlier grant, a one-role install's leftovers) goes: these are its
                    // rights, exactly.
                    st.execute("REVOKE ALL ON TABLE " + table + " FROM " + role);
                    st.execute("GRANT " + privileges(t, historyTable) + " ON TABLE " + table + " TO " + role);
                }
                // A serial or identity column a later migration adds: nextval() on its sequence.
                st.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + role);
                count = tables.size();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
            requireAuditLogAppendOnly(c, service);
        } catch (SQLException e) {
            throw new DatabaseSetupException(
                    "Cannot grant DB_USER '" + service + "' its privileges: " + oneLine(e.getMessage()));
        }
        return count;
    }

    static String privileges(String table, String historyTable) {
        return table.equals(AUDIT_TABLE) ? AUDIT : table.equals(historyTable) ? HISTORY : DATA;
    }

    /** After the grants: DB_USER holds no way to rewrite audit_log nor to create tables, through any role it belongs to. */
    private static void requireAuditLogAppendOnly(Connection c, String service) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT coalesce(has_table_privilege(?, to_regclass('public.audit_log'), 'UPDATE')
                             OR has_table_privilege(?, to_regclass('public.audit_log'), 'DELETE')
                             OR has_table_privilege(?, to_regclass('public.audit_log'), 'TRUNCATE'), false),
                       has_schema_privilege(?, 'public', 'CREATE')""")) {
            for (int i = 1; i <= 4; i++) {
                ps.setString(i, service);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    throw new DatabaseSetupException(
                            "DB_USER '" + service
                                    + "' can still update, delete or truncate audit_log (a superuser, or a member"
                                    + " of a role that may): make it an ordinary role of its own (README, Install on a server)");
                }
                if (rs.getBoolean(2)) {
                    throw new DatabaseSetupException("DB_USER '" + service
                            + "' may create tables in schema public: as a superuser, REVOKE CREATE ON"
                            + " SCHEMA public FROM PUBLIC (README, Install on a server)");
                }
            }
        }
    }

    /** A role or table name as a PostgreSQL identifier: quotes, spaces and case kept as they are. */
    static String quoted(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static String oneLine(String message) {
        return String.valueOf(message).strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
