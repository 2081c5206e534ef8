package routes.store;

import java.nio.file.FileAlreadyExistsException;

/**
 * A create-only write found an image under its key (the object store's conditional put answered 412): nothing was
 * overwritten. Keys carry the reading id, so it is an image of this same reading, written by an earlier attempt.
 */
public class ImageExistsException extends FileAlreadyExistsException {
    public ImageExistsException(String key) {
        super(key);
    }
}
