package routes.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import routes.support.TestCertificates;

/** Key and certificate files the security tests need beyond {@link TestCertificates}. */
final class CertFixtures {

    /** A leaf certificate issued by a test CA: the leaf's key and the chain leaf → CA. */
    record Chain(PrivateKey leafKey, X509Certificate leaf, X509Certificate ca) {}

    private CertFixtures() {}

    /** Runs the JDK keytool; fails the test with its output if it does not succeed. */
    static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(p.exitValue()).as("keytool %s: %s", cmd, out).isZero();
    }

    /** A CA (basicConstraints CA:true) and a leaf signed by it, made with keytool -gencert in {@code folder}. */
    static Chain issuedChain(Path folder, String caName, String leafName) throws Exception {
        Path dir = folder.toAbsolutePath();
        Files.createDirectories(dir);
        String pw = TestCertificates.PASSWORD;
        Path ca = dir.resolve("ca.p12");
        Path leaf = dir.resolve("leaf.p12");
        Path csr = dir.resolve("leaf.csr");
        Path leafCer = dir.resolve("leaf.cer");
        for (Path p : List.of(ca, leaf, csr, leafCer)) {
            Files.deleteIfExists(p);
        }
        keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-sigalg",
                "SHA256withRSA",
                "-dname",
                "CN=" + caName + ", O=tattile-sender tests, C=ES",
                "-ext",
                "bc:c",
                "-validity",
                "365",
                "-storetype",
                "PKCS12",
                "-keystore",
                ca.toString(),
                "-storepass",
                pw,
                "-keypass",
                pw);
        keytool(
                "-genkeypair",
                "-alias",
                "1",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-sigalg",
                "SHA256withRSA",
                "-dname",
                "CN=" + leafName + ", O=tattile-sender tests, C=ES",
                "-validity",
                "365",
                "-storetype",
                "PKCS12",
                "-keystore",
                leaf.toString(),
                "-storepass",
                pw,
                "-keypass",
                pw);
        keytool("-certreq", "-alias", "1", "-keystore", leaf.toString(), "-storepass", pw, "-file", csr.toString());
        keytool(
                "-gencert",
                "-alias",
                "ca",
                "-keystore",
                ca.toString(),
                "-storepass",
                pw,
                "-infile",
                csr.toString(),
                "-outfile",
                leafCer.toString(),
                "-rfc",
                "-validity",
                "300");
        KeyStore caStore = load(ca, pw);
        KeyStore leafStore = load(leaf, pw);
        X509Certificate issued = PemFiles.readCertificates(leafCer).get(0);
        return new Chain((PrivateKey) leafStore.getKey("1", pw.toCharArray()), issued, (X509Certificate)
                caStore.getCertificate("ca"));
    }

    static KeyStore load(Path p12, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, password.toCharArray());
        }
        return ks;
    }

    /** Rewrites {@code p12} (alias "1", password {@link TestCertificates#PASSWORD}) with another password, and its password.txt. */
    static void changePkcs12Password(Path p12, String newPassword) throws Exception {
        KeyStore old = load(p12, TestCertificates.PASSWORD);
        PrivateKey key = (PrivateKey) old.getKey("1", TestCertificates.PASSWORD.toCharArray());
        Certificate[] chain = old.getCertificateChain("1");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("1", key, newPassword.toCharArray(), chain);
        try (OutputStream out = Files.newOutputStream(p12)) {
            ks.store(out, newPassword.toCharArray());
        }
        Files.writeString(p12.resolveSibling("password.txt"), newPassword + "\n");
    }

    /**
     * The PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER version, SEQUENCE
     * algorithm, OCTET STRING privateKey, ... } — the content of that OCTET STRING.
     */
    static byte[] pkcs1Of(byte[] pkcs8) {
        int[] pos = {0};
        expectTag(pkcs8, pos, 0x30);
        length(pkcs8, pos); // enter the outer SEQUENCE
        expectTag(pkcs8, pos, 0x02);
        int versionLength = length(pkcs8, pos);
        pos[0] += versionLength; // skip version
        expectTag(pkcs8, pos, 0x30);
        int algorithmLength = length(pkcs8, pos);
        pos[0] += algorithmLength; // skip AlgorithmIdentifier
        expectTag(pkcs8, pos, 0x04);
        int len = length(pkcs8, pos);
        return Arrays.copyOfRange(pkcs8, pos[0], pos[0] + len);
    }

    private static void expectTag(byte[] der, int[] pos, int tag) {
        assertThat(der[pos[0]] & 0xFF).as("DER tag at %d", pos[0]).isEqualTo(tag);
        pos[0]++;
    }

    private static int length(byte[] der, int[] pos) {
        int b = der[pos[0]++] & 0xFF;
        if (b < 0x80) {
            return b;
        }
        int len = 0;
        for (int i = 0; i < (b & 0x7F); i++) {
            len = (len << 8) | (der[pos[0]++] & 0xFF);
        }
        return len;
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /**
     * A PKCS#1 key in OpenSSL's traditional encrypted PEM ("Proc-Type: 4,ENCRYPTED", AES-256-CBC, key
     * from EVP_BytesToKey(MD5, passphrase, first 8 bytes of the IV)), what {@code openssl rsa -aes256
     * -traditional} writes and OpenSSL 1.x wrote by default.
     */
    static String legacyEncryptedRsaPem(byte[] pkcs1, String passphrase) throws Exception {
        byte[] iv = new byte[16];
        new SecureRandom().nextBytes(iv);
        byte[] salt = Arrays.copyOf(iv, 8);
        byte[] key = new byte[32];
        byte[] prev = new byte[0];
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        for (int n = 0; n < key.length; ) {
            md5.update(prev);
            md5.update(passphrase.getBytes(StandardCharsets.UTF_8));
            md5.update(salt);
            prev = md5.digest();
            int c = Math.min(prev.length, key.length - n);
            System.arraycopy(prev, 0, key, n, c);
            n += c;
        }
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        byte[] encrypted = cipher.doFinal(pkcs1);
        return "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,"
                + HexFormat.of().withUpperCase().formatHex(iv) + "\n\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(encrypted)
                + "\n-----END RSA PRIVATE KEY-----\n";
    }

    /** The openssl binary on PATH, or null. */
    static Path openssl() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "openssl");
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Runs openssl with {@code args}; returns its exit code (output goes to {@code log}). */
    static int openssl(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(openssl().toString());
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("openssl finished").isTrue();
        return p.exitValue();
    }
}
