package routes.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import routes.config.Setting;
import routes.store.ImageMigration;
import routes.store.ImageStore;
import routes.store.S3ImageStore;
import routes.support.Cli;
import routes.support.Cli.Run;
import routes.support.S3ProxyServer;
import routes.support.TestDb;
import routes.support.TestFiles;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code admin images migrate --to s3}: the images of the readings in the real test database, from a folder to a real
 * S3 implementation (S3Proxy, its own JVM), through the jar's command line. The .env still says IMAGE_STORE=folder.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImagesMigrateTest {

    private static final String PREFIX = "tattile/";
    private static final String SERIAL = "MIGCAM01";
    private static final Instant T = Instant.parse("2026-05-01T10:00:00Z");

    private final HikariDataSource db = TestDb.open();
    private final Random random = new Random(15);
    private S3ProxyServer s3;
    private S3Client raw;
    private String bucket;
    private UUID camera;
    private int plates;

    @TempDir
    Path dir;

    private Path images;
    private Path envFile;

    @BeforeAll
    void startS3Proxy() throws Exception {
        s3 = S3ProxyServer.start();
        raw = s3.client();
    }

    @AfterAll
    void stop() throws Exception {
        raw.close();
        s3.close();
        db.close();
    }

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
        camera = TestDb.camera(db, SERIAL, null);
        bucket = "migrate-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(bucket);
        images = Files.createDirectories(dir.resolve("images"));
        envFile = writeEnv(dir.resolve("test.env"), Map.of());
    }

    /** The service's .env before the switch: IMAGE_STORE=folder, and the S3_* settings already filled in. */
    private Path writeEnv(Path file, Map<String, String> overrides) throws Exception {
        var dbSettings = TestDb.settings();
        Map<String, String> m = new TreeMap<>(s3.settings(bucket, PREFIX));
        m.put("IMAGE_STORE", "folder");
        m.put("IMAGES_BASE_DIR", images.toString());
        m.put("DB_NAME", TestDb.NAME);
        m.put("DB_HOST", dbSettings.text(Setting.DB_HOST));
        m.put("DB_PORT", dbSettings.text(Setting.DB_PORT));
        m.putAll(overrides);
        StringBuilder text = new StringBuilder();
        m.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, text.toString());
        return file;
    }

    private Cli cli() {
        return new Cli(envFile);
    }

    /** One reading, with its queue row; its images (random bytes) written to the folder. Returns key -> bytes. */
    private Map<String, byte[]> reading(String status, boolean ctx) throws Exception {
        UUID id = UUID.randomUUID();
        String plate = "M" + (plates++) + "ABC";
        Instant time = T.plusSeconds(plates);
        String ocrKey = ImageStore.relativePath(SERIAL, plate, time, id, ImageStore.Kind.OCR);
        String ctxKey = ctx ? ImageStore.relativePath(SERIAL, plate, time, id, ImageStore.Kind.CTX) : null;
        try (var c = db.getConnection();
                var ps = c.prepareStatement(
                        "INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, has_image_ocr, has_image_ctx,"
                                + " image_ocr_path, image_ctx_path, camera_id) VALUES (?, ?, ?, ?, true, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setString(2, plate);
            ps.setObject(3, time.atOffset(ZoneOffset.UTC));
            ps.setString(4, SERIAL);
            ps.setBoolean(5, ctx);
            ps.setString(6, ocrKey);
            ps.setString(7, ctxKey);
            ps.setObject(8, camera);
            ps.executeUpdate();
        }
        try (var c = db.getConnection();
                var ps = c.prepareStatement("INSERT INTO messages_queue (reading_id, status) VALUES (?, ?)")) {
            ps.setObject(1, id);
            ps.setString(2, status);
            ps.executeUpdate();
        }
        Map<String, byte[]> written = new HashMap<>();
        written.put(ocrKey, file(ocrKey, 200 + random.nextInt(2000)));
        if (ctx) {
            written.put(ctxKey, file(ctxKey, 3000 + random.nextInt(5000)));
        }
        return written;
    }

    private byte[] file(String key, int size) throws Exception {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        bytes[0] = (byte) 0xFF;
        bytes[1] = (byte) 0xD8;
        Path p = images.resolve(key);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return bytes;
    }

    /** Readings of every queue status, with and without a context image. */
    private Map<String, byte[]> queue() throws Exception {
        Map<String, byte[]> all = new TreeMap<>();
        for (String status : List.of("PENDING", "PENDING", "FAILED", "SENDING", "DEAD")) {
            all.putAll(reading(status, true));
        }
        all.putAll(reading("PENDING", false));
        return all;
    }

    /** The bucket's objects, key (without the prefix) -> bytes. */
    private Map<String, byte[]> bucketContents() {
        Map<String, byte[]> m = new TreeMap<>();
        for (S3Object o : raw.listObjectsV2(b -> b.bucket(bucket)).contents()) {
            assertThat(o.key()).startsWith(PREFIX);
            m.put(
                    o.key().substring(PREFIX.length()),
                    raw.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray());
        }
        return m;
    }

    private void put(String key, byte[] bytes) {
        raw.putObject(b -> b.bucket(bucket).key(PREFIX + key), RequestBody.fromBytes(bytes));
    }

    /** Where S3Proxy's filesystem backend keeps each object, and when each file was last written. */
    private Map<Path, FileTime> objectFiles() throws Exception {
        Map<Path, FileTime> m = new TreeMap<>();
        for (Path p : TestFiles.regularFiles(s3.data().resolve(bucket))) {
            m.put(p, Files.getLastModifiedTime(p));
        }
        return m;
    }

    private static void assertSameContents(Map<String, byte[]> actual, Map<String, byte[]> expected) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((k, v) -> assertThat(actual.get(k)).as(k).isEqualTo(v));
    }

    @Test
    void everyReferencedImageIsCopiedWithItsBytesNothingElseAndARunAgainRewritesNothing() throws Exception {
        Map<String, byte[]> queued = queue();
        // Not referenced by any reading: an orphan, a temporary file, a file with another name.
        file(ImageStore.relativePath(SERIAL, "ORPHAN", T, UUID.randomUUID(), ImageStore.Kind.OCR), 100);
        file(SERIAL + "/2026/05/01/.tmp-half.jpg", 10);
        file("notes.txt", 10);

        Run first = cli().ok("admin", "images", "migrate", "--to", "s3");

        assertThat(first.out())
                .contains("images from folder " + images + " to S3 bucket '" + bucket + "' prefix '" + PREFIX + "'")
                .contains("Readings with images: 6 (DEAD 1, FAILED 1, PENDING 3, SENDING 1), images: 11")
                .contains("Copied: 11 (")
                .contains("Already in the bucket with the same bytes (skipped): 0")
                .contains("The folder is unchanged")
                .doesNotContain(s3.secretKey());
        assertSameContents(bucketContents(), queued);
        assertThat(TestFiles.regularFiles(images)).as("nothing local deleted").hasSize(14);

        Map<Path, FileTime> written = objectFiles();
        assertThat(written).hasSize(11);
        JsonNode again =
                cli().ok("admin", "images", "migrate", "--to", "s3", "--json").json();

        assertThat(again.get("dryRun").asBoolean()).isFalse();
        assertThat(again.get("readings").asLong()).isEqualTo(6);
        assertThat(again.get("images").asLong()).isEqualTo(11);
        assertThat(again.get("copied").asLong()).isZero();
        assertThat(again.get("alreadyThere").asLong()).isEqualTo(11);
        assertThat(again.get("conflicts").get("count").asLong()).isZero();
        assertThat(again.get("needsOperator").asBoolean()).isFalse();
        assertThat(again.get("readingsByStatus").get("SENDING").asLong()).isEqualTo(1);
        assertThat(objectFiles()).as("no object written again").isEqualTo(written);
        assertSameContents(bucketContents(), queued);
    }

    @Test
    void aDifferentObjectUnderAKeyIsAConflictLeftAsItIsAndTheExitStatusSaysSo() throws Exception {
        Map<String, byte[]> queued = queue();
        List<String> keys = new ArrayList<>(queued.keySet());
        String otherLength = keys.get(0);
        String sameLength = keys.get(1);
        byte[] shorter = {1, 2, 3};
        byte[] sameSize = queued.get(sameLength).clone();
        sameSize[sameSize.length - 1] ^= 0x55;
        put(otherLength, shorter);
        put(sameLength, sameSize);

        Run run = cli().run("admin", "images", "migrate", "--to", "s3");

        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).isEmpty();
        assertThat(run.out())
                .contains("Conflicts: another object under the key, left as it is")
                .contains(": 2\n")
                .contains("  " + otherLength)
                .contains("  " + sameLength)
                .contains("Copied: 9 (");
        Map<String, byte[]> expected = new TreeMap<>(queued);
        expected.put(otherLength, shorter);
        expected.put(sameLength, sameSize);
        assertSameContents(bucketContents(), expected);

        JsonNode again =
                cli().run("admin", "images", "migrate", "--to", "s3", "--json").json();
        assertThat(again.get("conflicts").get("count").asLong()).isEqualTo(2);
        assertThat(again.get("conflicts").get("keys"))
                .extracting(JsonNode::asText)
                .containsExactlyInAnyOrder(otherLength, sameLength);
        assertThat(again.get("alreadyThere").asLong()).isEqualTo(9);
        assertThat(again.get("needsOperator").asBoolean()).isTrue();
        assertSameContents(bucketContents(), expected);
    }

    @Test
    void aMissingLocalFileIsReportedAndTheRestCopied() throws Exception {
        Map<String, byte[]> queued = queue();
        String lostOcr = queued.keySet().stream()
                .filter(k -> k.endsWith("_ocr.jpg"))
                .findFirst()
                .orElseThrow();
        String lostCtx = queued.keySet().stream()
                .filter(k -> k.endsWith("_ctx.jpg"))
                .reduce((a, b) -> b)
                .orElseThrow();
        Files.delete(images.resolve(lostOcr));
        Files.delete(images.resolve(lostCtx));
        // Stored by a service that already runs on the bucket: no local file, and nothing missing.
        Map<String, byte[]> inBucketOnly = reading("PENDING", false);
        String onlyThere = inBucketOnly.keySet().iterator().next();
        put(onlyThere, inBucketOnly.get(onlyThere));
        Files.delete(images.resolve(onlyThere));

        Run run = cli().run("admin", "images", "migrate", "--to", "s3");

        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.out())
                .contains("OCR images in neither place: these readings go DEAD (NO_IMAGE_FILE_OCR) when sent: 1\n  "
                        + lostOcr)
                .contains("Context images in neither place: these readings are sent without them: 1\n  " + lostCtx)
                .contains("Not in the folder but in the bucket already: 1")
                .contains("Copied: 9 (");
        Map<String, byte[]> expected = new TreeMap<>(queued);
        expected.remove(lostOcr);
        expected.remove(lostCtx);
        expected.putAll(inBucketOnly);
        assertSameContents(bucketContents(), expected);
    }

    @Test
    void aDryRunComparesAndCountsButWritesNothing() throws Exception {
        Map<String, byte[]> queued = queue();
        String conflicting = queued.keySet().iterator().next();
        put(conflicting, new byte[] {9});
        Map<Path, FileTime> before = objectFiles();

        JsonNode report = cli().run("admin", "images", "migrate", "--to", "s3", "--dry-run", "--json")
                .json();

        assertThat(report.get("dryRun").asBoolean()).isTrue();
        assertThat(report.get("wouldCopy").asLong()).isEqualTo(10);
        assertThat(report.has("copied")).isFalse();
        assertThat(report.get("conflicts").get("keys"))
                .extracting(JsonNode::asText)
                .containsExactly(conflicting);
        assertThat(objectFiles()).as("the bucket is as it was").isEqualTo(before);
        assertThat(bucketContents()).containsOnlyKeys(conflicting);

        Run text = cli().run("admin", "images", "migrate", "--to", "s3", "--dry-run");
        assertThat(text.exit()).isEqualTo(2);
        assertThat(text.out()).startsWith("Dry run, nothing written: ").contains("To copy: 10 (");
        assertThat(bucketContents()).containsOnlyKeys(conflicting);
    }

    @Test
    void aRunStoppedHalfWayThenRunAgainEndsAsOneFullRun() throws Exception {
        Map<String, byte[]> queued = new TreeMap<>();
        for (int i = 0; i < 4; i++) {
            queued.putAll(queue());
        }
        // The first run is killed after its second batch of 5 readings (of 24): in batches, by primary key.
        List<Long> seen = new ArrayList<>();
        var stopped = new ImageMigration.Report(false);
        try (S3ImageStore bucketStore = new S3ImageStore(s3.config(bucket, PREFIX))) {
            var migration = new ImageMigration(db, new ImageStore(images, false), bucketStore, 5);
            assertThatThrownBy(() -> migration.run(stopped, soFar -> {
                        seen.add(soFar.readings());
                        if (seen.size() == 2) {
                            throw new IllegalStateException("killed");
                        }
                    }))
                    .hasMessage("killed");
        }
        assertThat(seen).containsExactly(5L, 10L);
        long copiedFirst = stopped.copied();
        assertThat(copiedFirst).isBetween(10L, 20L);
        assertThat(bucketContents()).hasSize((int) copiedFirst);

        JsonNode resumed =
                cli().ok("admin", "images", "migrate", "--to", "s3", "--json").json();

        assertThat(resumed.get("alreadyThere").asLong()).isEqualTo(copiedFirst);
        assertThat(resumed.get("copied").asLong()).isEqualTo(queued.size() - copiedFirst);
        assertSameContents(bucketContents(), queued);

        // A run with batches of 7 over the whole queue sees every reading once (the keyset pages cover all).
        var full = new ImageMigration.Report(false);
        List<Long> pages = new ArrayList<>();
        try (S3ImageStore bucketStore = new S3ImageStore(s3.config(bucket, PREFIX))) {
            new ImageMigration(db, new ImageStore(images, false), bucketStore, 7)
                    .run(full, soFar -> pages.add(soFar.readings()));
        }
        assertThat(pages).containsExactly(7L, 14L, 21L, 24L);
        assertThat(full.images()).isEqualTo(queued.size());
        assertThat(full.alreadyThere()).isEqualTo(queued.size());
        assertThat(full.copied()).isZero();
    }

    @Test
    void anObjectWhoseETagIsNotItsMd5IsComparedByItsBytes() throws Exception {
        String key = ImageStore.relativePath(SERIAL, "MULTI", T, UUID.randomUUID(), ImageStore.Kind.OCR);
        byte[] bytes = new byte[6000];
        random.nextBytes(bytes);
        // A multipart upload (one part): its ETag is not the MD5 of the content.
        String upload = raw.createMultipartUpload(b -> b.bucket(bucket).key(PREFIX + key))
                .uploadId();
        String etag = raw.uploadPart(
                        b -> b.bucket(bucket).key(PREFIX + key).uploadId(upload).partNumber(1),
                        RequestBody.fromBytes(bytes))
                .eTag();
        raw.completeMultipartUpload(b -> b.bucket(bucket)
                .key(PREFIX + key)
                .uploadId(upload)
                .multipartUpload(CompletedMultipartUpload.builder()
                        .parts(CompletedPart.builder().partNumber(1).eTag(etag).build())
                        .build()));
        byte[] other = bytes.clone();
        other[3000] ^= 1;

        try (S3ImageStore store = new S3ImageStore(s3.config(bucket, PREFIX))) {
            assertThat(store.compare(key, bytes)).isEqualTo(S3ImageStore.Comparison.SAME);
            assertThat(store.compare(key, other)).isEqualTo(S3ImageStore.Comparison.DIFFERENT);
            assertThat(store.compare(key, new byte[] {1})).isEqualTo(S3ImageStore.Comparison.DIFFERENT);
            assertThat(store.compare(key + "x", bytes)).isEqualTo(S3ImageStore.Comparison.ABSENT);
        }
    }

    @Test
    void whatStopsTheCommandIsOneLineWithExitOneAndNeverTheSecret() throws Exception {
        queue();

        assertThat(cli().fails(1, "admin", "images", "migrate", "--to", "folder"))
                .startsWith("--to folder is not a target: use --to s3");
        assertThat(cli().fails(1, "admin", "images", "migrate"))
                .as("bad arguments: 1, so that 2 only means 'done, look at the report'")
                .contains("--to");

        Path noBucket = writeEnv(dir.resolve("no-bucket.env"), Map.of("S3_BUCKET", ""));
        assertThat(new Cli(noBucket).fails(1, "admin", "images", "migrate", "--to", "s3"))
                .startsWith("Invalid configuration: S3_BUCKET is empty but admin images migrate --to s3 needs it");

        Path unreachable = writeEnv(dir.resolve("unreachable.env"), Map.of("S3_ENDPOINT", "http://127.0.0.1:1"));
        assertThat(new Cli(unreachable).fails(1, "admin", "images", "migrate", "--to", "s3"))
                .startsWith("The bucket cannot be used: S3 bucket '" + bucket + "'")
                .doesNotContain(s3.secretKey());

        Path noFolder = writeEnv(
                dir.resolve("no-folder.env"),
                Map.of("IMAGES_BASE_DIR", dir.resolve("absent").toString()));
        assertThat(new Cli(noFolder).fails(1, "admin", "images", "migrate", "--to", "s3"))
                .isEqualTo("IMAGES_BASE_DIR '" + dir.resolve("absent") + "' is not a folder: it is where the images"
                        + " are copied from");

        assertThat(bucketContents()).isEmpty();
    }

    @Test
    void withImageStoreS3AlreadySetItStillCopiesFromTheFolder() throws Exception {
        Map<String, byte[]> queued = queue();
        envFile = writeEnv(dir.resolve("s3.env"), Map.of("IMAGE_STORE", "s3"));

        cli().ok("admin", "images", "migrate", "--to", "s3");

        assertSameContents(bucketContents(), queued);
    }
}
