package routes.legacy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import routes.ingest.ReadingPlausibility;
import routes.legacy.ImportReport.Entity;
import routes.store.ImageStore;

/**
 * Copies the queued readings, one transaction per batch: a reading's images are copied under IMAGES_BASE_DIR, then its
 * row, its queue row and the map rows are inserted, and the batch commits. A batch that fails (or a process killed
 * mid-batch) commits nothing; its copied images sit at the paths the next run writes again (ids are derived from the
 * old ids), so a resumed run ends with exactly what an uninterrupted one would have.
 */
final class LegacyReadingImport {

    static final int BATCH = 200;
    /** Larger than any camera image (real ones are 20-100 KB; a camera document is at most a few MB). */
    static final long MAX_IMAGE_BYTES = 16L * 1024 * 1024;

    private final Connection target;
    private final LegacyImportMap map;
    private final ImportReport report;
    private final LegacyFiles imageFiles;
    private final ImageStore images;
    private final Map<Integer, LegacyRegistryImport.TargetCamera> cameras;
    private final Map<Integer, String> oldSerials;
    private final boolean dryRun;
    private final Instant now;
    /** Dry run only: the (serial, plate, time) keys seen, to find duplicates without inserting. */
    private final Set<String> seen = new HashSet<>();

    private final List<String> notImages = new ArrayList<>();
    private int missingOcr;
    private int missingCtx;

    LegacyReadingImport(
            Connection target,
            LegacyImportMap map,
            ImportReport report,
            LegacyFiles imageFiles,
            ImageStore images,
            Map<Integer, LegacyRegistryImport.TargetCamera> cameras,
            Map<Integer, String> oldSerials,
            boolean dryRun,
            Instant now) {
        this.target = target;
        this.map = map;
        this.report = report;
        this.imageFiles = imageFiles;
        this.images = images;
        this.cameras = cameras;
        this.oldSerials = oldSerials;
        this.dryRun = dryRun;
        this.now = now;
    }

    /** Before anything is written: every image file that exists can be read (a missing one is allowed: see {@link #importOne}). */
    static void checkReadable(List<LegacyRows.Queued> rows, LegacyFiles imageFiles) {
        for (LegacyRows.Queued q : rows) {
            for (String stored : new String[] {q.imageOcrPath(), q.imageCtxPath()}) {
                Path p = imageFiles.image(stored);
                if (p != null && Files.exists(p) && !Files.isReadable(p)) {
                    throw new LegacyImportException(
                            "Cannot read image " + p + " (run the import as root: the old product's files are root's)");
                }
            }
        }
    }

    /** The notes of the whole run, once every batch is imported. */
    void finish() {
        if (!notImages.isEmpty()) {
            report.operator(notImages.size()
                    + " image file(s) named by old rows are not camera images and were not copied (the readings "
                    + "are imported without them): "
                    + String.join(", ", notImages.subList(0, Math.min(10, notImages.size())))
                    + (notImages.size() > 10 ? ", ..." : ""));
        }
        if (missingOcr > 0) {
            report.note(missingOcr
                    + " reading(s) had no OCR image file: imported without it; they go DEAD NO_IMAGE_AVAILABLE_OCR when "
                    + "claimed, as in the old product");
        }
        if (missingCtx > 0) {
            report.note(missingCtx
                    + " reading(s) had no context image file: imported without it and sent without it (the old sender "
                    + "would have discarded them)");
        }
    }

    /** One batch, one transaction (rolled back in a dry run). */
    void importBatch(List<LegacyRows.Queued> batch) throws SQLException, IOException {
        List<String> written = new ArrayList<>();
        List<int[]> remembered = new ArrayList<>();
        try {
            for (LegacyRows.Queued q : batch) {
                importOne(q, written, remembered);
            }
            if (dryRun) {
                target.rollback();
            } else {
                target.commit();
            }
        } catch (SQLException | IOException | RuntimeException e) {
            target.rollback();
            written.forEach(images::delete);
            remembered.forEach(r -> map.forget(r[0] == 0 ? LegacyImportMap.READING : LegacyImportMap.QUEUE, r[1]));
            throw e;
        }
    }

    private void importOne(LegacyRows.Queued q, List<String> written, List<int[]> remembered)
            throws SQLException, IOException {
        if (map.contains(LegacyImportMap.QUEUE, q.queueId())) {
            report.addAlready(Entity.READING);
            return;
        }
        String status = switch (q.status()) {
            case "PENDING" -> "PENDING";
            case "FAILED", "SENDING" -> "FAILED";
            case "DEAD" -> "DEAD";
            case "SUCCESS" -> null;
            default -> "?";
        };
        if (status == null) {
            skip(q, "SUCCESS_ALREADY_DELIVERED", true, remembered);
            return;
        }
        if ("?".equals(status)) {
            report.addSkipped(Entity.READING, "UNKNOWN_STATUS_" + q.status(), false);
            return;
        }
        if (map.contains(LegacyImportMap.READING, q.readingId())) {
            skip(q, "SECOND_QUEUE_ROW_OF_A_READING", true, remembered);
            return;
        }
        LegacyRegistryImport.TargetCamera camera = cameras.get(q.cameraId());
        if (camera == null) {
            report.addSkipped(
                    Entity.READING, "CAMERA_NOT_IMPORTED:" + oldSerials.getOrDefault(q.cameraId(), "?"), false);
            return;
        }
        if (q.timestampUtc() == null) {
            report.addSkipped(Entity.READING, "NO_TIMESTAMP", false);
            return;
        }
        String plate = q.plate() == null ? "" : q.plate().strip().toUpperCase(Locale.ROOT);
        UUID duplicateOf = duplicateOf(camera.serial(), plate, q.timestampUtc());
        if (duplicateOf != null) {
            if (!dryRun) {
                map.record(
                        target, LegacyImportMap.READING, q.readingId(), duplicateOf, "duplicate (camera, plate, time)");
                map.record(target, LegacyImportMap.QUEUE, q.queueId(), null, "duplicate (camera, plate, time)");
            }
            remember(remembered, q);
            report.addSkipped(Entity.READING, "DUPLICATE_CAMERA_PLATE_TIME", true);
            return;
        }
        UUID readingId = map.newId(LegacyImportMap.READING, q.readingId());
        String ocr = copy(
                q.hasImageOcr(),
                q.imageOcrPath(),
                camera.serial(),
                plate,
                q.timestampUtc(),
                readingId,
                ImageStore.Kind.OCR,
                written);
        String ctx = copy(
                q.hasImageCtx(),
                q.imageCtxPath(),
                camera.serial(),
                plate,
                q.timestampUtc(),
                readingId,
                ImageStore.Kind.CTX,
                written);
        if (ocr == null) {
            missingOcr++;
        }
        if (q.hasImageCtx() && ctx == null) {
            missingCtx++;
        }
        if (!dryRun) {
            insertReading(q, readingId, camera, plate, ocr, ctx);
            UUID queueId = map.newId(LegacyImportMap.QUEUE, q.queueId());
            insertQueueRow(q, queueId, readingId, status);
            map.record(target, LegacyImportMap.READING, q.readingId(), readingId, null);
            map.record(
                    target,
                    LegacyImportMap.QUEUE,
                    q.queueId(),
                    queueId,
                    q.status().equals(status) ? null : "was " + q.status());
        } else {
            seen.add(key(camera.serial(), plate, q.timestampUtc()));
            map.remember(LegacyImportMap.READING, q.readingId(), readingId);
        }
        remember(remembered, q);
        report.importedReading(status);
    }

    private void skip(LegacyRows.Queued q, String reason, boolean expected, List<int[]> remembered)
            throws SQLException {
        if (!dryRun) {
            map.record(target, LegacyImportMap.QUEUE, q.queueId(), null, reason);
            remembered.add(new int[] {1, q.queueId()});
        }
        report.addSkipped(Entity.READING, reason, expected);
    }

    private static void remember(List<int[]> remembered, LegacyRows.Queued q) {
        remembered.add(new int[] {0, q.readingId()});
        remembered.add(new int[] {1, q.queueId()});
    }

    /** The reading already stored here with the same camera, plate and time (an earlier old row, or one received live). */
    private UUID duplicateOf(String serial, String plate, Instant time) throws SQLException {
        if (dryRun) {
            return seen.contains(key(serial, plate, time)) ? new UUID(0, 0) : existing(serial, plate, time);
        }
        return existing(serial, plate, time);
    }

    private UUID existing(String serial, String plate, Instant time) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement(
                "SELECT id FROM alpr_readings WHERE device_sn = ? AND plate = ? AND timestamp_utc = ?")) {
            ps.setString(1, serial);
            ps.setString(2, plate);
            ps.setTimestamp(3, Timestamp.from(time));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getObject(1, UUID.class) : null;
            }
        }
    }

    private static String key(String serial, String plate, Instant time) {
        return serial + "\n" + plate + "\n" + time;
    }

    /**
     * Copies one image to its place here; null when the old row has none, or its file is missing, or is not what the
     * old ingest wrote: a regular file (not a link) holding a JPEG of sane size. The import runs as root and a row's
     * path is only text: it must not carry, say, /etc/shadow to Mossos as a reading's image.
     */
    private String copy(
            boolean has,
            String stored,
            String serial,
            String plate,
            Instant time,
            UUID readingId,
            ImageStore.Kind kind,
            List<String> written)
            throws IOException {
        Path source = has ? imageFiles.image(stored) : null;
        if (source == null || !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (Files.size(source) > MAX_IMAGE_BYTES) {
            notImages.add(source + " (larger than " + MAX_IMAGE_BYTES + " bytes)");
            return null;
        }
        byte[] bytes = Files.readAllBytes(source);
        if (!ReadingPlausibility.isJpeg(bytes)) {
            notImages.add(source + " (not a JPEG)");
            return null;
        }
        String relative = ImageStore.relativePath(serial, plate, time, readingId, kind);
        if (!dryRun) {
            images.rewrite(relative, bytes);
            written.add(relative);
            handOver(images.resolve(relative));
        }
        return relative;
    }

    /**
     * Run as root (the old files are root's), the copies and the folders made for them would be root's too, and the
     * service could neither delete them after delivery nor add a reading's image to such a day folder: they go to the
     * owner of IMAGES_BASE_DIR, the service user. Not root: nothing to hand over.
     */
    private void handOver(Path file) throws IOException {
        Path base = images.baseDir();
        UserPrincipal owner = Files.getOwner(base);
        for (Path p = file; p != null && !p.equals(base); p = p.getParent()) {
            if (!owner.equals(Files.getOwner(p, LinkOption.NOFOLLOW_LINKS))) {
                try {
                    Files.setOwner(p, owner);
                } catch (IOException | UnsupportedOperationException notAllowed) {
                    return;
                }
            } else if (p != file) {
                return; // this folder and those above it are already the owner's
            }
        }
    }

    private void insertReading(
            LegacyRows.Queued q,
            UUID id,
            LegacyRegistryImport.TargetCamera camera,
            String plate,
            String ocr,
            String ctx)
            throws SQLException {
        try (PreparedStatement ps = target.prepareStatement("""
                INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, direction, lane_id, lane_descr, ocr_score, country_code,
                    country, bbox_min_x, bbox_min_y, bbox_max_x, bbox_max_y, char_height, has_image_ocr, has_image_ctx, image_ocr_path,
                    image_ctx_path, camera_id, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            int i = 1;
            ps.setObject(i++, id);
            ps.setString(i++, plate);
            // As stored: the old product kept the camera's wall clock as if it were UTC, and sent it so; this product
            // sends timestamp_utc's UTC date and time, hence the same dataLectura/horaLectura the old sender would have
            // sent.
            ps.setTimestamp(i++, Timestamp.from(q.timestampUtc()));
            ps.setString(i++, camera.serial());
            ps.setString(i++, q.direction());
            setInt(ps, i++, q.laneId());
            ps.setString(i++, q.laneDescr());
            ps.setBigDecimal(i++, q.ocrScore() == null ? null : BigDecimal.valueOf(q.ocrScore()));
            ps.setString(i++, q.countryCode());
            ps.setString(i++, q.country());
            setInt(ps, i++, q.bboxMinX());
            setInt(ps, i++, q.bboxMinY());
            setInt(ps, i++, q.bboxMaxX());
            setInt(ps, i++, q.bboxMaxY());
            setInt(ps, i++, q.charHeight());
            ps.setBoolean(i++, ocr != null);
            ps.setBoolean(i++, ctx != null);
            ps.setString(i++, ocr);
            ps.setString(i++, ctx);
            ps.setObject(i++, camera.id());
            ps.setTimestamp(i, Timestamp.from(q.readingCreatedAt() != null ? q.readingCreatedAt() : now));
            ps.executeUpdate();
        }
    }

    /**
     * PENDING stays PENDING, due now; FAILED keeps its next_retry_at; SENDING (a send the old sender never finished) becomes
     * FAILED SENDING_TIMEOUT_RECOVERED due now, as the old sender's own recovery did; DEAD keeps its reason and time.
     */
    private void insertQueueRow(LegacyRows.Queued q, UUID id, UUID readingId, String status) throws SQLException {
        String lastError = "SENDING".equals(q.status())
                ? "SENDING_TIMEOUT_RECOVERED"
                : "DEAD".equals(status)
                                && (q.lastError() == null || q.lastError().isBlank())
                        ? "DEAD"
                        : q.lastError();
        Instant due = "FAILED".equals(q.status()) && q.nextRetryAt() != null ? q.nextRetryAt() : now;
        Instant updated = "DEAD".equals(status) && q.updatedAt() != null ? q.updatedAt() : now;
        try (PreparedStatement ps = target.prepareStatement("""
                INSERT INTO messages_queue (id, reading_id, status, attempts, last_error, next_attempt_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setObject(1, id);
            ps.setObject(2, readingId);
            ps.setString(3, status);
            ps.setInt(4, Math.max(0, q.attempts()));
            ps.setString(5, lastError);
            ps.setTimestamp(6, Timestamp.from(due));
            ps.setTimestamp(7, Timestamp.from(q.createdAt() != null ? q.createdAt() : now));
            ps.setTimestamp(8, Timestamp.from(updated));
            ps.executeUpdate();
        }
    }

    private static void setInt(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }
}
