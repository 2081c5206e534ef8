package routes.store;

import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * Where reading images are kept: a folder ({@link ImageStore}, {@code IMAGE_STORE=folder}) or a bucket of an
 * S3-compatible service ({@link S3ImageStore}, {@code IMAGE_STORE=s3}). Keys are the relative paths {@link
 * ImageStore#relativePath} builds ({@code <SN>/YYYY/MM/DD/...jpg}), the same in both.
 *
 * <p>Failures a caller tells apart: {@link NoSuchFileException} (the image is not there: a reading without it), {@link
 * ImageStorageUnavailableException} (the store did not answer: try later, as with a database outage) and {@link
 * ImageExistsException} (a create-only write found an image under that key).
 */
public interface ImageStorage extends AutoCloseable {

    /**
     * Stores a new image; it appears under its key only when complete. An object store writes only if nothing is under
     * that key ({@link ImageExistsException} otherwise); the folder replaces what a previous attempt left.
     */
    void write(String key, byte[] bytes) throws IOException;

    /** Writes an image whose key a previous run of the same single writer may have written (the legacy import). */
    void rewrite(String key, byte[] bytes) throws IOException;

    /** The image's bytes; {@link NoSuchFileException} when there is none under that key. */
    byte[] read(String key) throws IOException;

    /**
     * Deletes an image if it is there. True when it is gone (an object store cannot tell whether it was there); false
     * when the folder had no such file, or the delete failed (the image is then an orphan: the sweep deletes it later).
     */
    boolean delete(String key);

    boolean exists(String key) throws IOException;

    /**
     * A read takes no network round trip (a local folder). The sender then reads a delivery's images inside its signing
     * turn, so the sends waiting for a turn do not each hold their images; a bucket's reads stay outside it.
     */
    default boolean readsAreLocal() {
        return false;
    }

    /** What and where, for logs and {@code admin status}; never a secret. */
    String describe();

    /** Answers only if the store can be used now ({@link ImageStorageUnavailableException} otherwise). */
    void check() throws IOException;

    @Override
    default void close() {}
}
