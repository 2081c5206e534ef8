package routes.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;

/** The PostgreSQL connection pool and the schema migrations. */
public final class Database {

    private Database() {}

    public static HikariDataSource pool(DatabaseConfig db, String poolName) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(poolName);
        c.setJdbcUrl(db.jdbcUrl());
        c.setUsername(db.user());
        c.setPassword(db.password());
        c.setMaximumPoolSize(db.poolSize());
        c.setMinimumIdle(Math.min(4, db.poolSize()));
        c.setConnectionTimeout(db.connectTimeoutMs());
        // Do not fail start-up when PostgreSQL is briefly down: the pool connects when first used.
        c.setInitializationFailTimeout(-1);
        c.addDataSourceProperty("ApplicationName", "tattile-sender");
        c.addDataSourceProperty("tcpKeepAlive", "true");
        c.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new HikariDataSource(c);
    }

    /** Applies the Flyway migrations packaged in the jar under {@code db/migration}. */
    public static MigrateResult migrate(DataSource dataSource) {
        return flyway(dataSource).migrate();
    }

    static Flyway flyway(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load();
    }

    /** The versions of the packaged migrations the database has not applied yet (Flyway reads its history; nothing is written). */
    public static List<String> pendingMigrations(DataSource dataSource) {
        return Arrays.stream(flyway(dataSource).info().pending())
                .map(MigrationInfo::getVersion)
                .map(String::valueOf)
                .toList();
    }

    /**
     * Readies the schema for the service or an admin command, connected as DB_USER. One role (DB_OWNER_USER empty): the
     * migrations run when DB_MIGRATE_ON_START is on, as always (the result, when they ran). Two roles: DB_USER cannot and
     * does not migrate, whatever DB_MIGRATE_ON_START says; a pending migration stops it with one line saying to run
     * {@code db migrate}.
     *
     * @throws DatabaseSetupException migrations pending, or the schema history unreadable as DB_USER
     */
    public static Optional<MigrateResult> prepare(DatabaseConfig db, DataSource dataSource) {
        if (!db.separateRoles()) {
            return db.migrateOnStart() ? Optional.of(migrate(dataSource)) : Optional.empty();
        }
        List<String> pending;
        try {
            pending = pendingMigrations(dataSource);
        } catch (FlywayException e) {
            SQLException sql = sqlCause(e);
            String why = sql != null ? sql.getMessage() : e.getMessage();
            throw new DatabaseSetupException("Cannot read the schema history as DB_USER '" + db.user() + "' ("
                    + String.valueOf(why).strip().replaceAll("\\s*\\R\\s*", " ") + ")"
                    + (sql != null && "42501".equals(sql.getSQLState())
                            ? "; " + RUN_DB_MIGRATE + ", which also grants DB_USER its privileges"
                            : ""));
        }
        if (!pending.isEmpty()) {
            throw new DatabaseSetupException("Database schema not up to date (pending migration"
                    + (pending.size() == 1 ? " " : "s ") + String.join(", ", pending)
                    + ") and with DB_OWNER_USER set the service does not migrate: " + RUN_DB_MIGRATE);
        }
        return Optional.empty();
    }

    /** What the operator runs when the schema is behind (two roles). */
    static final String RUN_DB_MIGRATE =
            "run 'db migrate' as root, which connects as DB_OWNER_USER with the password in"
                    + " DB_OWNER_PASSWORD_FILE (sudo env TATTILE_ENV_FILE=/etc/tattile-sender/.env java -jar /opt/tattile-sender/tattile-sender.jar db migrate)";

    private static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                // The driver's own exception (Hikari wraps it when a connection cannot be had).
                return t.getCause() instanceof SQLException inner ? inner : sql;
            }
        }
        return null;
    }
}
