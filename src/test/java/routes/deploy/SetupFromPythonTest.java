package routes.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static routes.deploy.DeployScriptsTest.bash;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import routes.config.EnvFile;
import routes.deploy.DeployScriptsTest.Result;
import routes.legacy.LegacySettingsTest;

/**
 * {@code deploy/setup.sh --from-python}: taking over a running Python TattileSender in place. The plan in --dry-run, and
 * the switch itself ({@code deploy/lib/from-python.sh}, what setup.sh runs after installing) for real against a fake
 * old installation: its .env and unit files in temporary folders, stand-ins for {@code systemctl} and the admin CLI
 * ({@code TATTILE_ADMIN_CMD}) that record their arguments. The install steps before the switch need root; they are
 * covered in --dry-run by {@link DeployScriptsTest}.
 */
class SetupFromPythonTest {

    static final List<String> OLD_UNITS =
            List.of("tattile-api", "tattile-ingest", "tattile-sender", "tattile-lectorvision");

    /** The switch as setup.sh runs it, with the paths of the test (setup.sh's own are fixed under /etc, /opt, /var). */
    static final String DRIVER = """
            set -euo pipefail
            DRY_RUN=false
            APP_USER=$(id -un)
            OPT=/nonexistent/opt/tattile-sender
            JAR=pom.xml
            UNIT=$SYSTEMD_UNIT_DIR/tattile-sender.service
            say() { echo "[setup] $*"; }
            run() { if $DRY_RUN; then echo "WOULD: $*"; else "$@"; fi; }
            . deploy/lib/from-python.sh
            fp_preflight "$@"
            fp_switch
            """;

    /** What the stand-in admin CLI prints for --print-settings. */
    static final String FAKE_SETTINGS = """
            # tattile-sender settings from the old TattileSender's .env
            TRANSIT_PORT=33340
            # from SENDER_STUCK_TIMEOUT_SECONDS=300
            SENDER_LEASE_SECONDS=300
            SENDER_DEFAULT_RETRY_MAX=2
            LOG_LEVEL=WARN
            MOSSOS_WSDL_URL="file:/srv/old wsdl/matricules.wsdl"
            DB_HOST=old-database-host
            # CAMERA_TIMEZONE=Europe/Madrid
            """;

    @TempDir
    Path dir;

    Path old;
    Path units;
    Path bin;
    Path systemctlLog;
    Path adminLog;
    Path envFile;
    Path images;
    Path certs;

    @BeforeEach
    void aPythonInstallationAndStandIns() throws Exception {
        old = Files.createDirectories(dir.resolve("root/TattileSender"));
        Files.writeString(
                old.resolve(".env"),
                LegacySettingsTest.OLD_EXAMPLE.replace("TRANSIT_PORT=33334", "TRANSIT_PORT=33340"));
        Files.createDirectories(old.resolve("app"));
        Files.writeString(old.resolve("app/config.py"), "# the old code\n");
        units = Files.createDirectories(dir.resolve("systemd"));
        for (String unit : OLD_UNITS) {
            writeOldUnit(unit);
        }
        bin = Files.createDirectories(dir.resolve("bin"));
        systemctlLog = dir.resolve("systemctl.log");
        adminLog = dir.resolve("admin.log");
        Files.writeString(dir.resolve("fake-settings"), FAKE_SETTINGS);
        executable(bin.resolve("systemctl"), "#!/bin/sh\necho \"$*\" >> '" + systemctlLog + "'\n");
        // Exit codes from FAKE_CHECK_RC (the --dry-run import check) and FAKE_IMPORT_RC (the import).
        executable(bin.resolve("fake-admin"), """
                #!/bin/sh
                echo "TATTILE_ENV_FILE=$TATTILE_ENV_FILE $*" >> '%s'
                case "$*" in
                  *--print-settings*) cat '%s'; exit 0 ;;
                  *--dry-run*) echo "fake report: 3 readings would be imported"; exit "${FAKE_CHECK_RC:-0}" ;;
                  *) echo "fake report: 3 readings imported"; exit "${FAKE_IMPORT_RC:-0}" ;;
                esac
                """.formatted(adminLog, dir.resolve("fake-settings")));
        images = Files.createDirectories(dir.resolve("var/images"));
        certs = Files.createDirectories(dir.resolve("etc/certs"));
        envFile = dir.resolve("etc/.env");
        // This product's .env as setup.sh writes it (from .env.example), with one value an operator changed.
        Files.writeString(
                envFile,
                Files.readString(Path.of(".env.example"))
                        .replace("IMAGES_BASE_DIR=/var/lib/tattile-sender/images", "IMAGES_BASE_DIR=" + images)
                        .replace("CERTS_DIR=/etc/tattile-sender/certs", "CERTS_DIR=" + certs)
                        .replace("SENDER_DEFAULT_RETRY_MAX=10", "SENDER_DEFAULT_RETRY_MAX=4"));
    }

    void writeOldUnit(String unit) throws IOException {
        writeOldUnit(units, old, unit);
    }

    /** An old unit file in {@code units} as the old product installs it, running from {@code old}. */
    static void writeOldUnit(Path units, Path old, String unit) throws IOException {
        String exec = switch (unit) {
            case "tattile-api" -> "uvicorn app.api.main:app --host 0.0.0.0 --port 8000";
            case "tattile-lectorvision" -> "uvicorn app.api.lectorvision:app --host 0.0.0.0 --port 33335";
            case "tattile-ingest" -> "python -m app.ingest.main";
            default -> "python -m app.sender.main";
        };
        Files.writeString(
                units.resolve(unit + ".service"),
                "[Unit]\nDescription=TattileSender " + unit + "\n\n[Service]\nWorkingDirectory=" + old
                        + "\nEnvironmentFile=" + old + "/.env\nExecStart=" + old + "/.venv/bin/" + exec
                        + "\nUser=root\n\n[Install]\nWantedBy=multi-user.target\n");
    }

    static void executable(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }

    /** Every file under the folders: its path and SHA-256 (folders as "dir"). */
    static Map<String, String> checksums(Path... roots) throws Exception {
        Map<String, String> sums = new TreeMap<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.toList()) {
                    sums.put(
                            p.toString(),
                            Files.isDirectory(p)
                                    ? "dir"
                                    : HexFormat.of()
                                            .formatHex(MessageDigest.getInstance("SHA-256")
                                                    .digest(Files.readAllBytes(p))));
                }
            }
        }
        return sums;
    }

    Map<String, String> environment(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(more);
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("SYSTEMD_UNIT_DIR", units.toString());
        return env;
    }

    /** The switch part of setup.sh, for real. */
    Result switchForReal(Map<String, String> more, String... args) throws Exception {
        Path driver = dir.resolve("driver.sh");
        Files.writeString(driver, DRIVER);
        Map<String, String> env = environment(more);
        env.put("ENV_FILE", envFile.toString());
        env.put("TATTILE_ADMIN_CMD", bin.resolve("fake-admin").toString());
        List<String> command = new ArrayList<>(List.of("bash", driver.toString()));
        command.addAll(List.of(args));
        return bash(command, env);
    }

    static void assertInOrder(String output, String... steps) {
        int at = -1;
        for (String step : steps) {
            int next = output.indexOf(step, at + 1);
            assertThat(next)
                    .as("step '%s' after position %d in:\n%s", step, at, output)
                    .isGreaterThan(at);
            at = next;
        }
    }

    static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    @Test
    void dryRunPlansEveryStepInOrderAndChangesNothing() throws Exception {
        Map<String, String> before = checksums(dir);
        Result r = bash(
                List.of("bash", "deploy/setup.sh", "--dry-run", "--jar", "pom.xml", "--from-python", old.toString()),
                environment(Map.of()));
        assertThat(r.exit()).as(r.output()).isZero();
        String o = r.output();
        String u = units.toString();
        assertInOrder(
                o,
                "[setup] from-python: the old TattileSender in " + old + " (settings " + old + "/.env)",
                "its units in " + u + ": tattile-ingest tattile-lectorvision tattile-api tattile-sender",
                "the old database tattile_sender (role tattile_user) is only read",
                "WOULD: install -d -m 0755 /opt/tattile-sender",
                "db migrate",
                "[setup] settings: env TATTILE_ENV_FILE=/etc/tattile-sender/.env java -jar /opt/tattile-sender/tattile-sender.jar admin import-legacy --from-env "
                        + old + "/.env --print-settings",
                "WOULD: apply the KEY=VALUE lines it prints",
                "WOULD: set TRANSIT_PORT=33340 in /etc/tattile-sender/.env",
                "WOULD: set LECTORVISION_PORT=33335 in /etc/tattile-sender/.env",
                "WARNING: LECTORVISION_ALLOWED_SOURCES=10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8",
                "WOULD: set LECTORVISION_ALLOWED_SOURCES=10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8 in /etc/tattile-sender/.env",
                "admin import-legacy --from-env " + old + "/.env --dry-run (checks the import",
                "WOULD: systemctl stop tattile-ingest",
                "WOULD: systemctl disable tattile-ingest",
                "WOULD: systemctl stop tattile-lectorvision",
                "WOULD: systemctl disable tattile-lectorvision",
                "WOULD: systemctl stop tattile-api",
                "WOULD: systemctl disable tattile-api",
                "WOULD: systemctl stop tattile-sender",
                "WOULD: systemctl disable tattile-sender",
                "WOULD: mv -f " + u + "/tattile-sender.service " + u + "/tattile-sender-python.service.disabled",
                "WOULD: install -m 0644 deploy/systemd/tattile-sender.service " + u + "/tattile-sender.service",
                "WOULD: systemctl daemon-reload",
                "WOULD: env TATTILE_ENV_FILE=/etc/tattile-sender/.env java -jar /opt/tattile-sender/tattile-sender.jar admin import-legacy --from-env "
                        + old + "/.env\n",
                "WOULD: find /var/lib/tattile-sender/images -mindepth 1 ! -user tattile -exec chown -h tattile:tattile {} +",
                "WOULD: systemctl enable tattile-sender",
                "WOULD: systemctl restart tattile-sender",
                "summary of the switch",
                "cameras on port 33340, HTTP API on 8000, Lector Vision on 33335",
                "rollback to the Python TattileSender",
                "systemctl disable --now tattile-sender",
                "cp -p " + u + "/tattile-sender-python.service.disabled " + u + "/tattile-sender.service",
                "systemctl daemon-reload",
                "systemctl enable --now tattile-ingest tattile-lectorvision tattile-api tattile-sender",
                "may send them again",
                "[setup] done\n");
        assertThat(o).doesNotContain("WOULD: systemctl restart tattile-sender\nWOULD: systemctl restart");
        assertThat(o.indexOf("WOULD: mv -f " + u + "/tattile-sender.service"))
                .as("the old unit is kept before ours is written")
                .isLessThan(o.indexOf("WOULD: install -m 0644 deploy/systemd/tattile-sender.service"));
        assertThat(o).doesNotContain("change_me");
        assertThat(checksums(dir)).as("a dry run changes nothing").isEqualTo(before);
    }

    @Test
    void dryRunRunsOnlyTheReadOnlyAdminCommands() throws Exception {
        Map<String, String> before = checksums(old, units);
        Result r = bash(
                List.of(
                        "bash",
                        "deploy/setup.sh",
                        "--dry-run",
                        "--jar",
                        "pom.xml",
                        "--from-python",
                        old.toString(),
                        "--lectorvision-sources",
                        "192.0.2.10/32"),
                environment(
                        Map.of("TATTILE_ADMIN_CMD", bin.resolve("fake-admin").toString())));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output())
                .contains(
                        "[setup]   # CAMERA_TIMEZONE=Europe/Madrid",
                        "WOULD: set LECTORVISION_ALLOWED_SOURCES=192.0.2.10/32 in")
                .containsPattern(
                        "WOULD: set SENDER_LEASE_SECONDS=300 in /etc/tattile-sender/.env|keeping SENDER_LEASE_SECONDS")
                .contains("ignored: DB_HOST")
                .doesNotContain("WARNING: LECTORVISION_ALLOWED_SOURCES");
        assertThat(lines(adminLog))
                .isNotEmpty()
                .allSatisfy(l -> assertThat(l).containsAnyOf("--print-settings", "--dry-run"));
        assertThat(lines(systemctlLog)).isEmpty();
        assertThat(checksums(old, units)).isEqualTo(before);
    }

    @Test
    void aMissingOldInstallationOrEnvStopsBeforeAnyChange() throws Exception {
        for (Path missing : List.of(dir.resolve("nowhere"), Files.createDirectories(dir.resolve("empty")))) {
            Result r = bash(
                    List.of(
                            "bash",
                            "deploy/setup.sh",
                            "--dry-run",
                            "--jar",
                            "pom.xml",
                            "--from-python",
                            missing.toString()),
                    environment(Map.of()));
            assertThat(r.exit()).as(r.output()).isEqualTo(1);
            assertThat(r.output().strip().lines()).hasSize(1).first().asString().startsWith("--from-python: ");
        }
    }

    @Test
    void onAFirstInstallTheOldProductsRoleNameIsLeftToItAndOursGetsAnother() throws Exception {
        Files.writeString(old.resolve(".env"), "DB_NAME=tattile_sender\ndb_user=tattile\nDB_PASSWORD=OldSecret99\n");
        Result r = bash(
                List.of("bash", "deploy/setup.sh", "--dry-run", "--jar", "pom.xml", "--from-python", old.toString()),
                environment(Map.of()));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output())
                .contains(
                        "tattile-sender's new .env gets DB_NAME=tattile, DB_USER=tattile_sender, DB_OWNER_USER=tattile_owner")
                .contains("WOULD: create or update role tattile_sender (the service's")
                .doesNotContain("role tattile (the service's")
                .doesNotContain("OldSecret99");
    }

    @Test
    void anOldDatabaseRoleWithTheNameOfAnExistingInstallsRoleStopsBeforeAnyChange() throws Exception {
        Files.writeString(old.resolve(".env"), "DB_NAME=tattile_sender\ndb_user=tattile\nDB_PASSWORD=OldSecret99\n");
        Result r = switchForReal(Map.of(), old.toString());
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        assertThat(r.output())
                .contains("the old database role 'tattile' is also tattile-sender's DB_USER")
                .doesNotContain("OldSecret99");
        assertThat(lines(systemctlLog)).as("nothing stopped").isEmpty();
    }

    @Test
    void theSwitchStopsTheOldUnitsKeepsItsSenderUnitTranslatesTheSettingsAndStartsTattileSender() throws Exception {
        String oldSenderUnit = Files.readString(units.resolve("tattile-sender.service"));
        Map<String, String> oldBefore = checksums(old);
        Result r = switchForReal(Map.of(), old.toString());
        assertThat(r.exit()).as(r.output()).isZero();

        assertThat(lines(systemctlLog))
                .containsExactly(
                        "stop tattile-ingest",
                        "disable tattile-ingest",
                        "stop tattile-lectorvision",
                        "disable tattile-lectorvision",
                        "stop tattile-api",
                        "disable tattile-api",
                        "stop tattile-sender",
                        "disable tattile-sender",
                        "daemon-reload",
                        "enable tattile-sender",
                        "restart tattile-sender");
        assertThat(units.resolve("tattile-sender-python.service.disabled")).hasContent(oldSenderUnit);
        assertThat(units.resolve("tattile-sender.service"))
                .hasSameTextualContentAs(Path.of("deploy/systemd/tattile-sender.service"));
        for (String unit : List.of("tattile-api", "tattile-ingest", "tattile-lectorvision")) {
            assertThat(units.resolve(unit + ".service"))
                    .as("kept for a rollback")
                    .exists();
        }

        assertThat(lines(adminLog))
                .containsExactly(
                        "TATTILE_ENV_FILE=" + envFile + " import-legacy --from-env " + old + "/.env --print-settings",
                        "TATTILE_ENV_FILE=" + envFile + " import-legacy --from-env " + old + "/.env --dry-run",
                        "TATTILE_ENV_FILE=" + envFile + " import-legacy --from-env " + old + "/.env");
        assertThat(r.output())
                .contains(
                        "fake report: 3 readings imported",
                        "[setup]   # CAMERA_TIMEZONE=Europe/Madrid",
                        "summary of the switch",
                        "rollback to the Python TattileSender");

        Map<String, String> env = EnvFile.read(envFile);
        assertThat(env)
                .containsEntry("TRANSIT_PORT", "33340")
                .containsEntry("SENDER_LEASE_SECONDS", "300")
                .containsEntry("LOG_LEVEL", "WARN")
                .containsEntry("MOSSOS_WSDL_URL", "file:/srv/old wsdl/matricules.wsdl")
                .as("the operator's value is kept")
                .containsEntry("SENDER_DEFAULT_RETRY_MAX", "4")
                .as("the old database is not ours")
                .containsEntry("DB_HOST", "127.0.0.1")
                .containsEntry("LECTORVISION_PORT", "33335")
                .containsEntry("LECTORVISION_ALLOWED_SOURCES", "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8");
        String text = Files.readString(envFile);
        assertThat(text)
                .contains("\nTRANSIT_PORT=33340\n")
                .doesNotContain("TRANSIT_PORT=33334")
                .doesNotContain("old-database-host")
                .contains("MOSSOS_WSDL_URL=\"file:/srv/old wsdl/matricules.wsdl\"");
        assertThat(r.output())
                .contains("keeping SENDER_DEFAULT_RETRY_MAX=4")
                .contains("WARNING: LECTORVISION_ALLOWED_SOURCES");
        assertThat(checksums(old)).as("the old install folder is only read").isEqualTo(oldBefore);
    }

    @Test
    void withoutTheLectorVisionUnitNoLectorVisionPortAndTheGivenSources() throws Exception {
        Files.delete(units.resolve("tattile-lectorvision.service"));
        Files.writeString(envFile, Files.readString(envFile) + "LECTORVISION_ALLOWED_SOURCES=10.9.9.9/32\n");
        Result r = switchForReal(Map.of(), old.toString(), "192.0.2.0/28,198.51.100.7");
        assertThat(r.exit()).as(r.output()).isZero();
        Map<String, String> env = EnvFile.read(envFile);
        assertThat(env.getOrDefault("LECTORVISION_PORT", ""))
                .as(".env.example's empty value kept: the port stays off")
                .isEmpty();
        assertThat(env).containsEntry("LECTORVISION_ALLOWED_SOURCES", "192.0.2.0/28,198.51.100.7");
        assertThat(lines(systemctlLog))
                .doesNotContain("stop tattile-lectorvision")
                .contains("stop tattile-ingest", "restart tattile-sender");
    }

    @Test
    void privateRangesOnlyWhenNoLectorVisionSourcesAreSetYet() throws Exception {
        Files.writeString(envFile, Files.readString(envFile) + "LECTORVISION_ALLOWED_SOURCES=10.9.9.9/32\n");
        Result r = switchForReal(Map.of(), old.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(EnvFile.read(envFile)).containsEntry("LECTORVISION_ALLOWED_SOURCES", "10.9.9.9/32");
        assertThat(r.output()).doesNotContain("WARNING: LECTORVISION_ALLOWED_SOURCES");
    }

    @Test
    void aFailedImportLeavesTattileSenderStoppedAndPrintsTheWayBack() throws Exception {
        Map<String, String> oldBefore = checksums(old);
        Result r = switchForReal(Map.of("FAKE_IMPORT_RC", "1"), old.toString());
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        assertThat(lines(systemctlLog))
                .contains("stop tattile-sender", "disable tattile-sender")
                .doesNotContain("enable tattile-sender", "restart tattile-sender", "start tattile-sender");
        assertThat(r.output())
                .contains("the import failed (exit 1")
                .contains("rollback to the Python TattileSender")
                .contains("cp -p " + units + "/tattile-sender-python.service.disabled " + units
                        + "/tattile-sender.service")
                .doesNotContain("summary of the switch");
        assertThat(units.resolve("tattile-sender-python.service.disabled")).exists();
        assertThat(checksums(old)).isEqualTo(oldBefore);
    }

    @Test
    void aFailedImportCheckStopsWhileTheOldServicesStillRun() throws Exception {
        Map<String, String> unitsBefore = checksums(units);
        Result r = switchForReal(Map.of("FAKE_CHECK_RC", "1"), old.toString());
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        assertThat(lines(systemctlLog)).isEmpty();
        assertThat(checksums(units)).isEqualTo(unitsBefore);
        assertThat(lines(adminLog)).noneMatch(l -> l.endsWith("/.env"));
        assertThat(r.output())
                .contains("the old services still run")
                .doesNotContain("rollback to the Python TattileSender");
    }

    @Test
    void itemsForTheOperatorDoNotStopTheSwitch() throws Exception {
        Result r = switchForReal(Map.of("FAKE_IMPORT_RC", "2"), old.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("some items need the operator").contains("admin certificate import-pfx");
        assertThat(lines(systemctlLog)).contains("enable tattile-sender", "restart tattile-sender");
    }

    @Test
    void runningItAgainAfterTheSwitchKeepsTheOldSenderUnitAndTheSettings() throws Exception {
        String oldSenderUnit = Files.readString(units.resolve("tattile-sender.service"));
        assertThat(switchForReal(Map.of(), old.toString()).exit()).isZero();
        Files.writeString(
                envFile, Files.readString(envFile).replace("SENDER_LEASE_SECONDS=300", "SENDER_LEASE_SECONDS=45"));
        Files.delete(systemctlLog);
        Result again = switchForReal(Map.of(), old.toString());
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(again.output()).contains("its tattile-sender unit was switched before");
        assertThat(units.resolve("tattile-sender-python.service.disabled")).hasContent(oldSenderUnit);
        assertThat(lines(systemctlLog)).doesNotContain("stop tattile-sender").contains("restart tattile-sender");
        assertThat(EnvFile.read(envFile)).containsEntry("SENDER_LEASE_SECONDS", "45");
    }
}
