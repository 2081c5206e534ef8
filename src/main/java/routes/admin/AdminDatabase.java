package routes.admin;

import com.zaxxer.hikari.HikariDataSource;
import routes.config.Settings;
import routes.store.Database;

/**
 * A small pool for one admin command, as DB_USER. With one role the schema is brought up to date first when
 * DB_MIGRATE_ON_START is on; with DB_OWNER_USER set nothing migrates and a pending migration stops the command with one
 * line saying to run {@code db migrate} (see {@link Database#prepare}).
 */
final class AdminDatabase {

    private AdminDatabase() {}

    static HikariDataSource open(Settings settings) {
        HikariDataSource ds = Database.pool(settings.database(), "tattile-admin");
        ds.setMaximumPoolSize(2);
        try {
            Database.prepare(settings.database(), ds);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return ds;
    }
}
