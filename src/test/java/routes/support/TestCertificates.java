package routes.support;

import com.zaxxer.hikari.HikariDataSource;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import routes.security.PemFiles;

/**
 * Test certificates made at test time with the JDK's keytool (RSA-2048, SHA256withRSA, self-signed),
 * as PKCS#12 files and as the PEM pairs the original product stores.
 */
public final class TestCertificates {

    public static final String PASSWORD = "changeit-test";

    /** A generated certificate: its PKCS#12 file and, converted, key.pem + cert.pem in the same folder. */
    public record Generated(Path dir, Path p12, Path keyPem, Path certPem, X509Certificate certificate) {}

    private TestCertificates() {}

    /** keytool -genkeypair into {@code dir/cert.p12}; {@code startDate} like "-1d" or "+10d" (keytool syntax), may be null. */
    public static Generated generate(Path folder, String commonName, int validityDays, String startDate)
            throws Exception {
        Path dir = folder.toAbsolutePath();
        Files.createDirectories(dir);
        Path p12 = dir.resolve("cert.p12");
        Files.deleteIfExists(p12);
        var cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
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
                "CN=" + commonName + ", O=tattile-sender tests, C=ES",
                "-validity",
                String.valueOf(validityDays),
                "-storetype",
                "PKCS12",
                "-keystore",
                p12.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD));
        if (startDate != null) {
            cmd.addAll(List.of("-startdate", startDate));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey("1", PASSWORD.toCharArray());
        X509Certificate cert = (X509Certificate) ks.getCertificate("1");
        Path keyPem = dir.resolve("key.pem");
        Path certPem = dir.resolve("cert.pem");
        Files.writeString(keyPem, PemFiles.privateKeyPem(key));
        Files.writeString(certPem, PemFiles.certificatesPem(List.of(cert)));
        Files.writeString(dir.resolve("password.txt"), PASSWORD + "\n");
        return new Generated(dir, p12, keyPem, certPem, cert);
    }

    /** Registers a PEM certificate row and returns its id. */
    public static UUID registerPem(HikariDataSource db, String name, Generated g) throws Exception {
        return insert(
                db,
                "INSERT INTO certificates (name, type, cert_path, key_path) VALUES (?, 'PEM', ?, ?) RETURNING id",
                name,
                g.certPem().toString(),
                g.keyPem().toString());
    }

    /** Registers a PKCS#12 certificate row (password in password.txt beside it) and returns its id. */
    public static UUID registerPkcs12(HikariDataSource db, String name, Generated g) throws Exception {
        return insert(
                db,
                "INSERT INTO certificates (name, type, pfx_path, password_path) VALUES (?, 'PKCS12', ?, ?) RETURNING id",
                name,
                g.p12().toString(),
                g.dir().resolve("password.txt").toString());
    }

    public static UUID endpoint(HikariDataSource db, String name, String url, Integer retryMax, Integer backoffMs)
            throws Exception {
        return insert(
                db,
                "INSERT INTO endpoints (name, url, timeout_ms, retry_max, retry_backoff_ms) VALUES (?, ?, 5000, ?, ?) RETURNING id",
                name,
                url,
                retryMax,
                backoffMs);
    }

    private static UUID insert(HikariDataSource db, String sql, Object... args) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }
}
