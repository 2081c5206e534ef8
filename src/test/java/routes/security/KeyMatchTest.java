package routes.security;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import routes.support.TestCertificates;
import routes.support.TestCertificates.Generated;
import routes.support.TestFiles;

/** {@link KeyMatch}: a private key is only accepted with its own certificate. No database. */
class KeyMatchTest {

    private static final Path BASE =
            Path.of("target", "it-certs", "KeyMatchTest").toAbsolutePath();

    private static Generated alpha;
    private static Generated beta;
    private static PrivateKey alphaKey;
    private static PrivateKey betaKey;
    private static PrivateKey ecKey;
    private static X509Certificate ecCert;

    @BeforeAll
    static void certificates() throws Exception {
        TestFiles.deleteTree(BASE);
        Files.createDirectories(BASE);
        alpha = TestCertificates.generate(BASE.resolve("alpha"), "alpha", 365, null);
        beta = TestCertificates.generate(BASE.resolve("beta"), "beta", 365, null);
        alphaKey = PemFiles.readPrivateKey(alpha.keyPem());
        betaKey = PemFiles.readPrivateKey(beta.keyPem());
        Path ec = BASE.resolve("ec.p12");
        CertFixtures.keytool(
                "-genkeypair",
                "-alias",
                "1",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-sigalg",
                "SHA256withECDSA",
                "-dname",
                "CN=ec, O=tattile-sender tests, C=ES",
                "-validity",
                "30",
                "-storetype",
                "PKCS12",
                "-keystore",
                ec.toString(),
                "-storepass",
                TestCertificates.PASSWORD,
                "-keypass",
                TestCertificates.PASSWORD);
        KeyStore ks = CertFixtures.load(ec, TestCertificates.PASSWORD);
        ecKey = (PrivateKey) ks.getKey("1", TestCertificates.PASSWORD.toCharArray());
        ecCert = (X509Certificate) ks.getCertificate("1");
    }

    @Test
    void acceptsRsaKeyWithItsCertificate() {
        assertThatCode(() -> KeyMatch.require(alphaKey, alpha.certificate())).doesNotThrowAnyException();
        assertThatCode(() -> KeyMatch.require(betaKey, beta.certificate())).doesNotThrowAnyException();
    }

    @Test
    void refusesRsaKeyWithAnotherCertificate() {
        assertThatThrownBy(() -> KeyMatch.require(alphaKey, beta.certificate()))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("the private key does not match the certificate");
        assertThatThrownBy(() -> KeyMatch.require(betaKey, alpha.certificate()))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("the private key does not match the certificate");
    }

    @Test
    void acceptsEcKeyWithItsCertificate() {
        assertThatCode(() -> KeyMatch.require(ecKey, ecCert)).doesNotThrowAnyException();
    }

    @Test
    void refusesKeyAndCertificateOfDifferentAlgorithms() {
        assertThatThrownBy(() -> KeyMatch.require(ecKey, alpha.certificate()))
                .isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> KeyMatch.require(alphaKey, ecCert)).isInstanceOf(GeneralSecurityException.class);
    }
}
