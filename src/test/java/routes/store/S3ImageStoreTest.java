package routes.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.support.S3ProxyServer;
import routes.support.TestDb;
import routes.support.TestReadings;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 image store against a real S3 implementation (S3Proxy, its own JVM, filesystem backend). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3ImageStoreTest {

    private static final Instant T = Instant.parse("2026-05-01T10:00:00Z");

    private S3ProxyServer s3;
    private S3Client raw;
    private String bucket;
    private S3ImageStore store;

    @BeforeAll
    void startS3Proxy() throws Exception {
        s3 = S3ProxyServer.start();
        raw = s3.client();
    }

    @AfterAll
    void stopS3Proxy() throws Exception {
        raw.close();
        s3.close();
    }

    @BeforeEach
    void newBucket() {
        if (store != null) {
            store.close();
        }
        bucket = "images-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(bucket);
        store = new S3ImageStore(s3.config(bucket, "tattile/"));
    }

    private static String key(String plate, UUID id, ImageStore.Kind kind) {
        return ImageStore.relativePath("S3CAM01", plate, T, id, kind);
    }

    @Test
    void anImageIsWrittenUnderThePrefixReadExistsAndIsDeleted() throws Exception {
        String key = key("1234ABC", UUID.randomUUID(), ImageStore.Kind.OCR);
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, 1, 2, 3, (byte) 0xFF, (byte) 0xD9};

        store.write(key, jpeg);

        assertThat(store.read(key)).isEqualTo(jpeg);
        assertThat(store.exists(key)).isTrue();
        assertThat(raw.getObjectAsBytes(b -> b.bucket(bucket).key("tattile/" + key))
                        .asByteArray())
                .as("the object key is the prefix and the same relative path as in the folder")
                .isEqualTo(jpeg);
        assertThat(key).startsWith("S3CAM01/2026/05/01/20260501100000000_plate-1234ABC_");

        assertThat(store.delete(key)).isTrue();
        assertThat(store.exists(key)).isFalse();
        assertThatThrownBy(() -> store.read(key))
                .as("a missing image is a missing file to the sender (NO_IMAGE_FILE_OCR), nothing else")
                .isInstanceOf(NoSuchFileException.class);
        assertThat(store.delete(key)).as("deleting what is not there is fine").isTrue();
        assertThat(store.delete(null)).isFalse();
    }

    @Test
    void theConditionalPutNeverOverwritesAnImageRewriteDoes() throws Exception {
        String key = key("5678DEF", UUID.randomUUID(), ImageStore.Kind.CTX);
        store.write(key, new byte[] {1});

        assertThatThrownBy(() -> store.write(key, new byte[] {2}))
                .isInstanceOf(ImageExistsException.class)
                .hasMessageContaining(key);
        assertThat(store.read(key)).as("the first image stays").containsExactly(1);

        store.rewrite(key, new byte[] {3});
        assertThat(store.read(key)).as("the legacy import's rewrite replaces").containsExactly(3);
    }

    @Test
    void keysThatAreNotRelativeImagePathsAreRefused() {
        for (String bad :
                new String[] {"../x.jpg", "/abs.jpg", "a//b.jpg", "a/./b.jpg", "a/../b.jpg", "a\\b.jpg", ""}) {
            assertThatThrownBy(() -> store.write(bad, new byte[] {1}))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theListingGivesOnlyOurKeysUnderThePrefixOlderThanTheCutoffPageByPage() throws Exception {
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 1005; i++) {
            String key = key("L" + i, UUID.randomUUID(), ImageStore.Kind.OCR);
            store.write(key, new byte[] {(byte) i});
            written.add(key);
        }
        raw.putObject(b -> b.bucket(bucket).key("elsewhere/" + written.get(0)), RequestBody.fromBytes(new byte[] {9}));

        List<List<String>> pages = new ArrayList<>();
        store.listOlderThan(Instant.now().plusSeconds(3600), pages::add);
        assertThat(pages).as("1000 keys a page").hasSize(2);
        assertThat(pages.stream().flatMap(List::stream).toList()).containsExactlyInAnyOrderElementsOf(written);

        List<List<String>> none = new ArrayList<>();
        store.listOlderThan(Instant.now().minusSeconds(3600), none::add);
        assertThat(none).as("nothing is older than an hour ago").isEmpty();
    }

    @Test
    void theOrphanSweepDeletesOldObjectsOfReadingsThatNeverCommittedAndKeepsReferencedOnes() throws Exception {
        try (HikariDataSource db = TestDb.open()) {
            TestDb.reset(db);
            UUID camera = TestDb.camera(db, "S3CAM01", null);
            UUID kept = UUID.randomUUID();
            String keptOcr = key("1111AAA", kept, ImageStore.Kind.OCR);
            store.write(keptOcr, new byte[] {1});
            new ReadingRepository(db)
                    .insert(
                            TestReadings.of(kept, camera, "1111AAA", T, "S3CAM01", new byte[] {1}, null),
                            keptOcr,
                            null);
            UUID neverCommitted = UUID.randomUUID();
            String orphanOcr = key("2222BBB", neverCommitted, ImageStore.Kind.OCR);
            String orphanCtx = key("2222BBB", neverCommitted, ImageStore.Kind.CTX);
            store.write(orphanOcr, new byte[] {2});
            store.write(orphanCtx, new byte[] {3});
            String foreign = "S3CAM01/2026/05/01/operator-notes.txt";
            store.write(foreign, new byte[] {4});

            // The sweep's clock two hours ahead: every object is past the 60-minute grace.
            Clock later = Clock.fixed(Instant.now().plus(Duration.ofHours(2)), ZoneOffset.UTC);
            OrphanImageSweeper.Result result = new OrphanImageSweeper(store, db, Duration.ofMinutes(60), later).sweep();

            assertThat(result.orphansDeleted()).isEqualTo(2);
            assertThat(store.exists(orphanOcr)).isFalse();
            assertThat(store.exists(orphanCtx)).isFalse();
            assertThat(store.exists(keptOcr)).as("referenced by a reading").isTrue();
            assertThat(store.exists(foreign)).as("not one of ours").isTrue();

            OrphanImageSweeper.Result now =
                    new OrphanImageSweeper(store, db, Duration.ofMinutes(60), Clock.systemUTC()).sweep();
            assertThat(now.orphansDeleted())
                    .as("within the grace period nothing goes")
                    .isZero();
        }
    }

    @Test
    void aStoreThatDoesNotAnswerIsUnavailableNeverAMissingImage() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        S3Config nowhere = new S3Config(
                URI.create("http://127.0.0.1:" + closed),
                bucket,
                "us-east-1",
                s3.accessKey(),
                s3.secretKey(),
                true,
                "");
        try (S3ImageStore down = new S3ImageStore(nowhere)) {
            String key = key("3333CCC", UUID.randomUUID(), ImageStore.Kind.OCR);
            assertThatThrownBy(() -> down.write(key, new byte[] {1}))
                    .isInstanceOf(ImageStorageUnavailableException.class)
                    .hasMessageContaining("PUT " + key);
            assertThatThrownBy(() -> down.read(key))
                    .isInstanceOf(ImageStorageUnavailableException.class)
                    .isNotInstanceOf(NoSuchFileException.class);
            assertThatThrownBy(down::check).isInstanceOf(ImageStorageUnavailableException.class);
            assertThat(down.delete(key)).isFalse();
        }
    }

    @Test
    void aWrongSecretOrAMissingBucketIsAClearErrorThatNeverShowsTheSecret() {
        String wrongSecret = "wrong-" + UUID.randomUUID();
        S3Config wrong =
                new S3Config(URI.create(s3.endpoint()), bucket, "us-east-1", s3.accessKey(), wrongSecret, true, "");
        try (S3ImageStore denied = new S3ImageStore(wrong)) {
            assertThatThrownBy(denied::check)
                    .isInstanceOf(ImageStorageUnavailableException.class)
                    .hasMessageContaining("access denied")
                    .hasMessageNotContaining(wrongSecret)
                    .hasMessageNotContaining(s3.secretKey());
            assertThatThrownBy(
                            () -> denied.write(key("4444DDD", UUID.randomUUID(), ImageStore.Kind.OCR), new byte[] {1}))
                    .isInstanceOf(ImageStorageUnavailableException.class)
                    .hasMessageNotContaining(wrongSecret);
        }
        try (S3ImageStore noBucket = new S3ImageStore(s3.config("no-such-bucket", ""))) {
            assertThatThrownBy(noBucket::check)
                    .isInstanceOf(ImageStorageUnavailableException.class)
                    .hasMessageContaining("the bucket does not exist");
        }
        assertThat(wrong.toString()).doesNotContain(wrongSecret);
    }

    @Test
    void describeNamesBucketPrefixAndEndpoint() throws IOException {
        assertThat(store.describe()).isEqualTo("S3 bucket '" + bucket + "' prefix 'tattile/' at " + s3.endpoint());
        store.check();
    }
}
