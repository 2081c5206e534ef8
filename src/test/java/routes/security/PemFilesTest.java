package routes.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import routes.support.TestCertificates;
import routes.support.TestCertificates.Generated;
import routes.support.TestFiles;

/** {@link PemFiles}: the key and certificate files the original product keeps per municipality. No database. */
class PemFilesTest {

    private static final Path BASE =
            Path.of("target", "it-certs", "PemFilesTest").toAbsolutePath();

    private static Generated alpha;
    private static Generated beta;
    private static PrivateKey alphaKey;
    private static CertFixtures.Chain chain;

    @BeforeAll
    static void certificates() throws Exception {
        TestFiles.deleteTree(BASE);
        Files.createDirectories(BASE);
        alpha = TestCertificates.generate(BASE.resolve("alpha"), "alpha", 365, null);
        beta = TestCertificates.generate(BASE.resolve("beta"), "beta", 365, null);
        alphaKey = (PrivateKey) CertFixtures.load(alpha.p12(), TestCertificates.PASSWORD)
                .getKey("1", TestCertificates.PASSWORD.toCharArray());
        chain = CertFixtures.issuedChain(BASE.resolve("chain"), "Test CA", "leaf");
    }

    // ---- private keys ----

    @Test
    void readsPkcs8PrivateKey() throws Exception {
        assertThat(Files.readString(alpha.keyPem())).startsWith("-----BEGIN PRIVATE KEY-----\n");

        PrivateKey key = PemFiles.readPrivateKey(alpha.keyPem());

        assertThat(key.getAlgorithm()).isEqualTo("RSA");
        assertThat(key.getEncoded()).isEqualTo(alphaKey.getEncoded());
        KeyMatch.require(key, alpha.certificate());
    }

    @Test
    void readsPkcs1RsaKeyExtractedFromPkcs8() throws Exception {
        Path file = BASE.resolve("pkcs1-extracted.pem");
        Files.writeString(file, CertFixtures.pem("RSA PRIVATE KEY", CertFixtures.pkcs1Of(alphaKey.getEncoded())));

        PrivateKey key = PemFiles.readPrivateKey(file);

        assertSameRsaKey(key, alphaKey);
        KeyMatch.require(key, alpha.certificate());
    }

    @Test
    void readsPkcs1RsaKeyWrittenByOpenssl() throws Exception {
        assumeThat(CertFixtures.openssl()).as("openssl on PATH").isNotNull();
        Path file = BASE.resolve("pkcs1-openssl.pem");
        Path log = BASE.resolve("openssl-rsa.log");
        // OpenSSL 3 needs -traditional for PKCS#1; 1.1 writes PKCS#1 by default and has no such option.
        if (CertFixtures.openssl(log, "rsa", "-in", alpha.keyPem().toString(), "-traditional", "-out", file.toString())
                != 0) {
            assertThat(CertFixtures.openssl(log, "rsa", "-in", alpha.keyPem().toString(), "-out", file.toString()))
                    .isZero();
        }
        String text = Files.readString(file);
        assertThat(text).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        // openssl's PKCS#1 DER is what the test helper extracts from the PKCS#8 encoding
        String body = text.replaceAll("-----[A-Z ]+-----", "");
        assertThat(Base64.getMimeDecoder().decode(body)).isEqualTo(CertFixtures.pkcs1Of(alphaKey.getEncoded()));

        PrivateKey key = PemFiles.readPrivateKey(file);

        assertSameRsaKey(key, alphaKey);
        KeyMatch.require(key, alpha.certificate());
    }

    @Test
    void readsKeyAfterACertificateInTheSameFile() throws Exception {
        Path file = BASE.resolve("cert-then-key.pem");
        Files.writeString(file, Files.readString(alpha.certPem()) + Files.readString(alpha.keyPem()));

        assertThat(PemFiles.readPrivateKey(file).getEncoded()).isEqualTo(alphaKey.getEncoded());
        // the same file also serves as the certificate file: the key block is not taken for a certificate
        assertThat(PemFiles.readCertificates(file)).containsExactly(alpha.certificate());
    }

    @Test
    void readsPkcs1KeyAfterACertificateInTheSameFile() throws Exception {
        Path file = BASE.resolve("cert-then-rsa-key.pem");
        Files.writeString(
                file,
                Files.readString(alpha.certPem())
                        + CertFixtures.pem("RSA PRIVATE KEY", CertFixtures.pkcs1Of(alphaKey.getEncoded())));

        assertSameRsaKey(PemFiles.readPrivateKey(file), alphaKey);
        assertThat(PemFiles.readCertificates(file)).containsExactly(alpha.certificate());
    }

    /**
     * What {@code openssl pkcs12 -in x.pfx -nodes -out all.pem} writes: "Bag Attributes" text before each
     * block, key first, and the friendlyName as it is — a municipality's name with "ñ" comes out as a
     * non-ASCII byte (OpenSSL 3.0 writes Latin-1 0xF1; UTF-8 is checked too).
     */
    @Test
    void readsOpensslExportWithBagAttributesAndNonAsciiFriendlyName() throws Exception {
        for (Charset charset : List.of(StandardCharsets.ISO_8859_1, StandardCharsets.UTF_8)) {
            String text = "Bag Attributes\n    friendlyName: ayuntamiento de logro\u00f1o - p1700000a\n"
                    + "    localKeyID: 54 69 6D 65 20 31 37 39 35 34 37 33 30 38 34 32 30 30 \n"
                    + "Key Attributes: <No Attributes>\n" + Files.readString(alpha.keyPem())
                    + "Bag Attributes\n    friendlyName: ayuntamiento de logro\u00f1o - p1700000a\n"
                    + "    localKeyID: 54 69 6D 65 20 31 37 39 35 34 37 33 30 38 34 32 30 30 \n"
                    + "subject=C = ES, O = tattile-sender tests, CN = alpha\nissuer=C = ES, O = tattile-sender tests, CN = alpha\n"
                    + Files.readString(alpha.certPem());
            Path file = BASE.resolve("openssl-export-" + charset.name() + ".pem");
            Files.write(file, text.getBytes(charset));

            assertThat(PemFiles.readPrivateKey(file).getEncoded())
                    .as(charset.name())
                    .isEqualTo(alphaKey.getEncoded());
            assertThat(PemFiles.readCertificates(file)).as(charset.name()).containsExactly(alpha.certificate());
        }
    }

    /** The same, with the real tools: a keytool PKCS#12 whose alias has an "ñ", exported by openssl. */
    @Test
    void readsKeyAndCertificateExportedByOpensslFromAPkcs12() throws Exception {
        assumeThat(CertFixtures.openssl()).as("openssl on PATH").isNotNull();
        Path dir = BASE.resolve("openssl-export");
        Files.createDirectories(dir);
        Path p12 = dir.resolve("ayto.p12");
        Files.deleteIfExists(p12);
        CertFixtures.keytool(
                "-genkeypair",
                "-alias",
                "Ayuntamiento de Logro\u00f1o",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=Logro\u00f1o, O=tattile-sender tests, C=ES",
                "-validity",
                "30",
                "-storetype",
                "PKCS12",
                "-keystore",
                p12.toString(),
                "-storepass",
                TestCertificates.PASSWORD,
                "-keypass",
                TestCertificates.PASSWORD);
        KeyStore ks = CertFixtures.load(p12, TestCertificates.PASSWORD);
        String alias = ks.aliases().nextElement();
        PrivateKey expected = (PrivateKey) ks.getKey(alias, TestCertificates.PASSWORD.toCharArray());
        Path all = dir.resolve("all.pem");
        Path keyOnly = dir.resolve("key.pem");
        Path log = dir.resolve("openssl.log");
        assertThat(CertFixtures.openssl(
                        log,
                        "pkcs12",
                        "-in",
                        p12.toString(),
                        "-passin",
                        "pass:" + TestCertificates.PASSWORD,
                        "-nodes",
                        "-out",
                        all.toString()))
                .as(Files.readString(log))
                .isZero();
        assertThat(CertFixtures.openssl(
                        log,
                        "pkcs12",
                        "-in",
                        p12.toString(),
                        "-passin",
                        "pass:" + TestCertificates.PASSWORD,
                        "-nodes",
                        "-nocerts",
                        "-out",
                        keyOnly.toString()))
                .as(Files.readString(log))
                .isZero();
        assertThat(Files.readString(keyOnly, StandardCharsets.ISO_8859_1)).contains("Bag Attributes", "friendlyName");

        assertThat(PemFiles.readPrivateKey(keyOnly).getEncoded()).isEqualTo(expected.getEncoded());
        assertThat(PemFiles.readPrivateKey(all).getEncoded()).isEqualTo(expected.getEncoded());
        assertThat(PemFiles.readCertificates(all)).containsExactly((X509Certificate) ks.getCertificate(alias));
    }

    @Test
    void refusesEncryptedPkcs8Key() throws Exception {
        char[] passphrase = "pkcs8-passphrase".toCharArray();
        byte[] salt = new byte[16];
        byte[] iv = new byte[16];
        new SecureRandom().nextBytes(salt);
        new SecureRandom().nextBytes(iv);
        String algorithm = "PBEWithHmacSHA256AndAES_256";
        SecretKey pbeKey = SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(passphrase));
        Cipher cipher = Cipher.getInstance(algorithm);
        cipher.init(Cipher.ENCRYPT_MODE, pbeKey, new PBEParameterSpec(salt, 10_000, new IvParameterSpec(iv)));
        AlgorithmParameters pbes2 = AlgorithmParameters.getInstance("PBES2");
        pbes2.init(cipher.getParameters().getEncoded());
        EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(pbes2, cipher.doFinal(alphaKey.getEncoded()));
        // a genuine encrypted key: it decrypts back to alpha's key (and openssl opens it, when there is one)
        EncryptedPrivateKeyInfo back = new EncryptedPrivateKeyInfo(info.getEncoded());
        Cipher decrypt = Cipher.getInstance(algorithm);
        decrypt.init(Cipher.DECRYPT_MODE, pbeKey, back.getAlgParameters());
        assertThat(back.getKeySpec(decrypt).getEncoded()).isEqualTo(alphaKey.getEncoded());
        Path file = BASE.resolve("encrypted-pkcs8.pem");
        String pem = CertFixtures.pem("ENCRYPTED PRIVATE KEY", info.getEncoded());
        Files.writeString(file, pem);
        if (CertFixtures.openssl() != null) {
            Path log = BASE.resolve("openssl-pkcs8.log");
            assertThat(CertFixtures.openssl(
                            log, "pkey", "-in", file.toString(), "-passin", "pass:pkcs8-passphrase", "-noout"))
                    .as(Files.readString(log))
                    .isZero();
        }

        assertThatThrownBy(() -> PemFiles.readPrivateKey(file))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("encrypted private keys are not supported: encrypted-pkcs8.pem")
                .satisfies(e -> assertThat(e.getMessage())
                        .doesNotContain(
                                pem.lines().skip(1).findFirst().orElseThrow().substring(0, 20)));
    }

    /** OpenSSL's traditional encrypted PEM ("Proc-Type: 4,ENCRYPTED"): refused as encrypted, not as "no private key". */
    @Test
    void refusesLegacyOpensslEncryptedRsaKey() throws Exception {
        Path file = BASE.resolve("encrypted-legacy.pem");
        Files.writeString(
                file,
                CertFixtures.legacyEncryptedRsaPem(CertFixtures.pkcs1Of(alphaKey.getEncoded()), "legacy-passphrase"));
        if (CertFixtures.openssl() != null) {
            // a genuine encrypted key: openssl opens it with the passphrase
            Path log = BASE.resolve("openssl-legacy.log");
            assertThat(CertFixtures.openssl(
                            log, "rsa", "-in", file.toString(), "-passin", "pass:legacy-passphrase", "-noout"))
                    .as(Files.readString(log))
                    .isZero();
        }

        assertThatThrownBy(() -> PemFiles.readPrivateKey(file))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("encrypted private keys are not supported: encrypted-legacy.pem");
    }

    @Test
    void fileWithoutKeyGivesClearError() throws Exception {
        Path empty = BASE.resolve("empty.pem");
        Files.writeString(empty, "");

        assertThatThrownBy(() -> PemFiles.readPrivateKey(alpha.certPem()))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("no private key found in cert.pem");
        assertThatThrownBy(() -> PemFiles.readPrivateKey(empty))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("no private key found in empty.pem");
    }

    @Test
    void fileWithoutCertificateGivesClearError() throws Exception {
        Path empty = BASE.resolve("empty-cert.pem");
        Files.writeString(empty, "");

        assertThatThrownBy(() -> PemFiles.readCertificates(empty))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("no certificate found in empty-cert.pem");
        // a key file given as the certificate: said plainly, and nothing of the key in the message
        assertThatThrownBy(() -> PemFiles.readCertificates(alpha.keyPem()))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("no certificate found in key.pem");
    }

    // ---- writing, round trip ----

    @Test
    void privateKeyPemRoundTrip() throws Exception {
        String pem = PemFiles.privateKeyPem(alphaKey);

        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("\n-----END PRIVATE KEY-----\n");
        assertThat(pem.lines().filter(l -> !l.startsWith("-----")))
                .allSatisfy(l -> assertThat(l.length()).isBetween(1, 64));
        Path file = BASE.resolve("roundtrip-key.pem");
        Files.writeString(file, pem);
        assertThat(PemFiles.readPrivateKey(file).getEncoded()).isEqualTo(alphaKey.getEncoded());
    }

    @Test
    void certificatesPemRoundTrip() throws Exception {
        List<X509Certificate> certs = List.of(chain.leaf(), chain.ca(), beta.certificate());
        String pem = PemFiles.certificatesPem(certs);

        assertThat(pem.lines().filter(l -> l.equals("-----BEGIN CERTIFICATE-----")))
                .hasSize(3);
        assertThat(pem.lines().filter(l -> !l.startsWith("-----")))
                .allSatisfy(l -> assertThat(l.length()).isBetween(1, 64));
        // the JDK's own reader agrees
        List<X509Certificate> jdk = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            jdk.add((X509Certificate) c);
        }
        assertThat(jdk).containsExactlyElementsOf(certs);
        Path file = BASE.resolve("roundtrip-certs.pem");
        Files.writeString(file, pem);
        assertThat(PemFiles.readCertificates(file)).containsExactlyElementsOf(certs);
    }

    // ---- chains ----

    @Test
    void readsChainInFileOrder() throws Exception {
        // a real chain: the leaf is signed by the CA
        chain.leaf().verify(chain.ca().getPublicKey());
        assertThat(chain.leaf().getIssuerX500Principal()).isEqualTo(chain.ca().getSubjectX500Principal());
        Path leafFirst = BASE.resolve("chain-leaf-first.pem");
        Files.writeString(
                leafFirst,
                CertFixtures.pem("CERTIFICATE", chain.leaf().getEncoded())
                        + CertFixtures.pem("CERTIFICATE", chain.ca().getEncoded()));
        Path caFirst = BASE.resolve("chain-ca-first.pem");
        Files.writeString(
                caFirst,
                CertFixtures.pem("CERTIFICATE", chain.ca().getEncoded()) + "\n"
                        + CertFixtures.pem("CERTIFICATE", chain.leaf().getEncoded()));

        assertThat(PemFiles.readCertificates(leafFirst)).containsExactly(chain.leaf(), chain.ca());
        assertThat(PemFiles.readCertificates(caFirst)).containsExactly(chain.ca(), chain.leaf());
    }

    @Test
    void readsDerCertificate() throws Exception {
        Path der = BASE.resolve("leaf.der");
        Files.write(der, chain.leaf().getEncoded());

        assertThat(PemFiles.readCertificates(der)).containsExactly(chain.leaf());
    }

    @Test
    void readsPkcs7ChainWrittenByOpenssl() throws Exception {
        assumeThat(CertFixtures.openssl()).as("openssl on PATH").isNotNull();
        Path pem = BASE.resolve("chain-for-p7b.pem");
        Files.writeString(pem, PemFiles.certificatesPem(List.of(chain.leaf(), chain.ca())));
        Path p7b = BASE.resolve("chain.p7b");
        Path log = BASE.resolve("openssl-p7b.log");
        assertThat(CertFixtures.openssl(
                        log, "crl2pkcs7", "-nocrl", "-certfile", pem.toString(), "-out", p7b.toString()))
                .as(Files.readString(log))
                .isZero();

        assertThat(PemFiles.readCertificates(p7b)).containsExactlyInAnyOrder(chain.leaf(), chain.ca());
    }

    private static void assertSameRsaKey(PrivateKey actual, PrivateKey expected) {
        assertThat(actual.getAlgorithm()).isEqualTo("RSA");
        assertThat(actual).isInstanceOf(RSAPrivateCrtKey.class);
        RSAPrivateCrtKey a = (RSAPrivateCrtKey) actual;
        RSAPrivateCrtKey e = (RSAPrivateCrtKey) expected;
        assertThat(a.getModulus()).isEqualTo(e.getModulus());
        assertThat(a.getPrivateExponent()).isEqualTo(e.getPrivateExponent());
        assertThat(a.getPublicExponent()).isEqualTo(e.getPublicExponent());
        assertThat(a.getPrimeP()).isEqualTo(e.getPrimeP());
        assertThat(a.getCrtCoefficient()).isEqualTo(e.getCrtCoefficient());
    }
}
