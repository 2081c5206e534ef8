package routes.legacy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import routes.security.KeyMatch;
import routes.security.PemFiles;

/**
 * Finds an old certificate row's usable key and the certificate that matches it. The old product left, per
 * municipality, a folder with some of: {@code key.pem} (unencrypted, after "Bag Attributes" lines), {@code client.pem}
 * (client certificate then CA), {@code client_only.pem}, {@code ca_chain.pem}, {@code privpub.pem} (its key encrypted
 * with the never-stored PFX password) and {@code cert_mossos_public.pem} (the LAST certificate of the chain, often the
 * CA, which is why the certificate is chosen by matching the key and never by file name).
 */
final class LegacyCertificates {

    /** The files of a folder, in the order they are tried for the certificate. */
    private static final List<String> CERTIFICATE_FILES =
            List.of("client.pem", "client_only.pem", "privpub.pem", "cert_mossos_public.pem");

    /** A key and its chain, key's certificate first. */
    record Found(PrivateKey key, List<X509Certificate> chain, Path keyFile, Path certificateFile) {}

    /** Why there is no usable pair: the folder looked in and what to do. */
    record Missing(String reason, Path folder) {}

    /** One of the two. */
    record Result(Found found, Missing missing) {}

    private LegacyCertificates() {}

    /**
     * Looks at the row's own paths, then at the standard files in each folder they name.
     *
     * @throws LegacyImportException a file exists but cannot be read (named)
     */
    static Result find(LegacyRows.Certificate row, LegacyFiles files) {
        List<Path> keyFiles = new ArrayList<>();
        List<Path> certificateFiles = new ArrayList<>();
        Set<Path> folders = new LinkedHashSet<>();
        for (String stored : new String[] {
            row.keyPath(), row.clientCertPath(), row.path(), row.publicCertPath(), row.privpubPath(), row.pfxPath()
        }) {
            Path p = files.certificate(stored);
            if (p != null && p.getParent() != null) {
                folders.add(p.getParent());
            }
        }
        add(keyFiles, files.certificate(row.keyPath()));
        for (String stored : new String[] {row.clientCertPath(), row.path(), row.publicCertPath()}) {
            add(certificateFiles, files.certificate(stored));
        }
        for (Path folder : folders) {
            add(keyFiles, folder.resolve("key.pem"));
            for (String name : CERTIFICATE_FILES) {
                add(certificateFiles, folder.resolve(name));
            }
        }
        Path where = folders.isEmpty() ? null : folders.iterator().next();
        PrivateKey key = null;
        Path keyFile = null;
        String keyProblem = "no key.pem";
        for (Path candidate : keyFiles) {
            if (!Files.exists(candidate)) {
                continue;
            }
            requireReadable(candidate);
            try {
                key = PemFiles.readPrivateKey(candidate);
                keyFile = candidate;
                break;
            } catch (GeneralSecurityException | IOException e) {
                keyProblem = candidate.getFileName() + ": " + e.getMessage();
            }
        }
        if (key == null) {
            return new Result(
                    null,
                    new Missing(
                            "no usable private key (" + keyProblem + "; privpub.pem's key is encrypted with the PFX "
                                    + "password, which the old product never stored)",
                            where));
        }
        for (Path candidate : certificateFiles) {
            if (!Files.exists(candidate)) {
                continue;
            }
            requireReadable(candidate);
            List<X509Certificate> certs;
            try {
                certs = PemFiles.readCertificates(candidate);
            } catch (GeneralSecurityException | IOException e) {
                continue;
            }
            for (X509Certificate c : certs) {
                if (matches(key, c)) {
                    List<X509Certificate> chain = new ArrayList<>();
                    chain.add(c);
                    certs.stream().filter(other -> !other.equals(c)).forEach(chain::add);
                    return new Result(new Found(key, chain, keyFile, candidate), null);
                }
            }
        }
        return new Result(
                null,
                new Missing(
                        "the key in " + keyFile.getFileName() + " matches no certificate in "
                                + String.join(", ", CERTIFICATE_FILES),
                        keyFile.getParent()));
    }

    private static boolean matches(PrivateKey key, X509Certificate c) {
        try {
            KeyMatch.require(key, c);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void add(List<Path> list, Path p) {
        if (p != null && !list.contains(p)) {
            list.add(p);
        }
    }

    static void requireReadable(Path p) {
        if (!Files.isReadable(p)) {
            throw new LegacyImportException(
                    "Cannot read " + p + " (run the import as root: the old product's files are root's, mode 0600)");
        }
    }
}
