package routes.store;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reading images in a bucket of an S3-compatible service (AWS S3, Ceph RGW, Garage, MinIO, SeaweedFS...), under
 * {@code prefix + key}. One client for the process, with a pool of kept-alive connections: a reading costs two PUTs.
 *
 * <p>Writes are create-only ({@code If-None-Match: *}): an image already under a key is never replaced ({@link
 * ImageExistsException}). A missing image reads as {@link NoSuchFileException}; anything else that fails (no answer,
 * 5xx, throttling, a denied request) is {@link ImageStorageUnavailableException}, so a reading is refused with
 * back-pressure or postponed, never stored half nor sent without its image. Messages never carry the secret key.
 */
public final class S3ImageStore implements ImageStorage {

    /** Keys as {@link ImageStore#relativePath} builds them: safe characters, no empty, "." or ".." segment. */
    private static final Pattern SAFE_KEY =
            Pattern.compile("(?!.*(?:^|/)\\.{1,2}(?:/|$))[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*");

    /** Connections kept to the service: ingest workers and senders that write or read at once. */
    private static final int MAX_CONNECTIONS = 64;

    /** What {@link #compare} found under a key. */
    public enum Comparison {
        /** No object under the key. */
        ABSENT,
        /** An object with the same bytes. */
        SAME,
        /** An object with other bytes (another length, or another content). */
        DIFFERENT
    }

    /** Lists images page by page, for the orphan sweep. */
    @FunctionalInterface
    public interface PageVisitor {
        void visit(List<String> keys) throws IOException, SQLException;
    }

    private final S3Client client;
    private final S3Config config;

    public S3ImageStore(S3Config config) {
        this.config = config;
        this.client = S3Client.builder()
                .endpointOverride(config.endpoint())
                .region(Region.of(config.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey())))
                .forcePathStyle(config.pathStyle())
                // Checksums only where an operation requires them: S3-compatible services differ in the newer
                // checksum headers and trailers, and the JPEGs are checked by their readers anyway.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(MAX_CONNECTIONS)
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(10))
                        .connectionAcquisitionTimeout(Duration.ofSeconds(10)))
                .overrideConfiguration(
                        o -> o.apiCallAttemptTimeout(Duration.ofSeconds(15)).apiCallTimeout(Duration.ofSeconds(30)))
                .build();
    }

    /** The object key of an image key: the prefix, then the key, which must be one of ours. */
    String objectKey(String key) {
        if (key == null || !SAFE_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("Image key refused (not a relative image path)");
        }
        return config.prefix() + key;
    }

    @Override
    public void write(String key, byte[] bytes) throws IOException {
        put(key, bytes, true);
    }

    @Override
    public void rewrite(String key, byte[] bytes) throws IOException {
        put(key, bytes, false);
    }

    private void put(String key, byte[] bytes, boolean createOnly) throws IOException {
        PutObjectRequest.Builder request = PutObjectRequest.builder()
                .bucket(config.bucket())
                .key(objectKey(key))
                .contentType("image/jpeg");
        if (createOnly) {
            request.ifNoneMatch("*");
        }
        try {
            client.putObject(request.build(), RequestBody.fromBytes(bytes));
        } catch (S3Exception e) {
            if (createOnly && e.statusCode() == 412) {
                throw new ImageExistsException(key);
            }
            throw unavailable("PUT", key, e);
        } catch (SdkException e) {
            throw unavailable("PUT", key, e);
        }
    }

    @Override
    public byte[] read(String key) throws IOException {
        try {
            return client.getObjectAsBytes(b -> b.bucket(config.bucket()).key(objectKey(key)))
                    .asByteArrayUnsafe();
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && "NoSuchKey".equals(errorCode(e))) {
                throw new NoSuchFileException(key);
            }
            throw unavailable("GET", key, e);
        } catch (SdkException e) {
            throw unavailable("GET", key, e);
        }
    }

    @Override
    public boolean delete(String key) {
        if (key == null) {
            return false;
        }
        try {
            client.deleteObject(b -> b.bucket(config.bucket()).key(objectKey(key)));
            return true; // S3 answers 204 whether or not the object was there
        } catch (SdkException e) {
            return false; // an object left behind is an orphan: the maintenance sweep deletes it later
        }
    }

    @Override
    public boolean exists(String key) throws IOException {
        if (key == null) {
            return false;
        }
        try {
            client.headObject(b -> b.bucket(config.bucket()).key(objectKey(key)));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw unavailable("HEAD", key, e);
        } catch (SdkException e) {
            throw unavailable("HEAD", key, e);
        }
    }

    /**
     * Whether the object under a key holds exactly these bytes, without downloading it when its metadata can tell: a
     * HEAD gives its length (another length: {@link Comparison#DIFFERENT}) and its ETag, which is the MD5 of the content
     * for a single-part upload without SSE-KMS/SSE-C (a match: {@link Comparison#SAME}). Any other ETag (a multipart
     * upload, encryption with a KMS key, a service whose ETags are not MD5s) proves nothing either way, so the object is
     * then read and compared byte by byte: never a false "different", never a false "same".
     */
    public Comparison compare(String key, byte[] bytes) throws IOException {
        HeadObjectResponse head;
        try {
            head = client.headObject(b -> b.bucket(config.bucket()).key(objectKey(key)));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Comparison.ABSENT;
            }
            throw unavailable("HEAD", key, e);
        } catch (SdkException e) {
            throw unavailable("HEAD", key, e);
        }
        if (head.contentLength() != null && head.contentLength() != bytes.length) {
            return Comparison.DIFFERENT;
        }
        String etag = head.eTag() == null ? "" : head.eTag().replace("\"", "").toLowerCase(Locale.ROOT);
        if (etag.equals(md5Hex(bytes))) {
            return Comparison.SAME;
        }
        try {
            return Arrays.equals(read(key), bytes) ? Comparison.SAME : Comparison.DIFFERENT;
        } catch (NoSuchFileException e) {
            return Comparison.ABSENT; // deleted between the HEAD and the GET
        }
    }

    private static String md5Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required algorithm of every Java platform", e);
        }
    }

    /**
     * Visits the keys (without the prefix) of the images under the prefix last modified at or before {@code cutoff},
     * one listing page (up to 1000 objects) at a time. Objects whose key is not one of ours are left out.
     */
    public void listOlderThan(Instant cutoff, PageVisitor visitor) throws IOException, SQLException {
        eachPage("", objects -> {
            List<String> keys = new ArrayList<>();
            for (S3Object o : objects) {
                String key = o.key().substring(config.prefix().length());
                if (o.lastModified() != null
                        && !o.lastModified().isAfter(cutoff)
                        && SAFE_KEY.matcher(key).matches()) {
                    keys.add(key);
                }
            }
            if (!keys.isEmpty()) {
                visitor.visit(keys);
            }
        });
    }

    /** How many objects, and how many bytes, are under the prefix and then {@code keyStart} (a camera's serial...). */
    public Usage usage(String keyStart) throws IOException {
        long[] sum = {0, 0};
        try {
            eachPage(keyStart, objects -> {
                for (S3Object o : objects) {
                    sum[0]++;
                    sum[1] += o.size() == null ? 0 : o.size();
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException("a listing that runs no SQL threw an SQLException", e);
        }
        return new Usage(sum[0], sum[1]);
    }

    /** Objects and bytes, as {@link #usage} counts them. */
    public record Usage(long objects, long bytes) {}

    private interface ObjectPage {
        void accept(List<S3Object> objects) throws IOException, SQLException;
    }

    private void eachPage(String keyStart, ObjectPage page) throws IOException, SQLException {
        String listPrefix = config.prefix() + keyStart;
        String token = null;
        do {
            ListObjectsV2Response response;
            try {
                ListObjectsV2Request.Builder request =
                        ListObjectsV2Request.builder().bucket(config.bucket()).maxKeys(1000);
                if (!listPrefix.isEmpty()) {
                    request.prefix(listPrefix);
                }
                if (token != null) {
                    request.continuationToken(token);
                }
                response = client.listObjectsV2(request.build());
            } catch (SdkException e) {
                throw unavailable("LIST", listPrefix, e);
            }
            page.accept(response.contents());
            token = Boolean.TRUE.equals(response.isTruncated()) ? response.nextContinuationToken() : null;
        } while (token != null);
    }

    @Override
    public String describe() {
        return "S3 bucket '" + config.bucket() + "'"
                + (config.prefix().isEmpty() ? "" : " prefix '" + config.prefix() + "'") + " at " + config.endpoint();
    }

    /** The bucket answers with these credentials (HEAD bucket). */
    @Override
    public void check() throws IOException {
        try {
            client.headBucket(b -> b.bucket(config.bucket()));
        } catch (S3Exception e) {
            String why = e.statusCode() == 404
                    ? "the bucket does not exist"
                    : e.statusCode() == 403 || e.statusCode() == 401
                            ? "access denied (check S3_ACCESS_KEY_ID and the secret key)"
                            : "HTTP " + e.statusCode();
            throw new ImageStorageUnavailableException(describe() + ": " + why, e);
        } catch (SdkException e) {
            throw new ImageStorageUnavailableException(describe() + ": " + reason(e), e);
        }
    }

    @Override
    public void close() {
        client.close();
    }

    private ImageStorageUnavailableException unavailable(String operation, String key, SdkException e) {
        return new ImageStorageUnavailableException(
                "almacén de imágenes no disponible (" + operation + " " + key + "): " + reason(e), e);
    }

    private static String reason(SdkException e) {
        if (e instanceof S3Exception s3) {
            String code = errorCode(s3);
            return "HTTP " + s3.statusCode() + (code == null ? "" : " " + code);
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null
                ? ""
                : root.getMessage().lines().findFirst().orElse("");
        return root.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }
}
