package routes.store;

import java.io.IOException;

/**
 * The image store did not answer, or answered with an error that is not about the image (a timeout, a refused
 * connection, a 5xx, throttling, a denied request): the same as a database outage for whoever stores or reads.
 * Its message names the operation, the key and the reason, never a credential.
 */
public class ImageStorageUnavailableException extends IOException {
    public ImageStorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
