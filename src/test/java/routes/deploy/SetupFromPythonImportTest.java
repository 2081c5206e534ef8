package routes.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static routes.deploy.DeployScriptsTest.bash;
import static routes.deploy.SetupFromPythonTest.DRIVER;
import static routes.deploy.SetupFromPythonTest.OLD_UNITS;
import static routes.deploy.SetupFromPythonTest.assertInOrder;
import static routes.deploy.SetupFromPythonTest.checksums;
import static routes.deploy.SetupFromPythonTest.executable;
import static routes.deploy.SetupFromPythonTest.lines;
import static routes.deploy.SetupFromPythonTest.writeOldUnit;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import routes.config.EnvFile;
import routes.deploy.DeployScriptsTest.Result;
import routes.legacy.LegacyInstallation;
import routes.support.TestDb;

/**
 * The switch of {@code deploy/setup.sh --from-python} ({@code deploy/lib/from-python.sh}, the part after the install,
 * as {@link SetupFromPythonTest} runs it) with the REAL admin CLI ({@code TATTILE_ADMIN_CMD} = this build's
 * {@code routes.Application admin} in a new JVM) against a realistic old installation ({@link LegacyInstallation}: its
 * database, certificate folders, images and .env), importing into the test database; only {@code systemctl} is a
 * stand-in. The stand-in also records how many readings the test database holds at each call, which shows the import
 * check wrote nothing while the old units still ran and the import ran once they were stopped.
 */
class SetupFromPythonImportTest {

    static final String MOSSOS_URL = "http://127.0.0.1:9/mossos";
    static final String PRIVATE_RANGES = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8";

    @TempDir
    Path dir;

    @Test
    void theSwitchImportsTheOldInstallationForRealAndStartsTattileSenderThoughTheImportLeavesItemsForTheOperator()
            throws Exception {
        try (HikariDataSource db = TestDb.open()) {
            TestDb.reset(db);
            LegacyInstallation old =
                    LegacyInstallation.create(dir.resolve("python"), "legacy_setup_" + TestDb.NAME, MOSSOS_URL);
            try {
                switchAndImport(db, old);
            } finally {
                old.drop();
            }
        }
    }

    private void switchAndImport(HikariDataSource db, LegacyInstallation old) throws Exception {
        Path install = old.installDir();
        Path units = Files.createDirectories(dir.resolve("systemd"));
        for (String unit : OLD_UNITS) {
            writeOldUnit(units, install, unit);
        }
        String oldSenderUnit = Files.readString(units.resolve("tattile-sender.service"));

        // systemctl: records each call, with the readings in the test database at that moment, in a log and on the
        // output.
        String host = env("DB_HOST", "127.0.0.1");
        String port = env("DB_PORT", "5432");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path systemctlLog = dir.resolve("systemctl.log");
        executable(bin.resolve("systemctl"), """
                #!/bin/sh
                n=$(PGPASSWORD=tattile psql -X -q -tA -h '%s' -p '%s' -U tattile -d '%s' -c 'SELECT count(*) FROM alpr_readings' 2>&1)
                echo "$* (readings: $n)" >> '%s'
                echo "[systemctl] $*"
                """.formatted(host, port, TestDb.NAME, systemctlLog));

        // This product's .env as setup.sh writes it (from .env.example), on the test database, with its own folders.
        Path images = Files.createDirectories(dir.resolve("new/images"));
        Path certs = Files.createDirectories(dir.resolve("new/certs"));
        Path envFile = dir.resolve("new/.env");
        Files.writeString(
                envFile,
                Files.readString(Path.of(".env.example"))
                        .replace("DB_HOST=127.0.0.1", "DB_HOST=" + host)
                        .replace("DB_PORT=5432", "DB_PORT=" + port)
                        .replace("DB_NAME=tattile", "DB_NAME=" + TestDb.NAME)
                        .replace("IMAGES_BASE_DIR=/var/lib/tattile-sender/images", "IMAGES_BASE_DIR=" + images)
                        .replace("CERTS_DIR=/etc/tattile-sender/certs", "CERTS_DIR=" + certs));
        assertThat(EnvFile.read(envFile))
                .containsEntry("DB_NAME", TestDb.NAME)
                .containsEntry("DB_USER", "tattile")
                .containsEntry("DB_PASSWORD", "tattile")
                .containsEntry("IMAGES_BASE_DIR", images.toString())
                .containsEntry("CERTS_DIR", certs.toString());

        // The real admin CLI: from-python.sh splits TATTILE_ADMIN_CMD into words on white space.
        String classpath = System.getProperty("java.class.path");
        assertThat(classpath).as("TATTILE_ADMIN_CMD is split on white space").doesNotContainPattern("\\s");
        String admin = Path.of(System.getProperty("java.home"), "bin", "java") + " -cp " + classpath
                + " routes.Application admin";
        assertThat(admin).doesNotContainPattern("\\s\\s");

        SortedMap<String, String> fingerprintBefore = old.fingerprint();
        Map<String, String> filesBefore = checksums(old.root());

        Path driver = dir.resolve("driver.sh");
        Files.writeString(driver, DRIVER);
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("SYSTEMD_UNIT_DIR", units.toString());
        env.put("ENV_FILE", envFile.toString());
        env.put("TATTILE_ADMIN_CMD", admin);
        // The CLI layers the environment over the .env: nothing of the build's environment may stand in for it.
        for (String key : List.of(
                "TATTILE_ENV_FILE",
                "DB_NAME",
                "DB_USER",
                "DB_PASSWORD",
                "IMAGES_BASE_DIR",
                "CERTS_DIR",
                "DB_OWNER_USER",
                "DB_OWNER_PASSWORD_FILE")) {
            env.put(key, null);
        }
        Result r = bash(List.of("bash", driver.toString(), install.toString()), env);
        String o = r.output();
        assertThat(r.exit()).as(o).isZero();

        // Order: the import check (nothing written) while the old units run, then the units stopped, then the import,
        // then tattile-sender started although the import exited 2.
        String oldEnv = install.resolve(".env").toString();
        String cli = "env TATTILE_ENV_FILE=" + envFile + " " + admin + " import-legacy --from-env " + oldEnv;
        assertInOrder(
                o,
                "[setup] settings: " + cli + " --print-settings\n",
                "[setup]   # CAMERA_TIMEZONE=Europe/Madrid",
                "[setup] set LOG_LEVEL=WARN in " + envFile,
                "[setup] set LECTORVISION_PORT=33335 in " + envFile,
                "[setup] import check (nothing written; the old services still run): " + cli + " --dry-run\n",
                "Import plan (dry run: nothing written)\n",
                "KEY_NOT_FOUND",
                "SERIAL_REFUSED",
                "Result: finished, with items that need the operator (exit 2)\n",
                "[setup] import check: some items will need the operator (see the report above); going on",
                "[systemctl] stop tattile-ingest",
                "[systemctl] disable tattile-ingest",
                "[systemctl] stop tattile-lectorvision",
                "[systemctl] disable tattile-lectorvision",
                "[systemctl] stop tattile-api",
                "[systemctl] disable tattile-api",
                "[systemctl] stop tattile-sender",
                "[systemctl] disable tattile-sender",
                "[systemctl] daemon-reload",
                "[setup] import: " + cli + "\n",
                "Import report\n",
                "KEY_NOT_FOUND",
                "SERIAL_REFUSED",
                "admin certificate import-pfx",
                "Result: finished, with items that need the operator (exit 2)\n",
                "[setup] the import finished, but some items need the operator",
                "[systemctl] enable tattile-sender",
                "[systemctl] restart tattile-sender",
                "[setup] summary of the switch",
                "cameras on port 33334, HTTP API on 8000, Lector Vision on 33335",
                "the import left items for the operator",
                "rollback to the Python TattileSender");
        assertThat(o)
                .doesNotContain("the import failed")
                .doesNotContain("ignored (not KEY=VALUE)")
                .doesNotContain(LegacyInstallation.DB_PASSWORD);
        assertThat(lines(systemctlLog))
                .as("no reading imported before the old units were stopped; all of them before tattile-sender starts")
                .containsExactly(
                        "stop tattile-ingest (readings: 0)",
                        "disable tattile-ingest (readings: 0)",
                        "stop tattile-lectorvision (readings: 0)",
                        "disable tattile-lectorvision (readings: 0)",
                        "stop tattile-api (readings: 0)",
                        "disable tattile-api (readings: 0)",
                        "stop tattile-sender (readings: 0)",
                        "disable tattile-sender (readings: 0)",
                        "daemon-reload (readings: 0)",
                        "enable tattile-sender (readings: 10)",
                        "restart tattile-sender (readings: 10)");
        assertThat(units.resolve("tattile-sender-python.service.disabled")).hasContent(oldSenderUnit);
        assertThat(units.resolve("tattile-sender.service"))
                .hasSameTextualContentAs(Path.of("deploy/systemd/tattile-sender.service"));

        // The import, in the test database and this product's folders.
        assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings")).isEqualTo(10);
        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue")).isEqualTo(10);
        assertThat(TestDb.count(db, "SELECT count(*) FROM municipalities")).isEqualTo(4);
        assertThat(TestDb.count(db, "SELECT count(*) FROM endpoints")).isEqualTo(2);
        assertThat(TestDb.count(db, "SELECT count(*) FROM certificates")).isEqualTo(3);
        assertThat(TestDb.count(db, "SELECT count(*) FROM legacy_import_map")).isPositive();
        for (String name : List.of("MOSSOS_gi", "salt")) {
            Path key = certs.resolve(name).resolve("key.pem");
            assertThat(key)
                    .as("a certificate the import wrote under our CERTS_DIR")
                    .isRegularFile();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                    .as(name)
                    .isEqualTo("rw-------");
        }
        assertThat(certs.resolve("MOSSOS_celra"))
                .as("no usable key: left to the operator")
                .doesNotExist();
        try (Stream<Path> files = Files.walk(images)) {
            assertThat(files.filter(Files::isRegularFile).count())
                    .as("the readings' images copied under our IMAGES_BASE_DIR")
                    .isPositive();
        }

        // This product's .env: the translated settings, LECTORVISION_PORT of the old unit, its own database kept.
        Map<String, String> ours = EnvFile.read(envFile);
        assertThat(ours)
                .containsEntry("LECTORVISION_PORT", "33335")
                .containsEntry("LECTORVISION_ALLOWED_SOURCES", PRIVATE_RANGES)
                .containsEntry("TRANSIT_PORT", "33334")
                .containsEntry("LOG_LEVEL", "WARN")
                .containsEntry("SENDER_LEASE_SECONDS", "300")
                .containsEntry("SENDER_DEFAULT_RETRY_MAX", "2")
                .containsEntry("SENDER_POLL_INTERVAL_SECONDS", "5")
                .containsEntry("SENDER_DEFAULT_BACKOFF_MS", "1000")
                .containsEntry("SENDER_DEAD_RETENTION_DAYS", "1")
                .containsEntry("MOSSOS_ENDPOINT_URL", MOSSOS_URL)
                .containsEntry("MOSSOS_WSDL_URL", MOSSOS_URL + "?wsdl")
                .as("tattile-sender keeps its own database")
                .containsEntry("DB_NAME", TestDb.NAME)
                .containsEntry("DB_USER", "tattile")
                .containsEntry("DB_PASSWORD", "tattile")
                .containsEntry("IMAGES_BASE_DIR", images.toString())
                .containsEntry("CERTS_DIR", certs.toString());
        assertThat(Files.readString(envFile))
                .doesNotContain(old.dbName())
                .doesNotContain(LegacyInstallation.DB_USER)
                .doesNotContain(LegacyInstallation.DB_PASSWORD);

        // The old side: its database, install folder and data only read.
        assertThat(old.fingerprint())
                .as("the old database and files are unchanged")
                .isEqualTo(fingerprintBefore);
        assertThat(checksums(old.root()))
                .as("the old installation's folders are unchanged")
                .isEqualTo(filesBefore);
    }

    private static String env(String key, String fallback) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? fallback : v;
    }
}
