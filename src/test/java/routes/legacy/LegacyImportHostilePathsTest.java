package routes.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.support.Cli;
import routes.support.TestDb;
import routes.support.TestFiles;

/**
 * The import runs as root and an old row's image path is only text: a path naming a file that is not a camera image
 * (a system file, a link) is not copied, and the reading comes in without it, reported.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LegacyImportHostilePathsTest {

    static final Path ROOT = Path.of("target/legacy-hostile-paths").toAbsolutePath();
    static final String OLD_DB = "legacy_hostile_" + TestDb.NAME;

    private final HikariDataSource db = TestDb.open();

    @BeforeAll
    void oldRowsWithHostileImagePaths() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(ROOT);
        Path images = Files.createDirectories(ROOT.resolve("old/images"));
        Files.createDirectories(ROOT.resolve("old/certs"));
        Path secret = ROOT.resolve("old/secret.txt");
        Files.writeString(secret, "root:$6$not-an-image");
        Path jpegOutside = ROOT.resolve("old/outside.jpg");
        Files.write(jpegOutside, LegacyImages.jpeg("outside"));
        Files.createDirectories(images.resolve("CAM1/2026/11/28"));
        Files.createSymbolicLink(images.resolve("CAM1/2026/11/28/link_ocr.jpg"), jpegOutside);
        Files.write(images.resolve("CAM1/2026/11/28/good_ocr.jpg"), LegacyImages.jpeg("good"));
        LegacyDatabase.ensureRole();
        LegacyDatabase.recreate(OLD_DB);
        LegacyDatabase.applySchema(OLD_DB);
        try (Connection c = LegacyDatabase.connect(OLD_DB);
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO municipalities (id, name) VALUES (1, 'Girona')");
            s.execute(
                    "INSERT INTO cameras (id, serial_number, codigo_lector, municipality_id) VALUES (1, 'CAM1', 'GI-01', 1)");
            String[][] readings = {
                {"1", "1111AAA", secret.toString()},
                {"2", "2222BBB", "CAM1/2026/11/28/link_ocr.jpg"},
                {"3", "3333CCC", "CAM1/2026/11/28/good_ocr.jpg"},
                {"4", "4444DDD", "/etc/passwd"}
            };
            for (String[] r : readings) {
                s.execute(
                        "INSERT INTO alpr_readings (id, camera_id, device_sn, plate, timestamp_utc, has_image_ocr, image_ocr_path) VALUES ("
                                + r[0] + ", 1, 'CAM1', '" + r[1] + "', '2026-11-28 10:0" + r[0] + ":00+00', true, '"
                                + r[2] + "')");
                s.execute("INSERT INTO messages_queue (reading_id, status) VALUES (" + r[0] + ", 'PENDING')");
            }
        }
        Files.writeString(
                ROOT.resolve("old/.env"),
                String.join(
                        "\n",
                        "DB_HOST=127.0.0.1",
                        "DB_PORT=" + LegacyDatabase.port(),
                        "DB_NAME=" + OLD_DB,
                        "DB_USER=" + LegacyDatabase.USER,
                        "DB_PASSWORD=" + LegacyDatabase.PASSWORD,
                        "IMAGES_BASE_DIR=" + images,
                        "CERTS_DIR=" + ROOT.resolve("old/certs"),
                        ""));
        Files.writeString(
                ROOT.resolve("new.env"),
                String.join(
                        "\n",
                        "DB_HOST=127.0.0.1",
                        "DB_NAME=" + TestDb.NAME,
                        "DB_USER=tattile",
                        "DB_PASSWORD=tattile",
                        "IMAGES_BASE_DIR=" + ROOT.resolve("new/images"),
                        "CERTS_DIR=" + ROOT.resolve("new/certs"),
                        ""));
    }

    @AfterAll
    void close() throws Exception {
        LegacyDatabase.drop(OLD_DB);
        db.close();
    }

    @Test
    void anImagePathNamingASystemFileOrALinkIsNotCopiedAndTheReadingComesInWithoutIt() throws Exception {
        Cli.Run run = new Cli(ROOT.resolve("new.env"))
                .run(
                        "admin",
                        "import-legacy",
                        "--from-env",
                        ROOT.resolve("old/.env").toString(),
                        "--json");
        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.json().get("needs_operator").toString())
                .contains(
                        "not camera images",
                        ROOT.resolve("old/secret.txt") + " (not a JPEG)",
                        "/etc/passwd (not a JPEG)");
        assertThat(TestDb.text(
                        db, "SELECT string_agg(plate || ':' || has_image_ocr, ',' ORDER BY plate) FROM alpr_readings"))
                .isEqualTo("1111AAA:false,2222BBB:false,3333CCC:true,4444DDD:false");
        assertThat(TestFiles.regularFiles(ROOT.resolve("new/images")))
                .hasSize(1)
                .allSatisfy(p -> assertThat(p).hasBinaryContent(LegacyImages.jpeg("good")));
    }
}
