package routes.legacy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import routes.legacy.LegacyExpected.Cam;
import routes.legacy.LegacyExpected.Camera;
import routes.legacy.LegacyExpected.Case;
import routes.legacy.LegacyExpected.Images;
import routes.legacy.LegacyExpected.Reading;

/**
 * alpr_readings and messages_queue rows and their image files, made the way the old ingest
 * (app/ingest/service.py, image_storage.py, utils/images.py) and the old sender (app/sender/worker.py) leave them.
 */
final class LegacyReadings {

    /** How long before the build the SUCCESS row's send happened (also the camera's last_sent_at). */
    static final Duration SUCCESS_AGE = Duration.ofSeconds(30);

    private static final DateTimeFormatter TATTILE_TIME = DateTimeFormatter.ofPattern("HH-mm-ss-SSS");

    private final OldRows rows;
    private final Path imagesDir;
    private final OffsetDateTime buildTime;
    private final String mossosUrl;

    /** The queue columns a case leaves behind; updatedAt null means "the row's created_at". */
    private record QueueRow(
            String status,
            int attempts,
            String lastError,
            OffsetDateTime updatedAt,
            OffsetDateTime sentAt,
            OffsetDateTime nextRetryAt) {}

    LegacyReadings(OldRows rows, Path imagesDir, OffsetDateTime buildTime, String mossosUrl) {
        this.rows = rows;
        this.imagesDir = imagesDir;
        this.buildTime = buildTime;
        this.mossosUrl = mossosUrl;
    }

    /** Every {@link Case}, in declaration order (so ids follow it). */
    Map<Case, Reading> insertAll(Map<Cam, Camera> cameras) throws SQLException, IOException {
        Map<Case, Reading> readings = new EnumMap<>(Case.class);
        for (Case c : Case.values()) {
            readings.put(c, insert(c, cameras.get(c.cam()).id()));
        }
        return readings;
    }

    private Reading insert(Case c, int cameraId) throws SQLException, IOException {
        byte[] ocr = LegacyImages.jpeg(imageSeed(c) + "/ocr");
        byte[] ctx = c.images() == Images.BOTH ? LegacyImages.jpeg(imageSeed(c) + "/ctx") : null;
        String ocrPath = storedPath(c, "ocr");
        String ctxPath = ctx == null ? null : storedPath(c, "ctx");
        Path ocrFile = resolve(ocrPath);
        Path ctxFile = ctxPath == null ? null : resolve(ctxPath);
        if (c != Case.PENDING_OCR_FILE_MISSING) {
            write(ocrFile, ocr);
        }
        if (ctxFile != null) {
            write(ctxFile, ctx);
        }
        OffsetDateTime createdAt = receivedAt(c);
        int readingId = insertReading(c, cameraId, ocrPath, ctxPath, rawXml(c, ocr, ctx), createdAt);
        int queueId = insertQueueRow(readingId, queueRow(c), createdAt.plusNanos(3_000_000));
        return new Reading(readingId, queueId, c, ocrPath, ctxPath, ocrFile, ctxFile);
    }

    /** The duplicate is the same message sent again: the same image bytes as the reading it repeats. */
    private static String imageSeed(Case c) {
        return (c == Case.PENDING_DUPLICATE ? Case.PENDING_BOTH_IMAGES : c).name();
    }

    /** The path as alpr_readings holds it, in the case's form. */
    private String storedPath(Case c, String kind) {
        String relative = LegacyImages.relativePath(c.cam().serial(), c.cameraClock(), c.plate(), kind);
        return switch (c.pathForm()) {
            case RELATIVE -> relative;
            case ABSOLUTE -> imagesDir.resolve(relative).toString();
            case DATA_IMAGES -> "data/images/" + relative;
        };
    }

    /** resolve_image_path: absolute as is; "data/images/" stripped; else under IMAGES_BASE_DIR (".." included, as the old code did). */
    private Path resolve(String stored) {
        Path p = Path.of(stored);
        if (p.isAbsolute()) {
            return p;
        }
        String relative = stored.startsWith("data/images/") ? stored.substring("data/images/".length()) : stored;
        return imagesDir.resolve(relative).normalize();
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    /** When the old ingest received it: the reading's real instant plus a moment; a resend 3 s later for the duplicate. */
    private static OffsetDateTime receivedAt(Case c) {
        OffsetDateTime received = c.realInstant().plusNanos(412_000_000);
        return c == Case.PENDING_DUPLICATE ? received.plusSeconds(3) : received;
    }

    /** The XML the camera sent (a Tattile {@code <root>} document with the images in Base64), kept whole in raw_xml. */
    private static String rawXml(Case c, byte[] ocr, byte[] ctx) {
        return "<?xml version='1.0' encoding='UTF-8' standalone='no'?>\n<root>\n"
                + "<PLATE_STRING>" + c.plate() + "</PLATE_STRING>\n"
                + "<PLATE_COUNTRY_CODE>ESP</PLATE_COUNTRY_CODE>\n"
                + "<PLATE_COUNTRY>España</PLATE_COUNTRY>\n"
                + "<OCRSCORE>" + ocrScore(c) + "</OCRSCORE>\n"
                + "<DATE>" + Case.DAY + "</DATE>\n"
                + "<TIME>" + TATTILE_TIME.format(c.cameraClock()) + "</TIME>\n"
                + "<DEVICE_SN>" + c.cam().serial() + "</DEVICE_SN>\n"
                + "<DIRECTION>APPROACH</DIRECTION>\n"
                + "<LANE_ID>1</LANE_ID>\n"
                + "<LANE_DESCR>Carril 1</LANE_DESCR>\n"
                + "<ORIG_PLATE_MIN_X>812</ORIG_PLATE_MIN_X>\n<ORIG_PLATE_MIN_Y>640</ORIG_PLATE_MIN_Y>\n"
                + "<ORIG_PLATE_MAX_X>1010</ORIG_PLATE_MAX_X>\n<ORIG_PLATE_MAX_Y>688</ORIG_PLATE_MAX_Y>\n"
                + "<PLATE_CHAR_HEIGHT>31</PLATE_CHAR_HEIGHT>\n"
                + "<IMAGE_OCR>" + Base64.getEncoder().encodeToString(ocr) + "</IMAGE_OCR>\n"
                + (ctx == null ? "" : "<IMAGE_CTX>" + Base64.getEncoder().encodeToString(ctx) + "</IMAGE_CTX>\n")
                + "</root>\n";
    }

    private static int ocrScore(Case c) {
        return 80 + c.ordinal();
    }

    /** process_tattile_payload's AlprReading: the parsed fields, the image paths it got back, raw_xml, created_at. */
    private int insertReading(
            Case c, int cameraId, String ocrPath, String ctxPath, String rawXml, OffsetDateTime createdAt)
            throws SQLException {
        return rows.insert(
                "INSERT INTO alpr_readings (camera_id, device_sn, plate, timestamp_utc, direction, lane_id, "
                        + "lane_descr, ocr_score, country_code, country, bbox_min_x, bbox_min_y, bbox_max_x, bbox_max_y, "
                        + "char_height, has_image_ocr, has_image_ctx, image_ocr_path, image_ctx_path, raw_xml, created_at) "
                        + "VALUES (?, ?, ?, ?, 'APPROACH', 1, 'Carril 1', ?, 'ESP', 'España', 812, 640, 1010, 688, 31, "
                        + "true, ?, ?, ?, ?, ?) RETURNING id",
                cameraId,
                c.cam().serial(),
                c.plate(),
                c.timestampUtc(),
                ocrScore(c),
                ctxPath != null,
                ocrPath,
                ctxPath,
                rawXml,
                createdAt);
    }

    private int insertQueueRow(int readingId, QueueRow q, OffsetDateTime createdAt) throws SQLException {
        return rows.insert(
                "INSERT INTO messages_queue (reading_id, status, attempts, last_error, created_at, sent_at, "
                        + "updated_at, last_sent_at, next_retry_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                readingId,
                q.status(),
                q.attempts(),
                q.lastError(),
                createdAt,
                q.sentAt(),
                q.updatedAt() == null ? createdAt : q.updatedAt(),
                q.sentAt(),
                q.nextRetryAt());
    }

    /** What the old sender left in the queue row for each status (times relative to the build). */
    private QueueRow queueRow(Case c) {
        return switch (c) {
            case FAILED_RETRY_DUE -> {
                OffsetDateTime failedAt = buildTime.minusMinutes(3);
                yield new QueueRow("FAILED", 1, transportError(), failedAt, null, failedAt.plusSeconds(1));
            }
            case FAILED_RETRY_LATER ->
                new QueueRow(
                        "FAILED",
                        1,
                        "codiError=E999 | Servei temporalment no disponible | codiRetorn=0000",
                        buildTime.minusMinutes(1),
                        null,
                        buildTime.plusHours(1));
            case SENDING_STUCK -> new QueueRow("SENDING", 0, null, buildTime.minusMinutes(10), null, null);
            case DEAD_MAX_RETRIES ->
                new QueueRow("DEAD", 3, "MAX_REINTENTOS_AGOTADOS", buildTime.minusMinutes(2), null, null);
            case SUCCESS_NOT_DELETED -> {
                OffsetDateTime sentAt = successTime(buildTime);
                yield new QueueRow("SUCCESS", 1, null, sentAt, sentAt, null);
            }
            default -> new QueueRow("PENDING", 0, null, null, null, null); // updated_at = the row's created_at
        };
    }

    /** When the SUCCESS row was sent, on the sender's local clock (datetime.now().astimezone()): UTC+1. */
    static OffsetDateTime successTime(OffsetDateTime buildTime) {
        return buildTime.minus(SUCCESS_AGE).withOffsetSameInstant(LegacyExpected.CAMERA_CLOCK_OFFSET);
    }

    /** What requests/urllib3 put in str(exc) on a read timeout, for the endpoint's host (the old sender stored str(exc)). */
    private String transportError() {
        URI uri = URI.create(mossosUrl);
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        return (https ? "HTTPSConnectionPool" : "HTTPConnectionPool") + "(host='" + uri.getHost() + "', port=" + port
                + "): Read timed out. (read timeout=5.0)";
    }
}
