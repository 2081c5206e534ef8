package routes.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import routes.support.TestCertificates;

/**
 * CertificateImport used directly (as the bench does): folder names the CLI's own cleaning would never pass, and planted links
 * against both ways of writing (through a directory descriptor, and by path where a file system has no SecureDirectoryStream).
 * The CLI tests with a service-user-owned CERTS_DIR are in routes.admin.CertificateImportSymlinkTest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CertificateImportTest {

    private TestCertificates.Generated generated;

    @BeforeAll
    void generateCertificate(@TempDir Path source) throws Exception {
        generated = TestCertificates.generate(source.resolve("a"), "A", 30, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "../escaped", "a/b", "/abs", "a/../b"})
    void aFolderNameThatIsNotOneNameDirectlyUnderCertsDirIsRefusedAndNothingIsWritten(String folder, @TempDir Path tmp)
            throws Exception {
        Path certs = Files.createDirectory(tmp.resolve("certs"));

        assertThatThrownBy(() -> new CertificateImport(certs).fromPem(generated.keyPem(), generated.certPem(), folder))
                .isInstanceOf(CertificateImport.UnsafePathException.class)
                .hasMessageContaining("'" + folder + "'");

        try (Stream<Path> written = Files.walk(tmp)) {
            assertThat(written.filter(Files::isRegularFile))
                    .as("no key anywhere")
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "directory descriptors {0}, link planted as {1}")
    @CsvSource({
        "true, Girona",
        "true, Girona/key.pem",
        "true, Girona/cert.pem",
        "false, Girona",
        "false, Girona/key.pem",
        "false, Girona/cert.pem"
    })
    void aPlantedLinkIsRefusedByBothWaysOfWritingAndItsTargetIsUntouched(
            boolean directoryDescriptors, String planted, @TempDir Path tmp) throws Exception {
        Path certs = Files.createDirectory(tmp.resolve("certs")).toRealPath();
        Path outside = Files.createDirectory(tmp.resolve("outside")).toRealPath();
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path victim = Files.writeString(outside.resolve("victim.txt"), "untouched\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
        Path link = certs.resolve(planted);
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, planted.contains("/") ? victim : outside);

        assertThatThrownBy(() -> new CertificateImport(certs, directoryDescriptors)
                        .fromPem(generated.keyPem(), generated.certPem(), "Girona"))
                .isInstanceOf(CertificateImport.UnsafePathException.class)
                .hasMessage(
                        "Refused: " + link + " is a symbolic link; nothing is written through a link under CERTS_DIR");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(outside)))
                .isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)))
                .isEqualTo("rw-r--r--");
        assertThat(Files.readString(victim)).isEqualTo("untouched\n");
        try (Stream<Path> entries = Files.walk(tmp)) {
            assertThat(entries.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)))
                    .as("no key anywhere")
                    .containsExactly(victim);
        }
    }

    @ParameterizedTest(name = "directory descriptors {0}")
    @ValueSource(booleans = {true, false})
    void bothWaysOfWritingLeaveKeyAndCertMode0600InAFolderMode0700AndNoTemporaryFile(
            boolean directoryDescriptors, @TempDir Path tmp) throws Exception {
        Path certs = tmp.resolve("certs");
        CertificateImport imports = new CertificateImport(certs, directoryDescriptors);
        imports.fromPem(generated.keyPem(), generated.certPem(), "a");
        Files.setPosixFilePermissions(certs.resolve("a"), PosixFilePermissions.fromString("rwxr-xr-x"));
        var renewed = imports.fromPem(generated.keyPem(), generated.certPem(), "a");

        assertThat(renewed.keyPath()).isEqualTo("a/key.pem");
        Path folder = certs.resolve("a");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve("key.pem"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve("cert.pem"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(folder.resolve("key.pem"))).isEqualTo(Files.readString(generated.keyPem()));
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("key.pem", "cert.pem");
        }
    }
}
