package routes.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import routes.legacy.LegacyExpected.Cam;
import routes.support.Cli;
import routes.support.TestDb;
import routes.support.TestFiles;

/**
 * An import killed half-way (kill -9, batches committed and one in flight) and run again ends exactly where an
 * uninterrupted import ends: same rows, same ids, same files, nothing left over.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LegacyImportResumeTest {

    static final Path ROOT = Path.of("target/legacy-resume").toAbsolutePath();
    static final Path IMAGES = ROOT.resolve("new/images");
    static final Path CERTS = ROOT.resolve("new/certs");
    /** Enough readings for many batches of {@link LegacyReadingImport#BATCH}, so the kill lands between two commits. */
    static final int EXTRA_READINGS = 1500;

    private final HikariDataSource db = TestDb.open();
    private LegacyInstallation old;
    private Path ourEnv;

    @BeforeAll
    void aLargeOldInstallation() throws Exception {
        TestFiles.deleteTree(ROOT.resolve("new"));
        old = LegacyInstallation.create(
                ROOT.resolve("old"), "legacy_resume_" + TestDb.NAME, "http://127.0.0.1:9/matricules");
        int camera = old.expected().cameras().get(Cam.GI_001).id();
        LocalDateTime start = LocalDateTime.parse("2026-11-27T08:00:00");
        try (Connection c = old.dataSource().getConnection();
                PreparedStatement reading = c.prepareStatement("""
                     INSERT INTO alpr_readings (camera_id, device_sn, plate, timestamp_utc, has_image_ocr, has_image_ctx, image_ocr_path,
                         image_ctx_path) VALUES (?, 'TAT-GI-001', ?, ?::timestamp AT TIME ZONE 'UTC', true, true, ?, ?) RETURNING id""");
                PreparedStatement queue =
                        c.prepareStatement("INSERT INTO messages_queue (reading_id, status) VALUES (?, 'PENDING')")) {
            byte[] ocrJpeg = LegacyImages.jpeg("extra-ocr");
            byte[] ctxJpeg = LegacyImages.jpeg("extra-ctx");
            for (int i = 0; i < EXTRA_READINGS; i++) {
                LocalDateTime t = start.plusSeconds(7L * i);
                String plate = String.format("%04dXYZ", i);
                String ocr = LegacyImages.relativePath("TAT-GI-001", t, plate, "ocr");
                String ctx = LegacyImages.relativePath("TAT-GI-001", t, plate, "ctx");
                write(old.imagesDir().resolve(ocr), ocrJpeg);
                write(old.imagesDir().resolve(ctx), ctxJpeg);
                reading.setInt(1, camera);
                reading.setString(2, plate);
                reading.setString(3, t.toString());
                reading.setString(4, ocr);
                reading.setString(5, ctx);
                try (var rs = reading.executeQuery()) {
                    rs.next();
                    queue.setInt(1, rs.getInt(1));
                }
                queue.executeUpdate();
            }
        }
        ourEnv = ROOT.resolve("new/.env");
        Files.createDirectories(ourEnv.getParent());
        Files.writeString(
                ourEnv,
                String.join(
                        "\n",
                        "DB_HOST=127.0.0.1",
                        "DB_NAME=" + TestDb.NAME,
                        "DB_USER=tattile",
                        "DB_PASSWORD=tattile",
                        "IMAGES_BASE_DIR=" + IMAGES,
                        "CERTS_DIR=" + CERTS,
                        ""));
    }

    @AfterAll
    void close() throws Exception {
        old.drop();
        db.close();
    }

    @Test
    @Order(1)
    void anImportKilledHalfWayResumesToTheSameResultAsAnUninterruptedOne() throws Exception {
        SortedMap<String, String> before = old.fingerprint();
        long total = EXTRA_READINGS + 12; // every queue row of the fixture but the refused camera's is mapped once
        clean();
        Cli.Run uninterrupted = new Cli(ourEnv)
                .run("admin", "import-legacy", "--from-env", old.envFile().toString());
        assertThat(uninterrupted.exit()).as(uninterrupted.err()).isEqualTo(2);
        String expected = state();
        assertThat(TestDb.count(db, "SELECT count(*) FROM legacy_import_map WHERE entity = 'queue'"))
                .isEqualTo(total);

        clean();
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "routes.Application",
                        "admin",
                        "import-legacy",
                        "--from-env",
                        old.envFile().toString(),
                        "--env-file",
                        ourEnv.toString())
                .redirectErrorStream(true)
                .redirectOutput(ROOT.resolve("killed-import.log").toFile())
                .start();
        long[] seen = new long[1];
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> {
                    seen[0] = TestDb.count(db, "SELECT count(*) FROM legacy_import_map WHERE entity = 'queue'");
                    return seen[0] > 0 || !child.isAlive();
                });
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long atKill = TestDb.count(db, "SELECT count(*) FROM legacy_import_map WHERE entity = 'queue'");
        assertThat(atKill)
                .as("killed after a batch committed and before the last (" + seen[0] + " seen)")
                .isBetween(1L, total - 1);

        Cli.Run resumed = new Cli(ourEnv)
                .run("admin", "import-legacy", "--from-env", old.envFile().toString(), "--json");
        assertThat(resumed.exit()).as(resumed.err()).isEqualTo(2);
        assertThat(resumed.json()
                        .get("entities")
                        .get("readings")
                        .get("already_imported")
                        .asLong())
                .isEqualTo(atKill);
        assertThat(state())
                .as("the same rows, ids and files as the uninterrupted import, nothing left over")
                .isEqualTo(expected);
        assertThat(old.fingerprint())
                .as("the old database and files are unchanged")
                .isEqualTo(before);
    }

    @Test
    @Order(2)
    void foldersMovedSinceAreFoundThroughImagesDirAndCertsDir() throws Exception {
        clean();
        Path moved = ROOT.resolve("moved");
        TestFiles.deleteTree(moved);
        Files.createDirectories(moved);
        // The rows still name the old folders (absolute paths, and paths relative to the old working directory).
        Files.move(old.imagesDir(), moved.resolve("images"));
        Files.move(old.certsDir(), moved.resolve("certs"));
        try {
            Cli cli = new Cli(ourEnv);
            assertThat(cli.fails(
                            1,
                            "admin",
                            "import-legacy",
                            "--from-env",
                            old.envFile().toString()))
                    .contains("images folder " + old.imagesDir(), "does not exist");
            Cli.Run run = cli.run(
                    "admin",
                    "import-legacy",
                    "--from-env",
                    old.envFile().toString(),
                    "--images-dir",
                    moved.resolve("images").toString(),
                    "--certs-dir",
                    moved.resolve("certs").toString(),
                    "--json");
            assertThat(run.exit()).as(run.err()).isEqualTo(2);
            assertThat(LegacyImportTest.counts(run.json(), "certificates"))
                    .as("absolute and relative certificate paths re-rooted")
                    .isEqualTo("3/0/KEY_NOT_FOUND=1!");
            assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings WHERE has_image_ocr"))
                    .as("images found under --images-dir, whatever form their path has")
                    .isEqualTo(EXTRA_READINGS + 9);
        } finally {
            Files.move(moved.resolve("images"), old.imagesDir());
            Files.move(moved.resolve("certs"), old.certsDir());
        }
    }

    private void clean() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(IMAGES);
        TestFiles.deleteTree(CERTS);
    }

    /** Everything the import writes that does not depend on when it ran. */
    private String state() throws Exception {
        StringBuilder b = new StringBuilder();
        b.append(TestDb.text(
                        db,
                        "SELECT string_agg(concat_ws('|', id, plate, timestamp_utc, device_sn, camera_id, image_ocr_path, image_ctx_path, "
                                + "received_at), E'\\n' ORDER BY id) FROM alpr_readings"))
                .append('\n');
        b.append(
                        TestDb.text(
                                db,
                                "SELECT string_agg(concat_ws('|', id, reading_id, status, attempts, last_error, created_at, "
                                        + "CASE WHEN status = 'FAILED' AND last_error IS DISTINCT FROM 'SENDING_TIMEOUT_RECOVERED' THEN next_attempt_at END), E'\\n' ORDER BY id) FROM messages_queue"))
                .append('\n');
        b.append(
                        TestDb.text(
                                db,
                                "SELECT string_agg(concat_ws('|', entity, old_id, new_id, note), E'\\n' ORDER BY entity, old_id) FROM legacy_import_map"))
                .append('\n');
        for (String table : new String[] {"endpoints", "municipalities", "certificates"}) {
            b.append(TestDb.text(db, "SELECT string_agg(concat_ws('|', id, name), ',' ORDER BY id) FROM " + table))
                    .append('\n');
        }
        b.append(
                        TestDb.text(
                                db,
                                "SELECT string_agg(concat_ws('|', id, serial_number, municipality_id), ',' ORDER BY id) FROM cameras"))
                .append('\n');
        b.append(files(IMAGES)).append(files(CERTS));
        return b.toString();
    }

    private static SortedMap<String, String> files(Path base) throws Exception {
        SortedMap<String, String> out = new TreeMap<>();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Path p : TestFiles.regularFiles(base)) {
            out.put(base.relativize(p).toString(), HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
        }
        return out;
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        List<Path> all = new ArrayList<>();
        try (var walk = Files.walk(from)) {
            walk.forEach(all::add);
        }
        for (Path p : all) {
            Path target = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
                Files.createDirectories(target);
            } else {
                Files.copy(p, target);
            }
        }
    }
}
