package routes.store;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Copies the images of every reading still in the database (whatever its queue status: PENDING, SENDING, FAILED and
 * DEAD readings all keep their images) from the folder ({@code IMAGES_BASE_DIR}) to an S3 bucket, under the same keys
 * ({@code admin images migrate --to s3}). Nothing in the folder is changed or deleted.
 *
 * <p>Readings are read in batches in primary-key order (keyset: {@code id > last}), never all at once. For each image
 * the bucket is asked first ({@link S3ImageStore#compare}): an object with the same bytes is skipped (what an earlier,
 * interrupted run copied), an object with other bytes is a conflict and is left as it is, and only a missing one is
 * written, with the store's create-only write (a 412 there means someone wrote it meanwhile: compared again). So a run
 * killed half-way and started again ends as one complete run would, re-reading but never re-writing what is there.
 *
 * <p>A local file that is not there is not an error of the run: if the object is in the bucket already (a service that
 * already runs on it stored it there) it counts as there; if the reading was deleted meanwhile (delivered while the
 * migration ran) it is skipped; otherwise it is reported, since that reading will go DEAD ({@code NO_IMAGE_FILE_OCR})
 * when sent, or be sent without its context image.
 */
public final class ImageMigration {

    /** Readings per batch (each has one or two images). */
    public static final int BATCH = 500;

    /** Keys kept per kind of problem for the report; the counts are always complete. */
    static final int LISTED = 100;

    /** After each batch, with the report so far: the caller shows progress (a test stops the run there). */
    @FunctionalInterface
    public interface Progress {
        void batchDone(Report soFar);
    }

    /** What a run did (or, with {@code dryRun}, would do). */
    public static final class Report {
        private final boolean dryRun;
        private final Map<String, Long> readingsByStatus = new TreeMap<>();
        private long readings;
        private long images;
        private long copied;
        private long bytesCopied;
        private long alreadyThere;
        private long onlyInBucket;
        private long gone;
        private final Problems conflicts = new Problems();
        private final Problems missingOcr = new Problems();
        private final Problems missingCtx = new Problems();
        private final Problems unreadable = new Problems();
        private final Problems refused = new Problems();

        public Report(boolean dryRun) {
            this.dryRun = dryRun;
        }

        public boolean dryRun() {
            return dryRun;
        }

        /** Readings with at least one image, by queue status ({@code none}: no queue row). */
        public Map<String, Long> readingsByStatus() {
            return Collections.unmodifiableMap(readingsByStatus);
        }

        public long readings() {
            return readings;
        }

        /** Image references of those readings (OCR and context). */
        public long images() {
            return images;
        }

        /** Written to the bucket by this run (with {@code dryRun}: that would be written). */
        public long copied() {
            return copied;
        }

        public long bytesCopied() {
            return bytesCopied;
        }

        /** In the bucket with the same bytes already: skipped. */
        public long alreadyThere() {
            return alreadyThere;
        }

        /** Not in the folder but in the bucket (stored there by a service already on S3): nothing to do. */
        public long onlyInBucket() {
            return onlyInBucket;
        }

        /** Of readings deleted while the run went on (delivered meanwhile): nothing to do. */
        public long gone() {
            return gone;
        }

        /** In the bucket with other bytes: left as they are. */
        public Problems conflicts() {
            return conflicts;
        }

        /** OCR images neither in the folder nor in the bucket: the reading goes DEAD (NO_IMAGE_FILE_OCR) when sent. */
        public Problems missingOcr() {
            return missingOcr;
        }

        /** Context images neither in the folder nor in the bucket: the reading is sent without it. */
        public Problems missingCtx() {
            return missingCtx;
        }

        /** Local files that exist but could not be read (permissions, not a file). */
        public Problems unreadable() {
            return unreadable;
        }

        /** References that are not image keys (outside IMAGES_BASE_DIR, characters a key never has): not copied. */
        public Problems refused() {
            return refused;
        }

        /** Something the operator has to look at. */
        public boolean needsOperator() {
            return conflicts.count() + missingOcr.count() + missingCtx.count() + unreadable.count() + refused.count()
                    > 0;
        }
    }

    /** A kind of problem: how many, and the first {@value #LISTED} keys (with why, where there is more to say). */
    public static final class Problems {
        private long count;
        private final List<String> keys = new ArrayList<>();

        void add(String entry) {
            count++;
            if (keys.size() < LISTED) {
                keys.add(entry);
            }
        }

        public long count() {
            return count;
        }

        public List<String> keys() {
            return Collections.unmodifiableList(keys);
        }
    }

    private final DataSource dataSource;
    private final ImageStore source;
    private final S3ImageStore target;
    private final int batch;

    public ImageMigration(DataSource dataSource, ImageStore source, S3ImageStore target) {
        this(dataSource, source, target, BATCH);
    }

    /** With another batch size (tests: to stop a run between two batches). */
    public ImageMigration(DataSource dataSource, ImageStore source, S3ImageStore target, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be 1 or more");
        }
        this.dataSource = dataSource;
        this.source = source;
        this.target = target;
        this.batch = batch;
    }

    private record Row(UUID id, String status, String ocr, String ctx) {}

    /**
     * Copies, counting into {@code report} (with {@link Report#dryRun}: only compares and counts; the bucket is read,
     * never written). A run that throws leaves in {@code report} what it did up to there.
     *
     * @throws ImageStorageUnavailableException the bucket stopped answering: the run stops there; run it again
     */
    public Report run(Report report, Progress progress) throws IOException, SQLException {
        UUID last = null;
        while (true) {
            List<Row> rows = nextBatch(last);
            if (rows.isEmpty()) {
                return report;
            }
            for (Row row : rows) {
                report.readings++;
                report.readingsByStatus.merge(row.status(), 1L, Long::sum);
                if (row.ocr() != null) {
                    migrate(report, row, row.ocr(), true);
                }
                if (row.ctx() != null) {
                    migrate(report, row, row.ctx(), false);
                }
            }
            last = rows.get(rows.size() - 1).id();
            progress.batchDone(report);
        }
    }

    private List<Row> nextBatch(UUID after) throws SQLException {
        String sql = "SELECT r.id, coalesce(q.status, 'none'), r.image_ocr_path, r.image_ctx_path"
                + " FROM alpr_readings r LEFT JOIN messages_queue q ON q.reading_id = r.id"
                + " WHERE (r.image_ocr_path IS NOT NULL OR r.image_ctx_path IS NOT NULL)"
                + (after == null ? "" : " AND r.id > ?")
                + " ORDER BY r.id LIMIT ?";
        List<Row> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (after != null) {
                ps.setObject(i++, after);
            }
            ps.setInt(i, batch);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
        }
        return rows;
    }

    private void migrate(Report report, Row row, String key, boolean ocr) throws IOException, SQLException {
        report.images++;
        try {
            source.resolve(key);
            target.objectKey(key);
        } catch (IllegalArgumentException e) {
            report.refused.add(key);
            return;
        }
        byte[] bytes;
        try {
            bytes = source.read(key);
        } catch (NoSuchFileException e) {
            missing(report, row, key, ocr);
            return;
        } catch (IOException e) {
            report.unreadable.add(key + " (" + e.getClass().getSimpleName() + ")");
            return;
        }
        S3ImageStore.Comparison there = target.compare(key, bytes);
        if (there == S3ImageStore.Comparison.ABSENT && !report.dryRun) {
            try {
                target.write(key, bytes);
                report.copied++;
                report.bytesCopied += bytes.length;
                return;
            } catch (ImageExistsException e) {
                there = target.compare(key, bytes); // written meanwhile (another run): the same, or a conflict
            }
        }
        switch (there) {
            case ABSENT -> {
                report.copied++; // dry run: would be copied
                report.bytesCopied += bytes.length;
            }
            case SAME -> report.alreadyThere++;
            case DIFFERENT -> report.conflicts.add(key);
        }
    }

    /** No local file: in the bucket already, or its reading gone meanwhile, or really missing. */
    private void missing(Report report, Row row, String key, boolean ocr) throws IOException, SQLException {
        if (target.exists(key)) {
            report.onlyInBucket++;
        } else if (!stillReferenced(row.id(), key)) {
            report.gone++;
        } else if (ocr) {
            report.missingOcr.add(key);
        } else {
            report.missingCtx.add(key);
        }
    }

    /** The reading is still there with this image (the sender deletes the row first, then its files). */
    private boolean stillReferenced(UUID id, String key) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT 1 FROM alpr_readings WHERE id = ? AND (image_ocr_path = ? OR image_ctx_path = ?)")) {
            ps.setObject(1, id);
            ps.setString(2, key);
            ps.setString(3, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
