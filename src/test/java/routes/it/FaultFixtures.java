package routes.it;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import routes.store.ImageStore;
import routes.store.OrphanImageSweeper;
import routes.support.TestCertificates;
import routes.support.TestDb;

/** Registry, preloaded queues and consistency checks shared by the process-level fault tests. */
final class FaultFixtures {

    private FaultFixtures() {}

    /** A municipality signing with a fresh certificate, and its cameras. */
    static TestCertificates.Generated registry(
            HikariDataSource db, Path certs, String municipality, List<String> serials) throws Exception {
        TestDb.reset(db);
        TestCertificates.Generated cert = TestCertificates.generate(certs, "Ajuntament " + municipality, 30, null);
        UUID certId = TestCertificates.registerPem(db, municipality.toLowerCase(), cert);
        TestDb.execute(
                db,
                "INSERT INTO municipalities (name, certificate_id) VALUES ('" + municipality + "', '" + certId + "')");
        for (String serial : serials) {
            TestDb.execute(
                    db,
                    "INSERT INTO cameras (serial_number, municipality_id) SELECT '" + serial
                            + "', id FROM municipalities WHERE name = '" + municipality + "'");
        }
        return cert;
    }

    /** Queues {@code count} readings as ingest stores them: image files first, then reading + PENDING rows in one transaction. */
    static void preload(HikariDataSource db, ImageStore images, List<String> serials, int count, byte[] ocr, byte[] ctx)
            throws Exception {
        Instant base = Instant.now().minusSeconds(3600);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement r = c.prepareStatement("""
                    INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, country_code, has_image_ocr, has_image_ctx,
                        image_ocr_path, image_ctx_path, camera_id)
                    SELECT ?, ?, ?, ?, 'ESP', true, ?, ?, ?, id FROM cameras WHERE serial_number = ?""");
                    PreparedStatement q = c.prepareStatement("INSERT INTO messages_queue (reading_id) VALUES (?)")) {
                for (int i = 0; i < count; i++) {
                    UUID id = UUID.randomUUID();
                    String serial = serials.get(i % serials.size());
                    String plate =
                            String.format("%04dBCD", i % 10_000) + (i / 10_000 == 0 ? "" : String.valueOf(i / 10_000));
                    Instant when = base.plusMillis(i);
                    String ocrPath = ImageStore.relativePath(serial, plate, when, id, ImageStore.Kind.OCR);
                    String ctxPath =
                            ctx == null ? null : ImageStore.relativePath(serial, plate, when, id, ImageStore.Kind.CTX);
                    images.write(ocrPath, ocr);
                    if (ctxPath != null) {
                        images.write(ctxPath, ctx);
                    }
                    r.setObject(1, id);
                    r.setString(2, plate);
                    r.setTimestamp(3, Timestamp.from(when));
                    r.setString(4, serial);
                    r.setBoolean(5, ctxPath != null);
                    r.setString(6, ocrPath);
                    r.setString(7, ctxPath);
                    r.setString(8, serial);
                    r.addBatch();
                    q.setObject(1, id);
                    q.addBatch();
                }
                r.executeBatch();
                q.executeBatch();
            }
            c.commit();
        }
    }

    /** Readings whose queue row is missing, plus queue rows whose reading is missing. */
    static long halfStoredReadings(HikariDataSource db) throws Exception {
        return TestDb.count(
                        db,
                        "SELECT count(*) FROM alpr_readings r LEFT JOIN messages_queue q ON q.reading_id = r.id WHERE q.id IS NULL")
                + TestDb.count(
                        db,
                        "SELECT count(*) FROM messages_queue q LEFT JOIN alpr_readings r ON r.id = q.reading_id WHERE r.id IS NULL");
    }

    /** Image paths (relative to IMAGES_BASE_DIR) the readings point at. */
    private static List<String> referencedPaths(HikariDataSource db) throws Exception {
        List<String> paths = new ArrayList<>();
        try (Connection c = db.getConnection();
                var s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT image_ocr_path FROM alpr_readings UNION ALL SELECT image_ctx_path FROM alpr_readings")) {
            while (rs.next()) {
                if (rs.getString(1) != null) {
                    paths.add(rs.getString(1));
                }
            }
        }
        return paths;
    }

    /** Image paths that readings point at but that are not on disk. */
    static Set<String> missingImages(HikariDataSource db, ImageStore images) throws Exception {
        Set<String> missing = new HashSet<>();
        for (String p : referencedPaths(db)) {
            if (!images.exists(p)) {
                missing.add(p);
            }
        }
        return missing;
    }

    /** Image files on disk that no reading points at. */
    static Set<Path> unreferencedFiles(HikariDataSource db, ImageStore images) throws Exception {
        Set<String> referenced = new HashSet<>();
        for (String p : referencedPaths(db)) {
            referenced.add(images.resolve(p).toString());
        }
        Set<Path> orphans = new HashSet<>();
        if (Files.isDirectory(images.baseDir())) {
            try (Stream<Path> files = Files.walk(images.baseDir())) {
                files.filter(Files::isRegularFile)
                        .filter(f -> !referenced.contains(f.toString()))
                        .forEach(orphans::add);
            }
        }
        return orphans;
    }

    /** The maintenance flow's orphan sweep, run as if its grace period had passed. */
    static OrphanImageSweeper.Result sweepAsIfLater(HikariDataSource db, ImageStore images) throws Exception {
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10));
        return new OrphanImageSweeper(images, db, Duration.ofMinutes(1), later).sweep();
    }
}
