package routes.store;

import java.net.URI;

/**
 * How to reach the S3-compatible bucket of {@code IMAGE_STORE=s3}, as plain values; {@code prefix} is empty or ends
 * with '/'. {@link #toString} leaves the secret out.
 */
public record S3Config(
        URI endpoint,
        String bucket,
        String region,
        String accessKeyId,
        String secretAccessKey,
        boolean pathStyle,
        String prefix) {

    @Override
    public String toString() {
        return "S3Config[endpoint=" + endpoint + ", bucket=" + bucket + ", region=" + region + ", accessKeyId="
                + accessKeyId + ", pathStyle=" + pathStyle + ", prefix=" + prefix + "]";
    }
}
