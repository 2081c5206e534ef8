package routes.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;

/**
 * Reading images on disk under one base folder ({@code IMAGE_STORE=folder}). Every path it builds or accepts is checked
 * to stay inside that folder; files appear under their final name only when complete (write to a temporary name, then
 * rename). Also where image keys are made ({@link #relativePath}), for every {@link ImageStorage}.
 */
public final class ImageStore implements ImageStorage {

    private static final DateTimeFormatter DAY_DIR =
            DateTimeFormatter.ofPattern("yyyy/MM/dd", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS", Locale.ROOT).withZone(ZoneOffset.UTC);
    static final String TEMP_PREFIX = ".tmp-";

    public enum Kind {
        OCR("ocr"),
        CTX("ctx");

        final String suffix;

        Kind(String suffix) {
            this.suffix = suffix;
        }
    }

    private final Path baseDir;
    private final boolean fsync;

    public ImageStore(Path baseDir, boolean fsync) {
        this.baseDir = baseDir.toAbsolutePath().normalize();
        this.fsync = fsync;
    }

    public Path baseDir() {
        return baseDir;
    }

    /**
     * The relative path of an image: {@code <SN>/YYYY/MM/DD/<yyyyMMddHHmmssSSS>_plate-<PLATE>_<readingId>_<kind>.jpg},
     * dates in UTC. Serial and plate are reduced to {@code [A-Za-z0-9_-]} whatever they hold; the reading id makes
     * the name unique even for two readings in the same millisecond.
     */
    public static String relativePath(String serial, String plate, Instant timestampUtc, UUID readingId, Kind kind) {
        return safeComponent(serial) + "/" + DAY_DIR.format(timestampUtc) + "/" + STAMP.format(timestampUtc) + "_plate-"
                + safeComponent(plate) + "_" + readingId + "_" + kind.suffix + ".jpg";
    }

    /** Keeps ASCII letters, digits, '-' and '_'; anything else becomes '_'. Never empty, at most 64 characters. */
    public static String safeComponent(String s) {
        StringBuilder b = new StringBuilder(Math.min(64, s == null ? 1 : s.length()));
        if (s != null) {
            for (int i = 0; i < s.length() && b.length() < 64; i++) {
                char c = s.charAt(i);
                boolean ok =
                        c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_';
                b.append(ok ? c : '_');
            }
        }
        return b.length() == 0 ? "_" : b.toString();
    }

    /** The absolute path of a relative one, refusing anything that would leave the base folder. */
    public Path resolve(String relativePath) {
        Path p = baseDir.resolve(relativePath).normalize();
        if (!p.startsWith(baseDir) || p.equals(baseDir)) {
            throw new IllegalArgumentException("Image path outside IMAGES_BASE_DIR refused");
        }
        return p;
    }

    /** Writes the bytes under a temporary name in the target folder, then renames it into place. */
    @Override
    public void write(String relativePath, byte[] bytes) throws IOException {
        Path target = resolve(relativePath);
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve(TEMP_PREFIX + target.getFileName());
        try {
            try (FileChannel ch = openNew(temp)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                if (fsync) {
                    ch.force(true);
                }
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /**
     * Writes an image at a path that a previous run of the same single writer may have begun: a temporary file it left
     * when it was killed mid-write is removed first (the legacy import, whose paths are derived from the old ids). Not
     * for paths two writers may write at once.
     */
    @Override
    public void rewrite(String relativePath, byte[] bytes) throws IOException {
        Path target = resolve(relativePath);
        Files.deleteIfExists(target.resolveSibling(TEMP_PREFIX + target.getFileName()));
        write(relativePath, bytes);
    }

    /** Creates the temporary file; if the maintenance sweep removed its (empty, old) folder meanwhile, makes it again. */
    private static FileChannel openNew(Path temp) throws IOException {
        try {
            return FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            Files.createDirectories(temp.getParent());
            return FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }

    /** Deletes an image if it exists; a path outside the base folder is refused, a missing file is fine. */
    @Override
    public boolean delete(String relativePath) {
        if (relativePath == null) {
            return false;
        }
        try {
            return Files.deleteIfExists(resolve(relativePath));
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public boolean exists(String relativePath) {
        return relativePath != null && Files.isRegularFile(resolve(relativePath));
    }

    @Override
    public byte[] read(String relativePath) throws IOException {
        return Files.readAllBytes(resolve(relativePath));
    }

    @Override
    public boolean readsAreLocal() {
        return true;
    }

    @Override
    public String describe() {
        return "folder " + baseDir;
    }

    /** Nothing to check before the first write: the folders are made as images arrive. */
    @Override
    public void check() {}
}
