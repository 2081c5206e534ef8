package routes.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import routes.support.TestDb;

/**
 * The orphan sweep walks IMAGES_BASE_DIR while the sender deletes delivered readings' images: a file or a whole
 * folder that disappears during the walk is skipped, and the sweep goes on (issue 15: 11 of 20 sweeps failed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrphanSweepDuringDeletesTest {

    private final HikariDataSource db = TestDb.open();

    @AfterAll
    void close() {
        db.close();
    }

    @Test
    void foldersDeletedWhileTheSweepWalksAreSkippedAndTheRestIsSwept(@TempDir Path base) throws Exception {
        Instant old = Instant.now().minus(Duration.ofHours(2));
        List<Path> cameras = new ArrayList<>();
        for (String serial : List.of("CAM1", "CAM2", "CAM3", "CAM4")) {
            Path day = Files.createDirectories(base.resolve(serial).resolve("2026/01/01"));
            for (int i = 0; i < 3; i++) {
                Path image = day.resolve("20260101100000000_plate-" + i + "ABC_" + UUID.randomUUID() + "_ocr.jpg");
                Files.write(image, new byte[] {(byte) 0xFF, (byte) 0xD8});
                Files.setLastModifiedTime(image, FileTime.from(old));
            }
            cameras.add(base.resolve(serial));
        }
        List<Path> deleted = new ArrayList<>();
        // At the first file visited, the sender "delivers" every other camera's readings: their folders go.
        OrphanImageSweeper sweeper = new OrphanImageSweeper(
                new ImageStore(base, false), db, Duration.ofMinutes(1), Clock.systemUTC(), file -> {
                    if (deleted.isEmpty()) {
                        for (Path camera : cameras) {
                            if (!file.startsWith(camera)) {
                                deleteTree(camera);
                                deleted.add(camera);
                            }
                        }
                    }
                });

        OrphanImageSweeper.Result result = sweeper.sweep();

        assertThat(deleted).as("three camera folders vanished during the walk").hasSize(3);
        assertThat(result.orphansDeleted())
                .as("the visited camera's three orphans")
                .isEqualTo(3);
        try (Stream<Path> left = Files.walk(base)) {
            assertThat(left.filter(Files::isRegularFile)).isEmpty();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
