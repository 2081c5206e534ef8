package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.ingest.CameraActivity;
import routes.ingest.DatabaseUnavailableException;
import routes.ingest.IngestStats;
import routes.ingest.ReadingRecorder;
import routes.store.CameraActivityRepository;
import routes.store.ImageStore;
import routes.store.NewReading;
import routes.store.ReadingRepository;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.support.TestReadings;

/**
 * The narrowest moment of a PostgreSQL restart, made deterministic: the reading's insert commits, but
 * the connection drops before its reply arrives (SQLSTATE 08006). The ingest retries the store, as
 * ingest-errors does for a database that is unavailable; the retry must recognise its own committed
 * reading instead of taking it for a duplicate and deleting the images the row points to.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LostCommitReplyTest {

    static final Path IMAGES = Path.of("target/it-images/lost-commit-reply");

    private final HikariDataSource db = TestDb.open();

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(IMAGES);
    }

    @AfterAll
    void close() {
        db.close();
    }

    @Test
    void aRetryAfterACommitWhoseReplyWasLostKeepsTheStoredReadingAndItsImages() throws Exception {
        UUID camera = TestDb.camera(db, "LOST01", null);
        AtomicBoolean dropReply = new AtomicBoolean(true);
        IngestStats stats = new IngestStats();
        ImageStore images = new ImageStore(IMAGES, false);
        ReadingRecorder recorder = new ReadingRecorder(
                images,
                new ReadingRepository(replyDroppingOnce(db, dropReply)),
                stats,
                new CameraActivity(new CameraActivityRepository(db), Clock.systemUTC()));
        NewReading reading = TestReadings.of(
                UUID.randomUUID(),
                camera,
                "1234LST",
                Instant.parse("2026-11-02T10:00:00Z"),
                "LOST01",
                new byte[] {(byte) 0xFF, (byte) 0xD8, 1},
                new byte[] {(byte) 0xFF, (byte) 0xD8, 2});

        assertThatThrownBy(() -> recorder.record(reading)).isInstanceOf(DatabaseUnavailableException.class);
        assertThat(dropReply).isFalse();
        assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings"))
                .as("the first attempt did commit")
                .isEqualTo(1);

        ReadingRecorder.Recorded retried = recorder.record(reading); // what the route's redelivery does
        assertThat(retried.stored())
                .as("recognised as this reading, not a duplicate")
                .isTrue();
        assertThat(stats.storedCount()).isEqualTo(1);
        assertThat(stats.duplicateCount()).isZero();
        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue WHERE status = 'PENDING'"))
                .isEqualTo(1);
        String ocr = TestDb.text(db, "SELECT image_ocr_path FROM alpr_readings");
        String ctx = TestDb.text(db, "SELECT image_ctx_path FROM alpr_readings");
        assertThat(images.exists(ocr)).as("the OCR image the row points to").isTrue();
        assertThat(images.exists(ctx)).as("the context image the row points to").isTrue();
        assertThat(TestFiles.regularFiles(IMAGES)).hasSize(2);
    }

    /** The real pool, except that the first executeUpdate runs (and commits) but then fails as a dropped connection. */
    private static DataSource replyDroppingOnce(DataSource real, AtomicBoolean drop) {
        return proxy(
                DataSource.class,
                real,
                (method, result) -> method.getName().equals("getConnection")
                        ? proxy(
                                Connection.class,
                                result,
                                (m2, r2) -> m2.getName().equals("prepareStatement")
                                        ? proxy(PreparedStatement.class, r2, (m3, r3) -> {
                                            if (m3.getName().equals("executeUpdate") && drop.getAndSet(false)) {
                                                throw new SQLException(
                                                        "An I/O error occurred while sending to the backend (simulated after commit)",
                                                        "08006");
                                            }
                                            return r3;
                                        })
                                        : r2)
                        : result);
    }

    interface After {
        Object apply(Method method, Object result) throws Exception;
    }

    private static <T> T proxy(Class<T> type, Object target, After after) {
        return type.cast(Proxy.newProxyInstance(
                LostCommitReplyTest.class.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    return after.apply(method, result);
                }));
    }
}
