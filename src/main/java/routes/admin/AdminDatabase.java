package routes.admin;

import com.zaxxer.hikari.HikariDataSource;
import routes.config.Setting;
import routes.config.Settings;
import routes.store.Database;

/** A small pool for one admin command; the schema is brought up to date first when DB_MIGRATE_ON_START is on. */
final class AdminDatabase {

    private AdminDatabase() {
    }

    static HikariDataSource open(Settings settings) {
        HikariDataSource ds = Database.pool(settings, "tattile-admin");
        ds.setMaximumPoolSize(2);
        if (settings.flag(Setting.DB_MIGRATE_ON_START)) {
            Database.migrate(ds);
        }
        return ds;
    }
}
