package routes.health;

import java.io.IOException;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import routes.store.ImageStorage;

/**
 * Readiness: the image store can be used now (for a bucket, it answers a HEAD with these credentials; a folder is
 * always ready, its folders are made as images arrive). Without it readings are refused with back-pressure and sends
 * wait, as in a database outage. Its {@code store} detail says which store; never a secret.
 */
public final class ImageStoreCheck extends TattileCheck {

    public static final String ID = "tattile-images";

    private final ImageStorage images;

    public ImageStoreCheck(ImageStorage images) {
        super(ID, true);
        this.images = images;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("store", images.describe());
        try {
            images.check();
            builder.up();
        } catch (IOException e) {
            builder.down().detail("error", e.getClass().getSimpleName());
        }
    }
}
