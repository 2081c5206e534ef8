package routes.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import routes.cli.CommandFailedException;
import routes.config.Setting;
import routes.config.Settings;
import routes.support.TestDb;

/** The bench makes its own database when it is missing, instead of failing in Flyway. Against the real PostgreSQL. */
class BenchDatabaseTest {

    private static Settings withDatabase(String name) {
        Settings test = TestDb.settings();
        return Settings.from(key -> key.equals("DB_NAME") ? name : test.text(Setting.valueOf(key)));
    }

    @Test
    void aMissingBenchDatabaseIsCreatedOwnedByTheBenchUser() throws Exception {
        String name = "tattile_bench_" + UUID.randomUUID().toString().substring(0, 8);
        try (HikariDataSource db = TestDb.open()) {
            assertThat(TestDb.count(db, "SELECT count(*) FROM pg_database WHERE datname = ?", name))
                    .isZero();
            try {
                BenchEnvironment.createIfMissing(withDatabase(name));
                assertThat(TestDb.text(db, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ?", name))
                        .isEqualTo(TestDb.settings().text(Setting.DB_USER));
                BenchEnvironment.createIfMissing(withDatabase(name)); // there now: nothing to do
            } finally {
                TestDb.execute(db, "DROP DATABASE IF EXISTS " + name);
            }
        }
    }

    @Test
    void aMissingDatabaseWithAnUnquotableNameIsRefusedWithOneLine() {
        assertThatThrownBy(() -> BenchEnvironment.createIfMissing(withDatabase("bench\"; DROP")))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("does not exist")
                .hasMessageNotContaining("\n");
    }
}
