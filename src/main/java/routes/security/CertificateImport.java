package routes.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Turns a PKCS#12 (PFX) file or a PEM pair into the files the service signs with:
 * {@code CERTS_DIR/<folder>/key.pem} and {@code cert.pem}, mode 0600, after checking that the key
 * matches the certificate. No openssl needed; nothing secret is ever printed or returned.
 */
public final class CertificateImport {

    /** What was written: paths relative to CERTS_DIR and the certificate's public facts. */
    public record Imported(
            String keyPath,
            String certPath,
            String subject,
            String fingerprintSha256,
            Instant validFrom,
            Instant validTo) {}

    /** The PFX cannot be opened with that password, or is not a PKCS#12 file. */
    public static class BadPasswordException extends Exception {
        public BadPasswordException(String message) {
            super(message);
        }
    }

    private final Path certsDir;
    private final boolean directoryDescriptors;

    public CertificateImport(Path certsDir) {
        this(certsDir, true);
    }

    /** With {@code directoryDescriptors} false, the by-path way of writing is used even where the race-free one exists (tests). */
    CertificateImport(Path certsDir, boolean directoryDescriptors) {
        this.certsDir = certsDir;
        this.directoryDescriptors = directoryDescriptors;
    }

    public Imported fromPkcs12(Path pfx, char[] password, String folder)
            throws IOException, GeneralSecurityException, BadPasswordException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pfx)) {
            ks.load(in, password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException
                    || String.valueOf(e.getMessage()).contains("password")) {
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
        } catch (UnrecoverableKeyException e) {
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

    /** A key and its chain (the key's certificate first) read elsewhere, e.g. from an old installation's PEM files. */
    public Imported fromKeyAndChain(PrivateKey key, List<X509Certificate> chain, String folder)
            throws IOException, GeneralSecurityException {
        return write(key, chain, folder);
    }

    private Imported write(PrivateKey key, List<X509Certificate> chain, String folder)
            throws IOException, GeneralSecurityException {
        X509Certificate cert = chain.get(0);
        KeyMatch.require(key, cert);
        writeUnderCertsDir(
                folder,
                PemFiles.privateKeyPem(key).getBytes(StandardCharsets.US_ASCII),
                PemFiles.certificatesPem(chain).getBytes(StandardCharsets.US_ASCII));
        String fingerprint =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        return new Imported(
                folder + "/key.pem",
                folder + "/cert.pem",
                cert.getSubjectX500Principal().getName(),
                fingerprint,
                cert.getNotBefore().toInstant(),
                cert.getNotAfter().toInstant());
    }

    /**
     * Writes {@code key.pem} and {@code cert.pem} into {@code CERTS_DIR/<folder>/} without ever following a symbolic link below
     * CERTS_DIR: run as root, a link planted there by the service user (who owns CERTS_DIR) must not make root write a key, change
     * a mode or hand over an owner anywhere else. CERTS_DIR itself may be a link (the administrator's choice): its real path is
     * resolved once. Every check is made before anything is written, so a refusal changes nothing.
     */
    private void writeUnderCertsDir(String folder, byte[] keyPem, byte[] certPem) throws IOException {
        if (!isSingleName(folder)) {
            throw new UnsafePathException(
                    "Refused: certificate folder name '" + folder + "' must be one name directly under CERTS_DIR");
        }
        Files.createDirectories(certsDir);
        Path root = certsDir.toRealPath();
        Path dir = root.resolve(folder);
        BasicFileAttributes dirAttributes = attributesNoFollow(dir);
        if (dirAttributes == null) {
            try {
                createDirectory(dir);
            } catch (FileAlreadyExistsException raced) {
                // created (or planted) meanwhile: checked below like any existing entry
            }
            dirAttributes = attributesNoFollow(dir);
        }
        requireNoLink(dir, dirAttributes);
        if (dirAttributes == null || !dirAttributes.isDirectory()) {
            throw new UnsafePathException("Refused: " + dir + " is not a directory");
        }
        if (!root.equals(dir.toRealPath().getParent())) {
            throw new UnsafePathException("Refused: " + dir + " does not resolve to a folder directly under " + root);
        }
        UserPrincipal owner = Files.getOwner(root);
        try (DirectoryStream<Path> rootStream = Files.newDirectoryStream(root)) {
            try (Folder target = directoryDescriptors && rootStream instanceof SecureDirectoryStream<Path> secure
                    ? SecureFolder.open(secure, dir, dirAttributes.fileKey())
                    : new PathFolder(dir)) {
                target.write(keyPem, certPem, owner);
            }
        }
    }

    /** Not empty, not "." or "..", no separator: the name of an entry directly inside CERTS_DIR. */
    private static boolean isSingleName(String folder) {
        if (folder == null
                || folder.isEmpty()
                || folder.equals(".")
                || folder.equals("..")
                || folder.indexOf('\0') >= 0
                || folder.indexOf('/') >= 0
                || folder.indexOf('\\') >= 0) {
            return false;
        }
        Path p = Path.of(folder);
        return p.getNameCount() == 1
                && !p.isAbsolute()
                && p.getFileName().toString().equals(folder);
    }

    private static void createDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectory(dir);
        }
    }

    /** The entry's own attributes (a link is not followed), or null when there is none. */
    private static BasicFileAttributes attributesNoFollow(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException absent) {
            return null;
        }
    }

    private static void requireNoLink(Path p, BasicFileAttributes attributes) throws UnsafePathException {
        if (attributes != null && attributes.isSymbolicLink()) {
            throw new UnsafePathException(
                    "Refused: " + p + " is a symbolic link; nothing is written through a link under CERTS_DIR");
        }
    }

    /** A path under CERTS_DIR that is a symbolic link, or otherwise not what an import may write to; nothing was changed. */
    public static class UnsafePathException extends IOException {
        public UnsafePathException(String message) {
            super(message);
        }
    }

    /**
     * The certificate folder, opened once; every name in it is used without following links. Writing goes through temporary files
     * created new (mode 0600) and renamed over key.pem and cert.pem: a rename replaces a link planted there, it never writes
     * through it.
     */
    private abstract static class Folder implements AutoCloseable {
        static final String[] FILES = {"key.pem", "cert.pem"};
        static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
        static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
        /** A new file only (O_CREAT|O_EXCL), never through a link (O_NOFOLLOW). */
        static final Set<OpenOption> CREATE_NEW =
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

        final Path dir;

        Folder(Path dir) {
            this.dir = dir;
        }

        /** The entry's own attributes, or null when there is none. */
        abstract BasicFileAttributes attributes(Path name) throws IOException;

        /** Creates {@code name}, which must not exist yet (no link is followed), with mode 0600. */
        abstract SeekableByteChannel createNew(Path name) throws IOException;

        /** The folder's own POSIX view (name null) or an entry's, links not followed; null when not POSIX. */
        abstract PosixFileAttributeView posix(Path name);

        /** Atomically renames one entry of the folder over another. */
        abstract void rename(Path from, Path to) throws IOException;

        abstract void delete(Path name) throws IOException;

        @Override
        public void close() throws IOException {}

        final void write(byte[] keyPem, byte[] certPem, UserPrincipal owner) throws IOException {
            for (String file : FILES) {
                BasicFileAttributes existing = attributes(Path.of(file));
                requireNoLink(dir.resolve(file), existing);
                if (existing != null && !existing.isRegularFile()) {
                    throw new UnsafePathException("Refused: " + dir.resolve(file) + " is not a regular file");
                }
            }
            PosixFileAttributeView folderView = posix(null);
            if (folderView != null) {
                folderView.setPermissions(DIR_MODE);
            }
            String suffix = "." + UUID.randomUUID() + ".tmp";
            Path[] temps = {Path.of(".key.pem" + suffix), Path.of(".cert.pem" + suffix)};
            byte[][] contents = {keyPem, certPem};
            boolean[] created = new boolean[temps.length];
            try {
                for (int i = 0; i < temps.length; i++) {
                    try (SeekableByteChannel out = createNew(temps[i])) {
                        created[i] = true;
                        ByteBuffer buffer = ByteBuffer.wrap(contents[i]);
                        while (buffer.hasRemaining()) {
                            out.write(buffer);
                        }
                    }
                    handOver(posix(temps[i]), owner);
                }
                for (int i = 0; i < temps.length; i++) {
                    rename(temps[i], Path.of(FILES[i]));
                    created[i] = false;
                }
            } finally {
                for (int i = 0; i < temps.length; i++) {
                    if (created[i]) {
                        try {
                            delete(temps[i]);
                        } catch (IOException leftOver) {
                            // the first failure is the one reported; a hidden .tmp file may stay behind
                        }
                    }
                }
            }
            // Run as root by an operator, the files still belong to whoever owns CERTS_DIR (the service user).
            handOver(folderView, owner);
        }

        private static void handOver(PosixFileAttributeView view, UserPrincipal owner) {
            if (view == null) {
                return;
            }
            try {
                view.setOwner(owner);
            } catch (IOException | UnsupportedOperationException notAllowed) {
                // not root, or no owners here: the files keep the caller as owner
            }
        }
    }

    /** The folder held open as a directory descriptor: each operation is relative to it (openat, renameat, fchown…), race-free. */
    private static final class SecureFolder extends Folder {
        private final SecureDirectoryStream<Path> stream;

        private SecureFolder(Path dir, SecureDirectoryStream<Path> stream) {
            super(dir);
            this.stream = stream;
        }

        /** Opens {@code dir} inside CERTS_DIR's descriptor without following a link, and checks it is the folder checked before. */
        static SecureFolder open(SecureDirectoryStream<Path> root, Path dir, Object checkedKey) throws IOException {
            SecureDirectoryStream<Path> opened;
            try {
                opened = root.newDirectoryStream(dir.getFileName(), LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                requireNoLink(dir, attributesNoFollow(dir));
                throw e;
            }
            SecureFolder folder = new SecureFolder(dir, opened);
            Object key = opened.getFileAttributeView(BasicFileAttributeView.class)
                    .readAttributes()
                    .fileKey();
            if (checkedKey == null || !checkedKey.equals(key)) {
                folder.close();
                throw new UnsafePathException("Refused: " + dir + " was replaced while it was being checked");
            }
            return folder;
        }

        @Override
        BasicFileAttributes attributes(Path name) throws IOException {
            try {
                return stream.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .readAttributes();
            } catch (NoSuchFileException absent) {
                return null;
            }
        }

        @Override
        SeekableByteChannel createNew(Path name) throws IOException {
            return stream.newByteChannel(name, CREATE_NEW, PosixFilePermissions.asFileAttribute(FILE_MODE));
        }

        @Override
        PosixFileAttributeView posix(Path name) {
            return name == null
                    ? stream.getFileAttributeView(PosixFileAttributeView.class)
                    : stream.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        }

        @Override
        void rename(Path from, Path to) throws IOException {
            stream.move(from, stream, to);
        }

        @Override
        void delete(Path name) throws IOException {
            stream.deleteFile(name);
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }

    /**
     * For file systems without {@link SecureDirectoryStream}: the same operations by path, never following a link at the last
     * component; the folder itself was checked (not a link, directly under the real CERTS_DIR) just before.
     */
    private static final class PathFolder extends Folder {
        PathFolder(Path dir) {
            super(dir);
        }

        @Override
        BasicFileAttributes attributes(Path name) throws IOException {
            return attributesNoFollow(dir.resolve(name));
        }

        @Override
        SeekableByteChannel createNew(Path name) throws IOException {
            try {
                return Files.newByteChannel(
                        dir.resolve(name), CREATE_NEW, PosixFilePermissions.asFileAttribute(FILE_MODE));
            } catch (UnsupportedOperationException notPosix) {
                return Files.newByteChannel(dir.resolve(name), CREATE_NEW);
            }
        }

        @Override
        PosixFileAttributeView posix(Path name) {
            return Files.getFileAttributeView(
                    name == null ? dir : dir.resolve(name), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        }

        @Override
        void rename(Path from, Path to) throws IOException {
            Files.move(dir.resolve(from), dir.resolve(to), StandardCopyOption.ATOMIC_MOVE);
        }

        @Override
        void delete(Path name) throws IOException {
            Files.deleteIfExists(dir.resolve(name));
        }
    }
}
