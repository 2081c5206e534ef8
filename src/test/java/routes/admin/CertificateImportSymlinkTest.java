package routes.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import routes.config.Setting;
import routes.support.Cli;
import routes.support.TestCertificates;
import routes.support.TestDb;

/**
 * Issue 12, item 7: run as root, {@code admin certificate import-pfx|add-pem} must never follow a symbolic link planted under
 * CERTS_DIR (by whoever owns it, the service user): it refuses with one line, and the link's target keeps its owner, mode and
 * contents. When the tests run as root (as here), CERTS_DIR belongs to another uid, as in production, so a chown that followed
 * the link would be seen on the target.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CertificateImportSymlinkTest {

    /** The service user's uid in these tests: the owner of CERTS_DIR, to whom imported files are handed. */
    private static final int SERVICE_UID = 4242;

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    /** The two commands that write key material under CERTS_DIR. */
    enum Import {
        IMPORT_PFX,
        ADD_PEM
    }

    private final HikariDataSource db = TestDb.open();
    private TestCertificates.Generated generated;

    @TempDir
    Path tmp;

    private Path certs;
    private Path outside;
    private Cli cli;

    @BeforeAll
    void generateCertificate(@TempDir Path source) throws Exception {
        generated = TestCertificates.generate(source.resolve("girona"), "Ajuntament de Girona", 365, null);
    }

    @AfterAll
    void closeDb() {
        db.close();
    }

    @BeforeEach
    void certsDirOwnedByTheServiceUserAndAFolderOutsideIt() throws Exception {
        TestDb.reset(db);
        certs = Files.createDirectory(tmp.resolve("certs")).toRealPath();
        Files.setPosixFilePermissions(certs, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (ROOT) {
            Files.setAttribute(certs, "unix:uid", SERVICE_UID);
            Files.setAttribute(certs, "unix:gid", SERVICE_UID);
        }
        // What an attacker would aim at: a root-owned folder (think /etc) with a file in it.
        outside = Files.createDirectory(tmp.resolve("outside")).toRealPath();
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path notes = Files.writeString(outside.resolve("notes.txt"), "keep me as I am\n");
        Files.setPosixFilePermissions(notes, PosixFilePermissions.fromString("rw-r--r--"));
        Path env = tmp.resolve("test.env");
        Files.writeString(
                env,
                "DB_NAME=" + TestDb.NAME + "\nDB_HOST=" + TestDb.settings().text(Setting.DB_HOST) + "\nDB_PORT="
                        + TestDb.settings().text(Setting.DB_PORT) + "\nCERTS_DIR=" + certs + "\n");
        cli = new Cli(env);
        cli.ok("admin", "municipality", "add", "--name", "Girona");
    }

    @ParameterizedTest
    @EnumSource(Import.class)
    void aLinkPlantedAsTheCertificateFolderIsRefusedAndItsTargetKeepsOwnerModeAndContents(Import command)
            throws Exception {
        Path link = Files.createSymbolicLink(certs.resolve("Girona"), outside);
        Map<String, String> before = snapshot(outside);

        String line = cli.fails(1, args(command, "Girona"));

        assertThat(line)
                .isEqualTo(
                        "Refused: " + link + " is a symbolic link; nothing is written through a link under CERTS_DIR");
        assertThat(snapshot(outside))
                .as("the link's target: owner, mode, contents, no new files")
                .isEqualTo(before);
        assertThat(Files.readSymbolicLink(link))
                .as("the link itself is left alone")
                .isEqualTo(outside);
        assertThat(TestDb.count(db, "SELECT count(*) FROM certificates")).isZero();
    }

    @ParameterizedTest
    @EnumSource(Import.class)
    void aLinkPlantedAsKeyPemIsRefusedAndTheFileItPointsToIsUnchanged(Import command) throws Exception {
        aLinkPlantedAsAFileIsRefused(command, "key.pem");
    }

    @ParameterizedTest
    @EnumSource(Import.class)
    void aLinkPlantedAsCertPemIsRefusedAndTheFileItPointsToIsUnchanged(Import command) throws Exception {
        aLinkPlantedAsAFileIsRefused(command, "cert.pem");
    }

    private void aLinkPlantedAsAFileIsRefused(Import command, String name) throws Exception {
        // A folder left by an earlier import (the service user's, 0700), in which the service user planted the link.
        Path folder = Files.createDirectory(certs.resolve("Girona"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        if (ROOT) {
            Files.setAttribute(folder, "unix:uid", SERVICE_UID);
        }
        Path victim = outside.resolve("notes.txt");
        Path link = Files.createSymbolicLink(folder.resolve(name), victim);
        Map<String, String> outsideBefore = snapshot(outside);
        Map<String, String> folderBefore = snapshot(folder);

        String line = cli.fails(1, args(command, "Girona"));

        assertThat(line)
                .isEqualTo(
                        "Refused: " + link + " is a symbolic link; nothing is written through a link under CERTS_DIR");
        assertThat(snapshot(outside))
                .as("the file the link points to: owner, mode, contents")
                .isEqualTo(outsideBefore);
        assertThat(snapshot(folder))
                .as("the certificate folder: no key written, no temporary file left, link kept")
                .isEqualTo(folderBefore);
        assertThat(TestDb.count(db, "SELECT count(*) FROM certificates")).isZero();
    }

    @Test
    void aCertsDirThatIsItselfALinkChosenByTheAdministratorIsFollowedAndTheFilesLandInItsRealFolder() throws Exception {
        Path real = certs;
        Path chosen = Files.createSymbolicLink(tmp.resolve("certs-link"), real);
        Path env = tmp.resolve("link.env");
        Files.writeString(
                env, Files.readString(tmp.resolve("test.env")).replace("CERTS_DIR=" + real, "CERTS_DIR=" + chosen));
        assertThat(new Cli(env).run(args(Import.ADD_PEM, "Girona")).exit()).isZero();
        assertThat(new Cli(env).run(args(Import.IMPORT_PFX, "Girona")).exit())
                .as("a renewal over the same files")
                .isZero();

        Path folder = real.resolve("Girona");
        assertThat(Files.isSymbolicLink(folder)).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder, LinkOption.NOFOLLOW_LINKS)))
                .isEqualTo("rwx------");
        for (String name : List.of("key.pem", "cert.pem")) {
            Path file = folder.resolve(name);
            assertThat(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                    .as(name)
                    .isTrue();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)))
                    .isEqualTo("rw-------");
        }
        assertThat(Files.readString(folder.resolve("key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .as("no temporary file left")
                    .containsExactly("cert.pem", "key.pem");
        }
        if (ROOT) {
            for (Path p : List.of(folder, folder.resolve("key.pem"), folder.resolve("cert.pem"))) {
                assertThat(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                        .as("handed to CERTS_DIR's owner: " + p)
                        .isEqualTo(SERVICE_UID);
            }
        }
    }

    private String[] args(Import command, String name) {
        List<String> a = new ArrayList<>(List.of("admin", "certificate"));
        if (command == Import.IMPORT_PFX) {
            a.addAll(List.of(
                    "import-pfx",
                    "--file",
                    generated.p12().toString(),
                    "--password-file",
                    generated.dir().resolve("password.txt").toString(),
                    "--name",
                    name,
                    "--municipality",
                    "Girona"));
        } else {
            a.addAll(List.of(
                    "add-pem",
                    "--key",
                    generated.keyPem().toString(),
                    "--cert",
                    generated.certPem().toString(),
                    "--name",
                    name));
        }
        return a.toArray(String[]::new);
    }

    /** Every entry under {@code root} (itself included, links not followed): type, owner uid, mode and contents. */
    private static Map<String, String> snapshot(Path root) throws Exception {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String what;
                if (Files.isSymbolicLink(p)) {
                    what = "link -> " + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    what = "dir";
                } else {
                    what = "file " + Files.readString(p);
                }
                entries.put(
                        root.relativize(p).toString(),
                        what + " uid=" + Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) + " mode="
                                + PosixFilePermissions.toString(
                                        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
            }
        }
        return entries;
    }
}
