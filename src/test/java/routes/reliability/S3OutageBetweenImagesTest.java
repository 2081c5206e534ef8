package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.ingest.CameraActivity;
import routes.ingest.ImagesUnavailableException;
import routes.ingest.IngestStats;
import routes.ingest.ReadingRecorder;
import routes.store.CameraActivityRepository;
import routes.store.ImageStorage;
import routes.store.ImageStore;
import routes.store.NewReading;
import routes.store.OrphanImageSweeper;
import routes.store.ReadingRepository;
import routes.store.S3ImageStore;
import routes.support.S3ProxyServer;
import routes.support.TestDb;
import routes.support.TestReadings;
import routes.tools.SyntheticReadings;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The bucket goes away between a reading's two writes: its OCR object is in the bucket, its context image is not, and
 * the delete of the OCR object fails too (the store is down). Nothing may be half-stored: no rows, and the leftover
 * object is either adopted by the retry of the same reading (its key carries the reading id) or removed by the orphan
 * sweep. Real S3 (S3Proxy in its own JVM, stopped for real after the first PUT) and the real PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3OutageBetweenImagesTest {

    private static final String PREFIX = "tattile/";
    private static final Instant T = Instant.parse("2026-07-01T10:00:08Z");

    private final HikariDataSource db = TestDb.open();
    private final SyntheticReadings synthetic = new SyntheticReadings(13, 2048, 4096);
    private S3ProxyServer s3;
    private S3Client raw;
    private String bucket;
    private UUID camera;

    @BeforeAll
    void start() throws Exception {
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
        bucket = "mid-reading-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(bucket);
        TestDb.execute(db, "INSERT INTO municipalities (name) VALUES ('Girona')");
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, codigo_lector, municipality_id) "
                        + "SELECT 'S3MID1', 'GIR-MID', id FROM municipalities WHERE name = 'Girona'");
        camera = UUID.fromString(TestDb.text(db, "SELECT id::text FROM cameras WHERE serial_number = 'S3MID1'"));
    }

    private NewReading reading(UUID id) {
        return TestReadings.of(id, camera, "3456MID", T, "S3MID1", synthetic.ocrJpeg(), synthetic.ctxJpeg());
    }

    private List<String> objectKeys() {
        return raw.listObjectsV2(b -> b.bucket(bucket)).contents().stream()
                .map(S3Object::key)
                .sorted()
                .toList();
    }

    private long rows() throws Exception {
        return TestDb.count(db, "SELECT count(*) FROM alpr_readings")
                + TestDb.count(db, "SELECT count(*) FROM messages_queue");
    }

    /**
     * Records through {@code store} with S3Proxy stopped right after the reading's first image is in the bucket (the
     * real store then fails the second PUT and both deletes), and restarts it.
     */
    private void recordWithOutageAfterFirstImage(S3ImageStore store, NewReading r) throws Exception {
        ImageStorage stopsAfterFirstWrite = new ImageStorage() {
            private boolean stopped;

            @Override
            public void write(String key, byte[] bytes) throws IOException {
                store.write(key, bytes);
                if (!stopped) {
                    stopped = true;
                    try {
                        s3.stop();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                }
            }

            @Override
            public void rewrite(String key, byte[] bytes) throws IOException {
                store.rewrite(key, bytes);
            }

            @Override
            public byte[] read(String key) throws IOException {
                return store.read(key);
            }

            @Override
            public boolean delete(String key) {
                return store.delete(key);
            }

            @Override
            public boolean exists(String key) throws IOException {
                return store.exists(key);
            }

            @Override
            public String describe() {
                return store.describe();
            }

            @Override
            public void check() throws IOException {
                store.check();
            }
        };
        var recorder = new ReadingRecorder(
                stopsAfterFirstWrite,
                new ReadingRepository(db),
                new IngestStats(),
                new CameraActivity(new CameraActivityRepository(db), Clock.systemUTC()));
        try {
            assertThatThrownBy(() -> recorder.record(r))
                    .as("the store's outage is an outage to the route (back-pressure, retries), not a refusal")
                    .isInstanceOf(ImagesUnavailableException.class);
        } finally {
            s3.restart();
        }
    }

    private String key(UUID id, ImageStore.Kind kind) {
        return ImageStore.relativePath("S3MID1", "3456MID", T, id, kind);
    }

    @Test
    void theRetryOfTheSameReadingAdoptsTheImageWrittenBeforeTheOutageAndStoresItWhole() throws Exception {
        UUID id = UUID.randomUUID();
        try (S3ImageStore store = new S3ImageStore(s3.config(bucket, PREFIX))) {
            recordWithOutageAfterFirstImage(store, reading(id));

            assertThat(rows())
                    .as("no row of a reading whose images are not all stored")
                    .isZero();
            assertThat(objectKeys())
                    .as("only the OCR image reached the bucket, and its delete failed with the store")
                    .containsExactly(PREFIX + key(id, ImageStore.Kind.OCR));

            var recorded = new ReadingRecorder(
                            store,
                            new ReadingRepository(db),
                            new IngestStats(),
                            new CameraActivity(new CameraActivityRepository(db), Clock.systemUTC()))
                    .record(reading(id));

            assertThat(recorded.stored()).isTrue();
        }
        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue WHERE status = 'PENDING'"))
                .isEqualTo(1);
        assertThat(objectKeys())
                .as("both images of the one reading, the first written once")
                .containsExactly(PREFIX + key(id, ImageStore.Kind.CTX), PREFIX + key(id, ImageStore.Kind.OCR));
        assertThat(raw.getObjectAsBytes(b -> b.bucket(bucket).key(PREFIX + key(id, ImageStore.Kind.OCR)))
                        .asByteArray())
                .isEqualTo(synthetic.ocrJpeg());
    }

    @Test
    void anAbandonedReadingLeavesOnlyAnObjectTheOrphanSweepRemovesAfterItsGrace() throws Exception {
        UUID id = UUID.randomUUID();
        try (S3ImageStore store = new S3ImageStore(s3.config(bucket, PREFIX))) {
            recordWithOutageAfterFirstImage(store, reading(id));
            assertThat(rows()).isZero();
            assertThat(objectKeys()).containsExactly(PREFIX + key(id, ImageStore.Kind.OCR));

            Clock now = Clock.fixed(Instant.now(), ZoneOffset.UTC);
            var withinGrace = new OrphanImageSweeper(store, db, Duration.ofHours(1), now).sweep();
            assertThat(withinGrace.orphansDeleted())
                    .as("a reading may still be on its way within the grace period")
                    .isZero();
            assertThat(objectKeys()).hasSize(1);

            Clock later = Clock.offset(now, Duration.ofHours(2));
            var afterGrace = new OrphanImageSweeper(store, db, Duration.ofHours(1), later).sweep();
            assertThat(afterGrace.orphansDeleted()).isEqualTo(1);
        }
        assertThat(objectKeys()).as("nothing left behind").isEmpty();
    }
}
