package routes.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import routes.config.Setting;
import routes.config.Settings;

/** The PostgreSQL connection pool and the schema migrations. */
public final class Database {

    private Database() {
    }

    public static HikariDataSource pool(Settings settings, String poolName) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(poolName);
        c.setJdbcUrl(settings.jdbcUrl());
        c.setUsername(settings.text(Setting.DB_USER));
        c.setPassword(settings.text(Setting.DB_PASSWORD));
        c.setMaximumPoolSize(settings.integer(Setting.DB_POOL_SIZE));
        c.setMinimumIdle(Math.min(4, settings.integer(Setting.DB_POOL_SIZE)));
        c.setConnectionTimeout(settings.integer(Setting.DB_CONNECT_TIMEOUT_MS));
        // Do not fail start-up when PostgreSQL is briefly down: the pool connects when first used.
        c.setInitializationFailTimeout(-1);
        c.addDataSourceProperty("ApplicationName", "tattile-sender");
        c.addDataSourceProperty("tcpKeepAlive", "true");
        c.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new HikariDataSource(c);
    }

    /** Applies the Flyway migrations packaged in the jar under {@code db/migration}. */
    public static MigrateResult migrate(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }
}
