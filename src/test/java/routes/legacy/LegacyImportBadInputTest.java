package routes.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.support.Cli;
import routes.support.TestDb;
import routes.support.TestFiles;

/** What the import refuses: one line on standard error, exit 1, nothing written here, nothing changed there. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LegacyImportBadInputTest {

    static final Path ROOT = Path.of("target/legacy-bad-input").toAbsolutePath();
    static final String OLD_DB = "legacy_bad_" + TestDb.NAME;

    private final HikariDataSource db = TestDb.open();
    private Cli cli;
    private Path oldEnv;

    @BeforeAll
    void folders() throws Exception {
        TestFiles.deleteTree(ROOT);
        Files.createDirectories(ROOT.resolve("old/images"));
        Files.createDirectories(ROOT.resolve("old/certs"));
        Path ours = ROOT.resolve("new/.env");
        Files.createDirectories(ours.getParent());
        Files.writeString(
                ours,
                String.join(
                        "\n",
                        "DB_HOST=127.0.0.1",
                        "DB_NAME=" + TestDb.NAME,
                        "DB_USER=tattile",
                        "DB_PASSWORD=tattile",
                        "IMAGES_BASE_DIR=" + ROOT.resolve("new/images"),
                        "CERTS_DIR=" + ROOT.resolve("new/certs"),
                        ""));
        cli = new Cli(ours);
        LegacyDatabase.ensureRole();
    }

    @BeforeEach
    void anEmptyOldSchemaAtItsHeadRevision() throws Exception {
        TestDb.reset(db);
        LegacyDatabase.recreate(OLD_DB);
        LegacyDatabase.applySchema(OLD_DB);
        oldEnv = writeOldEnv(OLD_DB, LegacyDatabase.port(), ROOT.resolve("old/images"));
    }

    @AfterEach
    void nothingWrittenHere() throws Exception {
        assertThat(TestDb.count(db, "SELECT count(*) FROM legacy_import_map")).isZero();
        assertThat(TestDb.count(db, "SELECT count(*) FROM municipalities")).isZero();
        assertThat(ROOT.resolve("new/images")).doesNotExist();
        assertThat(ROOT.resolve("new/certs")).doesNotExist();
    }

    @AfterAll
    void close() throws Exception {
        LegacyDatabase.drop(OLD_DB);
        db.close();
    }

    @Test
    void aMissingOldSettingsFileIsNamed() {
        assertThat(importFails(ROOT.resolve("old/missing.env")))
                .contains(ROOT.resolve("old/missing.env").toString(), "does not exist");
    }

    @Test
    void anOldSettingsFileThatIsAFolderIsRefused() {
        assertThat(importFails(ROOT.resolve("old/images"))).contains("is not a file");
    }

    @Test
    void aMalformedOldSettingsFileNamesTheLine() throws Exception {
        Files.writeString(oldEnv, "DB_NAME=" + OLD_DB + "\nthis is not a setting\n");
        assertThat(importFails(oldEnv)).contains(oldEnv.toString(), "line 2");
    }

    @Test
    void anUnreachableOldDatabaseIsNamedWithoutItsPassword() throws Exception {
        oldEnv = writeOldEnv(OLD_DB, "1", ROOT.resolve("old/images"));
        assertThat(importFails(oldEnv))
                .contains("Cannot open the old database 127.0.0.1:1/" + OLD_DB, "tattile_legacy")
                .doesNotContain(LegacyDatabase.PASSWORD);
    }

    @Test
    void aDatabaseThatIsNotATattileSenderSchemaSaysWhichTableIsMissing() throws Exception {
        oldEnv = writeOldEnv(TestDb.NAME, LegacyDatabase.port(), ROOT.resolve("old/images"));
        assertThat(importFails(oldEnv)).contains("is not a TattileSender schema: table alembic_version is missing");
    }

    @Test
    void aMissingColumnIsNamed() throws Exception {
        oldExecute("ALTER TABLE cameras DROP COLUMN coord_x");
        assertThat(importFails(oldEnv)).contains("column cameras.coord_x is missing");
    }

    @Test
    void anOlderRevisionIsNamedWithWhatToDo() throws Exception {
        oldExecute("UPDATE alembic_version SET version_num = '0004_coord_paths'");
        assertThat(importFails(oldEnv))
                .contains(
                        "Alembic revision 0004_coord_paths",
                        "an older schema than supported (0006_camera_last_sent)",
                        "alembic upgrade head");
    }

    @Test
    void aNewerRevisionIsNamed() throws Exception {
        oldExecute("UPDATE alembic_version SET version_num = '0007_camera_status'");
        assertThat(importFails(oldEnv))
                .contains("Alembic revision 0007_camera_status", "a newer or unknown schema than supported");
    }

    @Test
    void aMissingImagesFolderIsNamed() throws Exception {
        oldEnv = writeOldEnv(OLD_DB, LegacyDatabase.port(), ROOT.resolve("old/gone"));
        assertThat(importFails(oldEnv)).contains("images folder " + ROOT.resolve("old/gone"), "does not exist");
    }

    private String importFails(Path env) {
        return cli.fails(1, "admin", "import-legacy", "--from-env", env.toString());
    }

    private void oldExecute(String sql) throws Exception {
        try (Connection c = LegacyDatabase.connect(OLD_DB);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Path writeOldEnv(String dbName, String port, Path images) throws Exception {
        Path env = ROOT.resolve("old/.env");
        Files.writeString(
                env,
                String.join(
                        "\n",
                        "DB_HOST=127.0.0.1",
                        "DB_PORT=" + port,
                        "DB_NAME=" + dbName,
                        "DB_USER=" + LegacyDatabase.USER,
                        "DB_PASSWORD=\"" + LegacyDatabase.PASSWORD + "\"",
                        "IMAGES_BASE_DIR=" + images,
                        "CERTS_DIR=" + ROOT.resolve("old/certs"),
                        ""));
        return env;
    }
}
