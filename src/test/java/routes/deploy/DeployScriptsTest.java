package routes.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import routes.support.TestDb;
import routes.tools.bench.BenchCommand;

/** The install and backup scripts, as an operator runs them. */
class DeployScriptsTest {

    record Result(int exit, String output) {}

    static Result bash(List<String> command) throws Exception {
        return bash(command, Map.of());
    }

    /** Runs a command with these variables added to (or, mapped to null, removed from) the environment. */
    static Result bash(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        environment.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void theBenchmarksRunTheServiceWithTheSystemdUnitsJvmOptionsAndEnvironment() throws Exception {
        String unit = Files.readString(Path.of("deploy/systemd/tattile-sender.service"));
        assertThat(unit)
                .contains("ExecStart=/usr/bin/java $TATTILE_CDS_OPTIONS " + BenchCommand.UNIT_JVM_OPTIONS + " -jar ");
        assertThat(Files.readString(Path.of("deploy/cds-archive.sh")).replaceAll("\\\\\n\\s*", ""))
                .as("the training start that writes the class-data archive runs with the unit's options")
                .contains("java -XX:ArchiveClassesAtExit=\"$TRAINING/archive.jsa\" " + BenchCommand.UNIT_JVM_OPTIONS
                        + " ");
        BenchCommand.UNIT_ENVIRONMENT.forEach(
                (name, value) -> assertThat(unit).contains("Environment=" + name + "=" + value));
    }

    @Test
    void setupDryRunPlansTheWholeInstallAndChangesNothing() throws Exception {
        Result r = bash(List.of("bash", "deploy/setup.sh", "--dry-run", "--jar", "pom.xml"));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output())
                .contains(
                        "install -d -m 0750 -o tattile -g tattile /var/lib/tattile-sender /var/lib/tattile-sender/images")
                .contains("install -d -m 0750 -o tattile -g tattile /etc/tattile-sender/certs")
                .containsPattern(
                        "(keeping /etc/tattile-sender/.env|install -m 0640 -o root -g tattile .env.example /etc/tattile-sender/.env)")
                .contains("create or update role")
                .contains(
                        "role tattile_owner (the owner, password from /etc/tattile-sender/db-owner.password) and database tattile owned by tattile_owner")
                .containsPattern("(WOULD: write a random password to|keeping) /etc/tattile-sender/db-owner.password")
                .contains("WOULD: chmod 0600 /etc/tattile-sender/db-owner.password")
                .contains(
                        "WOULD: env TATTILE_ENV_FILE=/etc/tattile-sender/.env java -jar /opt/tattile-sender/tattile-sender.jar db migrate")
                .doesNotContain(
                        "runuser -u tattile -- env TATTILE_ENV_FILE=/etc/tattile-sender/.env java -jar /opt/tattile-sender/tattile-sender.jar db migrate")
                .contains("WOULD: install -m 0644 pom.xml /opt/tattile-sender/tattile-sender.jar")
                .contains("java -jar /opt/tattile-sender/tattile-sender.jar db migrate")
                .contains(
                        "WOULD: install -m 0644 deploy/systemd/tattile-sender.service /etc/systemd/system/tattile-sender.service")
                .contains("WOULD: deploy/cds-archive.sh --jar /opt/tattile-sender/tattile-sender.jar --env-file"
                        + " /etc/tattile-sender/.env --user tattile --out /opt/tattile-sender/tattile-sender.jsa")
                .endsWith("[setup] done\n");
        assertThat(r.output()
                        .lines()
                        .filter(l -> l.startsWith("WOULD:") || l.startsWith("[setup]"))
                        .count())
                .as("every line is either a plan step or a note")
                .isEqualTo(r.output().lines().filter(l -> !l.isBlank()).count());
    }

    @Test
    void theSystemdUnitRunsAsItsOwnUserHardenedAndRestartsOnFailure() throws Exception {
        String unit = Files.readString(Path.of("deploy/systemd/tattile-sender.service"));
        assertThat(unit)
                .contains("User=tattile")
                .contains("Restart=on-failure")
                .contains("SuccessExitStatus=143")
                .contains("NoNewPrivileges=true")
                .contains("ProtectSystem=strict")
                .contains("ReadWritePaths=/var/lib/tattile-sender")
                .contains("StandardOutput=journal")
                .contains("Environment=TATTILE_ENV_FILE=/etc/tattile-sender/.env")
                // the class-data archive is optional: without the file the JVM starts without it
                .contains("EnvironmentFile=-/opt/tattile-sender/cds.env");
        int stopTimeout = Integer.parseInt(unit.replaceAll("(?s).*TimeoutStopSec=(\\d+).*", "$1"));
        assertThat(stopTimeout).as("longer than Camel's 45 s graceful shutdown").isGreaterThan(45);
    }

    @Test
    void backupDumpsTheDatabaseImagesAndCertificatesAndKeepsTheNewest(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images/SN1/2026/05/01"));
        Files.write(images.resolve("x_ocr.jpg"), new byte[] {1, 2, 3});
        Path certs = Files.createDirectories(dir.resolve("certs/Girona"));
        Files.writeString(certs.resolve("cert.pem"), "not really a certificate");
        Path env = dir.resolve("backup.env");
        TestDb.open().close(); // the schema exists
        Files.writeString(
                env,
                "DB_NAME=" + TestDb.NAME + "\nIMAGES_BASE_DIR=" + dir.resolve("images") + "\nCERTS_DIR="
                        + dir.resolve("certs") + "\n");
        Path dest = dir.resolve("backups");
        for (int i = 0; i < 3; i++) {
            Result r = bash(List.of(
                    "bash",
                    "deploy/backup.sh",
                    "--dest",
                    dest.toString(),
                    "--keep",
                    "2",
                    "--env-file",
                    env.toString()));
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).contains("backup written to " + dest);
            Thread.sleep(1100); // backups are named by the second
        }
        List<Path> kept;
        try (var s = Files.list(dest)) {
            kept = s.sorted().toList();
        }
        assertThat(kept).hasSize(2);
        Path newest = kept.get(1);
        assertThat(newest.resolve("db.dump")).isNotEmptyFile();
        assertThat(bash(List.of(
                                "pg_restore",
                                "--list",
                                newest.resolve("db.dump").toString()))
                        .output())
                .contains("TABLE public alpr_readings");
        assertThat(bash(List.of("tar", "-tzf", newest.resolve("images.tar.gz").toString()))
                        .output())
                .contains("./SN1/2026/05/01/x_ocr.jpg");
        assertThat(bash(List.of("tar", "-tzf", newest.resolve("certs.tar.gz").toString()))
                        .output())
                .contains("./Girona/cert.pem");
        assertThat(newest.resolve("env")).hasContent(Files.readString(env));
    }
}
