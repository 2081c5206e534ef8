package routes.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.apache.camel.BeanInject;
import org.apache.camel.EndpointInject;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.TattileConfiguration;
import routes.store.ImageStore;
import routes.store.NewReading;
import routes.store.OrphanImageSweeper;
import routes.store.ReadingRepository;
import routes.support.LogCapture;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.support.TestReadings;

/** The maintenance route deletes old images no reading references, and nothing else. */
@CamelMainTest(
        configurationClasses = TattileConfiguration.class,
        properties = {
            "TATTILE_FLOWS=maintenance",
            TestDb.HOST_PROPERTY,
            TestDb.NAME_PROPERTY,
            TestDb.USER_PROPERTY,
            TestDb.PASSWORD_PROPERTY,
            "IMAGES_BASE_DIR=" + OrphanImageSweepTest.IMAGES,
            "IMAGES_ORPHAN_GRACE_MINUTES=60"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrphanImageSweepTest {

    static final String IMAGES = "target/it-images/orphans";

    private final HikariDataSource db = TestDb.open();

    @BeanInject("imageStore")
    ImageStore images;

    @EndpointInject("direct:maintenance-orphan-images")
    ProducerTemplate sweep;

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(Path.of(IMAGES));
    }

    @AfterAll
    void closeDb() {
        db.close();
    }

    @Test
    void oldUnreferencedImagesAndStaleTempFilesGoReferencedRecentAndForeignFilesStay() throws Exception {
        UUID camera = TestDb.camera(db, "SWEEP01", null);
        Instant t = Instant.parse("2026-05-01T10:00:00Z");

        UUID kept = UUID.randomUUID();
        String keptOcr = ImageStore.relativePath("SWEEP01", "1111AAA", t, kept, ImageStore.Kind.OCR);
        images.write(keptOcr, new byte[] {1});
        new ReadingRepository(db).insert(reading(kept, camera, t), keptOcr, null);

        String orphan = ImageStore.relativePath("SWEEP01", "2222BBB", t, UUID.randomUUID(), ImageStore.Kind.CTX);
        String recentOrphan = ImageStore.relativePath("SWEEP01", "3333CCC", t, UUID.randomUUID(), ImageStore.Kind.OCR);
        String temp = "SWEEP01/2026/05/01/.tmp-whatever_ocr.jpg";
        String foreign = "SWEEP01/2026/05/01/operator-notes.txt";
        for (String p : new String[] {orphan, recentOrphan, temp, foreign}) {
            Files.createDirectories(images.resolve(p).getParent());
            Files.write(images.resolve(p), new byte[] {2});
        }
        FileTime old = FileTime.from(Instant.now().minus(2, ChronoUnit.HOURS));
        for (String p : new String[] {keptOcr, orphan, temp, foreign}) {
            Files.setLastModifiedTime(images.resolve(p), old);
        }

        try (LogCapture logs = new LogCapture()) {
            OrphanImageSweeper.Result result = sweep.requestBody((Object) null, OrphanImageSweeper.Result.class);
            assertThat(result.orphansDeleted()).isEqualTo(1);
            assertThat(result.tempFilesDeleted()).isEqualTo(1);
            assertThat(logs.linesContaining("[MAINTENANCE] Imágenes huérfanas eliminadas: 1"))
                    .hasSize(1);
        }
        assertThat(images.exists(keptOcr)).isTrue();
        assertThat(images.exists(orphan)).isFalse();
        assertThat(images.exists(recentOrphan)).isTrue();
        assertThat(Files.exists(images.resolve(temp))).isFalse();
        assertThat(Files.exists(images.resolve(foreign))).isTrue();
    }

    @EndpointInject("direct:maintenance-dead-retention")
    ProducerTemplate deadRetention;

    @Test
    void deadReadingsOlderThanTheRetentionAreDeletedWithTheirImagesYoungerOnesAndOthersStay() throws Exception {
        UUID camera = TestDb.camera(db, "DEAD01", null);
        Instant t = Instant.parse("2026-05-01T10:00:00Z");
        UUID oldDead = UUID.randomUUID();
        UUID newDead = UUID.randomUUID();
        UUID pending = UUID.randomUUID();
        String[] paths = new String[3];
        UUID[] ids = {oldDead, newDead, pending};
        for (int i = 0; i < 3; i++) {
            paths[i] =
                    ImageStore.relativePath("DEAD01", "100" + i + "AAA", t.plusSeconds(i), ids[i], ImageStore.Kind.OCR);
            images.write(paths[i], new byte[] {1});
            new ReadingRepository(db)
                    .insert(
                            TestReadings.of(
                                    ids[i],
                                    camera,
                                    "100" + i + "AAA",
                                    t.plusSeconds(i),
                                    "DEAD01",
                                    new byte[] {1},
                                    null),
                            paths[i],
                            null);
        }
        TestDb.execute(
                db,
                "UPDATE messages_queue SET status = 'DEAD', last_error = 'NO_IMAGE_AVAILABLE_OCR', updated_at = now() - interval '8 days' "
                        + "WHERE reading_id = '" + oldDead + "'");
        TestDb.execute(
                db,
                "UPDATE messages_queue SET status = 'DEAD', last_error = 'NO_IMAGE_AVAILABLE_OCR', updated_at = now() - interval '6 days' "
                        + "WHERE reading_id = '" + newDead + "'");
        try (LogCapture logs = new LogCapture()) {
            assertThat(deadRetention.requestBody((Object) null, Integer.class)).isEqualTo(1);
            assertThat(logs.linesContaining("[MAINTENANCE] Lecturas DEAD eliminadas tras 7 días: 1"))
                    .hasSize(1);
        }
        assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings WHERE id = ?", oldDead))
                .isZero();
        assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings")).isEqualTo(2);
        assertThat(images.exists(paths[0])).isFalse();
        assertThat(images.exists(paths[1])).isTrue();
        assertThat(images.exists(paths[2])).isTrue();
    }

    @Test
    void anEmptyOrMissingImagesFolderIsFine() throws Exception {
        OrphanImageSweeper.Result result = sweep.requestBody((Object) null, OrphanImageSweeper.Result.class);
        assertThat(result.orphansDeleted()).isZero();
    }

    private static NewReading reading(UUID id, UUID camera, Instant t) {
        return TestReadings.of(id, camera, "1111AAA", t, "SWEEP01", new byte[] {1}, null);
    }
}
