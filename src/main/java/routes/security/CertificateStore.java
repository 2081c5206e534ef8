package routes.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.sql.DataSource;
import org.apache.wss4j.common.crypto.Merlin;
import org.apache.wss4j.common.ext.WSPasswordCallback;

/**
 * Signing material per certificate row, loaded once and cached; reloaded when the row or one of its
 * files changes. PEM pairs ({@code key.pem} + certificate/chain) become an in-memory PKCS#12 key store
 * with a random password that never leaves this class; PKCS#12 files are opened with the password
 * read from their password file. Relative paths are resolved under {@code CERTS_DIR}.
 */
public final class CertificateStore {

    /** Why a certificate cannot be used; the message never contains key material or passwords. */
    public static class UnusableCertificateException extends Exception {
        private final String code;

        public UnusableCertificateException(String code, String message) {
            super(message);
            this.code = code;
        }

        /** Controlled reason for {@code last_error}. */
        public String code() {
            return code;
        }
    }

    private record Row(
            UUID id,
            String name,
            String type,
            String certPath,
            String keyPath,
            String pfxPath,
            String passwordPath,
            boolean active) {}

    private record Cached(String fingerprint, SigningMaterial material) {}

    private static final String ALIAS = "signer";

    private final DataSource dataSource;
    private final Path certsDir;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<UUID, Cached> cache = new ConcurrentHashMap<>();

    public CertificateStore(DataSource dataSource, Path certsDir, Clock clock) {
        this.dataSource = dataSource;
        this.certsDir = certsDir;
        this.clock = clock;
    }

    /** The material to sign with, checked to be active and valid now. */
    public SigningMaterial material(UUID certificateId) throws SQLException, UnusableCertificateException {
        Row row = row(certificateId)
                .orElseThrow(() -> new UnusableCertificateException(
                        "CERTIFICADO_NO_CONFIGURADO", "certificate " + certificateId + " does not exist"));
        if (!row.active()) {
            throw new UnusableCertificateException(
                    "CERTIFICADO_NO_CONFIGURADO", "certificate '" + row.name() + "' is inactive");
        }
        String fingerprint = fingerprint(row);
        Cached cached = cache.get(certificateId);
        SigningMaterial material;
        if (cached != null && cached.fingerprint().equals(fingerprint)) {
            material = cached.material();
        } else {
            material = load(row);
            cache.put(certificateId, new Cached(fingerprint, material));
        }
        var now = clock.instant();
        if (now.isAfter(material.validTo())) {
            throw new UnusableCertificateException(
                    "CERTIFICADO_CADUCADO", "certificate '" + row.name() + "' expired on " + material.validTo());
        }
        if (now.isBefore(material.validFrom())) {
            throw new UnusableCertificateException(
                    "CERTIFICADO_NO_VALIDO_AUN",
                    "certificate '" + row.name() + "' is valid from " + material.validFrom());
        }
        return material;
    }

    private SigningMaterial load(Row row) throws UnusableCertificateException {
        try {
            KeyStore ks;
            char[] password;
            String alias;
            if ("PEM".equals(row.type())) {
                PrivateKey key = PemFiles.readPrivateKey(resolve(row.keyPath()));
                List<X509Certificate> chain = PemFiles.readCertificates(resolve(row.certPath()));
                KeyMatch.require(key, chain.get(0));
                password = randomPassword();
                ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry(ALIAS, key, password, chain.toArray(new Certificate[0]));
                alias = ALIAS;
            } else {
                password = Files.readString(resolve(row.passwordPath()), StandardCharsets.UTF_8)
                        .strip()
                        .toCharArray();
                ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(resolve(row.pfxPath()))) {
                    ks.load(in, password);
                }
                alias = Collections.list(ks.aliases()).stream()
                        .filter(a -> isKeyEntry(ks, a))
                        .findFirst()
                        .orElseThrow(() -> new GeneralSecurityException("no private key in the PKCS#12 file"));
            }
            Merlin crypto = new DecryptedKeyCrypto(ks, alias, password);
            X509Certificate cert = (X509Certificate) ks.getCertificate(alias);
            final char[] secret = password;
            final String signingAlias = alias;
            CallbackHandler callback = callbacks -> {
                for (Callback c : callbacks) {
                    if (c instanceof WSPasswordCallback pc && signingAlias.equals(pc.getIdentifier())) {
                        pc.setPassword(new String(secret));
                    }
                }
            };
            return new SigningMaterial(row.id(), row.name(), crypto, alias, callback, cert);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new UnusableCertificateException(
                    "CERTIFICADO_ILEGIBLE",
                    "certificate '" + row.name() + "' cannot be loaded: "
                            + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        }
    }

    private static boolean isKeyEntry(KeyStore ks, String alias) {
        try {
            return ks.isKeyEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private char[] randomPassword() {
        byte[] b = new byte[24];
        random.nextBytes(b);
        return Base64.getEncoder().encodeToString(b).toCharArray();
    }

    private Path resolve(String path) throws IOException {
        if (path == null) {
            throw new IOException("path not set");
        }
        Path p = Path.of(path);
        return p.isAbsolute() ? p : certsDir.resolve(p);
    }

    /** Row content plus file sizes and modification times: any change means "reload". */
    private String fingerprint(Row row) {
        StringBuilder b = new StringBuilder(row.toString());
        for (String p : new String[] {row.certPath(), row.keyPath(), row.pfxPath(), row.passwordPath()}) {
            if (p == null) {
                continue;
            }
            try {
                Path f = resolve(p);
                b.append('|')
                        .append(Files.getLastModifiedTime(f).toMillis())
                        .append(':')
                        .append(Files.size(f));
            } catch (IOException e) {
                b.append("|missing");
            }
        }
        return b.toString();
    }

    private Optional<Row> row(UUID id) throws SQLException {
        String sql =
                "SELECT id, name, type, cert_path, key_path, pfx_path, password_path, active FROM certificates WHERE id = ?";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Row(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getBoolean(8)));
            }
        }
    }

    /** Certificates currently cached (for tests and status). */
    List<UUID> cachedIds() {
        return new ArrayList<>(cache.keySet());
    }
}
