package routes.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * Turns a PKCS#12 (PFX) file or a PEM pair into the files the service signs with:
 * {@code CERTS_DIR/<folder>/key.pem} and {@code cert.pem}, mode 0600, after checking that the key
 * matches the certificate. No openssl needed; nothing secret is ever printed or returned.
 */
public final class CertificateImport {

    /** What was written: paths relative to CERTS_DIR and the certificate's public facts. */
    public record Imported(String keyPath, String certPath, String subject, String fingerprintSha256, Instant validFrom, Instant validTo) {
    }

    /** The PFX cannot be opened with that password, or is not a PKCS#12 file. */
    public static class BadPasswordException extends Exception {
        public BadPasswordException(String message) {
            super(message);
        }
    }

    private final Path certsDir;

    public CertificateImport(Path certsDir) {
        this.certsDir = certsDir;
    }

    public Imported fromPkcs12(Path pfx, char[] password, String folder) throws IOException, GeneralSecurityException, BadPasswordException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pfx)) {
            ks.load(in, password);
        } catch (IOException e) {
            if (e.getCause() instanceof java.security.UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new BadPasswordException("Wrong password for " + pfx.getFileName() + " (or not a PKCS#12 file)");
            }
            throw new BadPasswordException("Cannot open " + pfx.getFileName() + " as PKCS#12: " + e.getMessage());
        }
        String alias = null;
        for (String a : Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(a)) {
                alias = a;
                break;
            }
        }
        if (alias == null) {
            throw new GeneralSecurityException(pfx.getFileName() + " holds no private key");
        }
        PrivateKey key;
        try {
            key = (PrivateKey) ks.getKey(alias, password);
        } catch (java.security.UnrecoverableKeyException e) {
            throw new BadPasswordException("Wrong password for the private key in " + pfx.getFileName());
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : ks.getCertificateChain(alias)) {
            chain.add((X509Certificate) c);
        }
        return write(key, chain, folder);
    }

    public Imported fromPem(Path keyPem, Path certPem, String folder) throws IOException, GeneralSecurityException {
        return write(PemFiles.readPrivateKey(keyPem), PemFiles.readCertificates(certPem), folder);
    }

    private Imported write(PrivateKey key, List<X509Certificate> chain, String folder) throws IOException, GeneralSecurityException {
        X509Certificate cert = chain.get(0);
        KeyMatch.require(key, cert);
        Path dir = certsDir.resolve(folder).normalize();
        if (!dir.startsWith(certsDir.normalize())) {
            throw new IOException("certificate folder outside CERTS_DIR refused");
        }
        Files.createDirectories(dir);
        restrict(dir, "rwx------");
        writeSecret(dir.resolve("key.pem"), PemFiles.privateKeyPem(key));
        writeSecret(dir.resolve("cert.pem"), PemFiles.certificatesPem(chain));
        // Run as root by an operator, the files still belong to whoever owns CERTS_DIR (the service user).
        for (Path p : new Path[] {dir, dir.resolve("key.pem"), dir.resolve("cert.pem")}) {
            try {
                Files.setOwner(p, Files.getOwner(certsDir));
            } catch (IOException | UnsupportedOperationException notAllowed) {
                // not root, or no owners here: the files keep the caller as owner
            }
        }
        String fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        return new Imported(folder + "/key.pem", folder + "/cert.pem", cert.getSubjectX500Principal().getName(), fingerprint,
                cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant());
    }

    /** Writes through a temporary file created with mode 0600, then renames it into place. */
    private static void writeSecret(Path target, String content) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(temp);
        }
        Files.writeString(temp, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void restrict(Path p, String perms) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (UnsupportedOperationException notPosix) {
            // not a POSIX file system: nothing to do
        }
    }
}
