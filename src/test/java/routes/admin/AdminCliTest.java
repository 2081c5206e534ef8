package routes.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;
import routes.Application;
import routes.config.Setting;
import routes.support.Cli;
import routes.support.Cli.Run;
import routes.support.TestCertificates;
import routes.support.TestDb;

/** The admin commands against the real test database, configured through an --env-file. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminCliTest {

    private Path dir;

    private final HikariDataSource db = TestDb.open();
    private Path envFile;

    @BeforeAll
    void writeEnvFile() throws Exception {
        dir = Files.createTempDirectory("admin-cli");
        envFile = dir.resolve("test.env");
        Files.writeString(
                envFile,
                "DB_NAME=" + TestDb.NAME + "\nDB_HOST=" + TestDb.settings().text(Setting.DB_HOST) + "\nDB_PORT="
                        + TestDb.settings().text(Setting.DB_PORT) + "\n");
    }

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
    }

    @AfterAll
    void closeDb() {
        db.close();
    }

    private Run run(String... args) {
        return new Cli(envFile).run(args);
    }

    @Test
    void municipalityAndCameraAreRegistered() throws Exception {
        Run m = run("admin", "municipality", "add", "--name", "Girona", "--code", "17079");
        assertThat(m.exit()).as(m.err()).isZero();
        assertThat(m.out()).contains("Municipality 'Girona' added");
        Run c = run(
                "admin",
                "camera",
                "add",
                "--serial",
                "TAT1234567",
                "--municipality",
                "Girona",
                "--codigo-lector",
                "GI-01",
                "--timezone",
                "Europe/Madrid",
                "--description",
                "Pont Nord");
        assertThat(c.exit()).as(c.err()).isZero();
        assertThat(c.out()).contains("Camera 'TAT1234567' added to municipality 'Girona'");
        assertThat(TestDb.text(
                        db,
                        "SELECT concat_ws('|', c.serial_number, c.codigo_lector, c.timezone, c.description, m.name, m.code, c.active) "
                                + "FROM cameras c JOIN municipalities m ON m.id = c.municipality_id"))
                .isEqualTo("TAT1234567|GI-01|Europe/Madrid|Pont Nord|Girona|17079|t");
    }

    @Test
    void mistakesGiveANonZeroExitAndOneClearLine() {
        assertThat(run("admin", "municipality", "add", "--name", "Girona").exit())
                .isZero();
        Run dup = run("admin", "municipality", "add", "--name", "Girona");
        assertThat(dup.exit()).isEqualTo(1);
        assertThat(dup.err().strip()).isEqualTo("Municipality 'Girona' already exists");

        Run unknown = run("admin", "camera", "add", "--serial", "CAM1", "--municipality", "Nowhere");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err().strip()).isEqualTo("Municipality 'Nowhere' does not exist");

        Run badSerial = run("admin", "camera", "add", "--serial", "../etc", "--municipality", "Girona");
        assertThat(badSerial.exit()).isEqualTo(1);
        assertThat(badSerial.err()).contains("Invalid serial '../etc'");

        Run badZone = run(
                "admin", "camera", "add", "--serial", "CAM1", "--municipality", "Girona", "--timezone", "Mars/Base");
        assertThat(badZone.exit()).isEqualTo(1);
        assertThat(badZone.err()).contains("Invalid time zone 'Mars/Base'");

        assertThat(run("admin", "camera", "add", "--serial", "CAM1", "--municipality", "Girona")
                        .exit())
                .isZero();
        Run dupCamera = run("admin", "camera", "add", "--serial", "CAM1", "--municipality", "Girona");
        assertThat(dupCamera.exit()).isEqualTo(1);
        assertThat(dupCamera.err().strip()).isEqualTo("Camera 'CAM1' already exists");

        Run missingOption = run("admin", "camera", "add", "--serial", "CAM2");
        assertThat(missingOption.exit()).isEqualTo(2);
        assertThat(missingOption.err()).contains("--municipality");
    }

    @Test
    void aBadSettingIsReportedWithItsKey() throws Exception {
        Path bad = dir.resolve("bad.env");
        Files.writeString(bad, "DB_PORT=notaport\n");
        CommandLine cl = Application.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("db", "migrate", "--env-file", bad.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip())
                .isEqualTo("Invalid configuration: DB_PORT='notaport' must be an integer between 1 and 65535");
    }

    @Test
    void aPfxIsImportedWithoutOpensslAsPemFilesOnlyItsOwnerCanReadAndAssigned() throws Exception {
        assertThat(run("admin", "municipality", "add", "--name", "Girona").exit())
                .isZero();
        var generated = TestCertificates.generate(dir.resolve("source"), "Ajuntament de Girona", 365, null);
        Path certs = dir.resolve("certs");
        Files.writeString(envFile, "CERTS_DIR=" + certs + "\n", StandardOpenOption.APPEND);
        Path pw = dir.resolve("pw.txt");

        Files.writeString(pw, "wrong-password\n");
        Run wrong = run(
                "admin",
                "certificate",
                "import-pfx",
                "--file",
                generated.p12().toString(),
                "--municipality",
                "Girona",
                "--password-file",
                pw.toString());
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err().strip()).startsWith("Wrong password for cert.p12");
        assertThat(TestDb.count(db, "SELECT count(*) FROM certificates")).isZero();

        Files.writeString(pw, TestCertificates.PASSWORD + "\n");
        Run ok = run(
                "admin",
                "certificate",
                "import-pfx",
                "--file",
                generated.p12().toString(),
                "--municipality",
                "Girona",
                "--password-file",
                pw.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out())
                .contains("Certificate 'Girona' stored (CN=Ajuntament de Girona")
                .contains("assigned to municipality 'Girona'");
        assertThat(ok.out() + ok.err()).doesNotContain(TestCertificates.PASSWORD);
        Path key = certs.resolve("Girona/key.pem");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs.resolve("Girona/cert.pem"))))
                .isEqualTo("rw-------");
        assertThat(
                        TestDb.text(
                                db,
                                "SELECT c.type || '|' || c.key_path || '|' || (c.valid_to > now() + interval '360 days') "
                                        + "FROM certificates c JOIN municipalities m ON m.certificate_id = c.id WHERE m.name = 'Girona'"))
                .isEqualTo("PEM|Girona/key.pem|true");

        var renewed = TestCertificates.generate(dir.resolve("renewed"), "Ajuntament de Girona 2", 730, null);
        assertThat(run(
                                "admin",
                                "certificate",
                                "import-pfx",
                                "--file",
                                renewed.p12().toString(),
                                "--municipality",
                                "Girona",
                                "--password-file",
                                pw.toString())
                        .exit())
                .isZero();
        assertThat(TestDb.count(db, "SELECT count(*) FROM certificates"))
                .as("a renewal replaces, it does not add")
                .isEqualTo(1);
        assertThat(TestDb.text(db, "SELECT subject FROM certificates")).contains("Ajuntament de Girona 2");

        Run list = run("admin", "certificate", "list", "--json");
        assertThat(list.exit()).isZero();
        assertThat(list.out())
                .contains("\"name\":\"Girona\"")
                .contains("\"used_by\":\"Girona\"")
                .contains("\"valid_to\":\"20");
        assertThat(run("admin", "certificate", "list").out()).contains("Girona").contains("DAYS");
    }

    @Test
    void aPemPairWhoseKeyDoesNotMatchItsCertificateIsRefused() throws Exception {
        var a = TestCertificates.generate(dir.resolve("a"), "A", 30, null);
        var b = TestCertificates.generate(dir.resolve("b"), "B", 30, null);
        Files.writeString(envFile, "CERTS_DIR=" + dir.resolve("certs-pem") + "\n", StandardOpenOption.APPEND);
        Run mismatch = run(
                "admin",
                "certificate",
                "add-pem",
                "--name",
                "mixed",
                "--key",
                a.keyPem().toString(),
                "--cert",
                b.certPem().toString());
        assertThat(mismatch.exit()).isEqualTo(1);
        assertThat(mismatch.err()).contains("the private key does not match the certificate");
        Run good = run(
                "admin",
                "certificate",
                "add-pem",
                "--name",
                "a",
                "--key",
                a.keyPem().toString(),
                "--cert",
                a.certPem().toString());
        assertThat(good.exit()).as(good.err()).isZero();
        assertThat(TestDb.count(db, "SELECT count(*) FROM certificates WHERE name = 'a'"))
                .isEqualTo(1);
        Run unnamed = run(
                "admin",
                "certificate",
                "add-pem",
                "--key",
                b.keyPem().toString(),
                "--cert",
                b.certPem().toString());
        assertThat(unnamed.exit()).as(unnamed.err()).isZero();
        assertThat(TestDb.count(db, "SELECT count(*) FROM certificates WHERE name = 'B'"))
                .as("named after its CN")
                .isEqualTo(1);
    }

    @Test
    void dbMigrateReportsTheSchema() {
        Run r = run("db", "migrate");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Schema");
    }
}
