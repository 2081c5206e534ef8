package routes.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static routes.deploy.DeployScriptsTest.bash;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import routes.deploy.DeployScriptsTest.Result;
import routes.support.TestDb;

/**
 * deploy/backup.sh --encrypt-to: the backup holds certificates' private keys and personal data (plates, images), so
 * with a recipient nothing of it reaches the disk in the clear. The "office" keyring holds a throwaway key pair; the
 * "server" keyring that runs the backup holds only its public half, imported and not certified, as on a real server.
 */
class BackupEncryptionTest {

    private static final String RECIPIENT = "tattile-backup-test@example.invalid";
    private static final String KEY_TEXT =
            "-----BEGIN PRIVATE KEY-----\nTATTILE-TEST-PRIVATE-KEY-MARKER-4f1d9a\n-----END PRIVATE KEY-----\n";

    @TempDir
    Path dir;

    Path office;
    Path server;
    byte[] image;
    Path env;

    @BeforeEach
    void keysAndData() throws Exception {
        office = Files.createDirectory(
                dir.resolve("office"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        server = Files.createDirectory(
                dir.resolve("server"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ok(gpg(
                office,
                "--passphrase",
                "",
                "--quick-generate-key",
                "tattile backup test <" + RECIPIENT + ">",
                "future-default",
                "default",
                "never"));
        Path pub = dir.resolve("backup-key.asc");
        ok(gpg(office, "--armor", "--output", pub.toString(), "--export", RECIPIENT));
        ok(gpg(server, "--import", pub.toString()));

        // Random bytes do not compress: were the images archive written in the clear, they would stand in it as they
        // are.
        image = new byte[8192];
        new Random(42).nextBytes(image);
        Path images = Files.createDirectories(dir.resolve("images/SN1/2026/05/01"));
        Files.write(images.resolve("x_ocr.jpg"), image);
        Path certs = Files.createDirectories(dir.resolve("certs/Girona"));
        Files.writeString(certs.resolve("key.pem"), KEY_TEXT);
        TestDb.open().close(); // the schema exists
        env = dir.resolve("backup.env");
        Files.writeString(
                env,
                "DB_NAME=" + TestDb.NAME + "\nIMAGES_BASE_DIR=" + dir.resolve("images") + "\nCERTS_DIR="
                        + certs.getParent() + "\n# TATTILE-TEST-ENV-MARKER-77c2\n");
    }

    @AfterEach
    void stopAgents() throws Exception {
        for (Path home : new Path[] {office, server}) {
            if (home != null) {
                bash(List.of("gpgconf", "--homedir", home.toString(), "--kill", "all"));
            }
        }
    }

    static Result gpg(Path home, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("gpg", "--homedir", home.toString(), "--batch"));
        command.addAll(List.of(args));
        return bash(command);
    }

    static void ok(Result r) {
        assertThat(r.exit()).as(r.output()).isZero();
    }

    Result backup(Path dest, String... more) throws Exception {
        List<String> command = new ArrayList<>(
                List.of("bash", "deploy/backup.sh", "--dest", dest.toString(), "--env-file", env.toString()));
        command.addAll(List.of(more));
        return bash(command, Map.of("GNUPGHOME", server.toString()));
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    static List<Path> everything(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.toList();
        }
    }

    /** The decrypted artifact, through the office keyring. */
    Path decrypt(Path encrypted) throws Exception {
        Path plain =
                dir.resolve("restored-" + encrypted.getFileName().toString().replaceAll("\\.gpg$", ""));
        ok(gpg(office, "--output", plain.toString(), "--decrypt", encrypted.toString()));
        return plain;
    }

    @Test
    void anEncryptedBackupHoldsOnlyOpenPgpMessagesInPrivateFoldersAndDecryptsToTheData() throws Exception {
        Path dest = dir.resolve("backups/tattile"); // neither folder exists yet
        Result r = backup(dest, "--encrypt-to", RECIPIENT);
        assertThat(r.exit()).as(r.output()).isZero();

        assertThat(mode(dest)).isEqualTo("rwx------");
        List<Path> backups;
        try (Stream<Path> s = Files.list(dest)) {
            backups = s.filter(p -> p.getFileName().toString().startsWith("tattile-"))
                    .toList();
        }
        assertThat(backups).hasSize(1);
        Path backup = backups.get(0);
        assertThat(mode(backup)).isEqualTo("rwx------");
        try (Stream<Path> s = Files.list(backup)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("certs.tar.gz.gpg", "db.dump.gpg", "env.gpg", "images.tar.gz.gpg");
        }

        for (Path p : everything(dest)) {
            if (Files.isDirectory(p)) {
                assertThat(mode(p)).as(p.toString()).isEqualTo("rwx------");
                continue;
            }
            byte[] bytes = Files.readAllBytes(p);
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            assertThat(text)
                    .as(p.toString())
                    .doesNotContain("TATTILE-TEST-PRIVATE-KEY-MARKER")
                    .doesNotContain("TATTILE-TEST-ENV-MARKER")
                    .doesNotContain("PGDMP")
                    .doesNotContain(new String(image, 0, 64, StandardCharsets.ISO_8859_1));
            assertThat(mode(p)).as(p.toString()).isEqualTo("rw-------");
            assertThat(p.getFileName().toString()).endsWith(".gpg");
            // An OpenPGP message for a public key starts with a public-key-encrypted session key packet (tag 1).
            int first = bytes[0] & 0xff;
            int tag = (first & 0x40) != 0 ? first & 0x3f : (first >> 2) & 0x0f;
            assertThat(first & 0x80).as(p + " is an OpenPGP packet").isNotZero();
            assertThat(tag)
                    .as(p + " starts with a session key encrypted to a public key")
                    .isEqualTo(1);
        }

        Path dump = decrypt(backup.resolve("db.dump.gpg"));
        assertThat(bash(List.of("pg_restore", "--list", dump.toString())).output())
                .contains("TABLE public alpr_readings");
        Path restoredImages = Files.createDirectory(dir.resolve("restored-images"));
        ok(bash(List.of(
                "tar",
                "-xzf",
                decrypt(backup.resolve("images.tar.gz.gpg")).toString(),
                "-C",
                restoredImages.toString())));
        assertThat(restoredImages.resolve("SN1/2026/05/01/x_ocr.jpg")).hasBinaryContent(image);
        Path restoredCerts = Files.createDirectory(dir.resolve("restored-certs"));
        ok(bash(List.of(
                "tar",
                "-xzf",
                decrypt(backup.resolve("certs.tar.gz.gpg")).toString(),
                "-C",
                restoredCerts.toString())));
        assertThat(restoredCerts.resolve("Girona/key.pem")).hasContent(KEY_TEXT);
        assertThat(decrypt(backup.resolve("env.gpg"))).hasContent(Files.readString(env));
    }

    @Test
    void aBackupThatFailsHalfwayLeavesNoArtifactBehind() throws Exception {
        Files.writeString(
                env, Files.readString(env).replace("DB_NAME=" + TestDb.NAME, "DB_NAME=tattile_no_such_database"));
        Path dest = dir.resolve("backups");
        for (String[] mode : new String[][] {{}, {"--encrypt-to", RECIPIENT}}) {
            Result r = backup(dest, mode);
            assertThat(r.exit()).as(r.output()).isNotZero();
            assertThat(r.output()).contains("tattile_no_such_database").doesNotContain("backup written");
            assertThat(everything(dest).stream().filter(Files::isRegularFile))
                    .as("no dump, archive or copy of the configuration, complete or not")
                    .isEmpty();
            assertThat(everything(dest).stream().filter(Files::isDirectory))
                    .as("no backup folder")
                    .containsExactly(dest);
        }
    }

    @Test
    void aRecipientWithoutAKeyStopsTheBackupBeforeAnythingIsWritten() throws Exception {
        Path dest = dir.resolve("backups");
        Result r = backup(dest, "--encrypt-to", RECIPIENT, "--encrypt-to", "nobody@example.invalid");
        assertThat(r.exit()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("nobody@example.invalid");
        assertThat(dest).doesNotExist();
    }

    @Test
    void theHelpDocumentsEncryptionAndHowToRestoreAnEncryptedBackup() throws Exception {
        Result r = bash(List.of("bash", "deploy/backup.sh", "--help"));
        assertThat(r.exit()).isZero();
        assertThat(r.output())
                .contains("--encrypt-to")
                .contains("gpg --import")
                .contains("gpg -d")
                .contains("0700")
                .contains("0600");
    }
}
