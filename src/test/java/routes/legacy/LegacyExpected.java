package routes.legacy;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * What a {@link LegacyInstallation} holds, so tests assert without magic numbers: the fixed facts in the enums
 * ({@link Town}, {@link Cert}, {@link Cam}, {@link Case}), the database ids and paths the build produced in the maps.
 *
 * @param municipalities     municipalities.id per town
 * @param endpointDefaults   endpoints.id of the first "mossos" endpoint (timeout 0, retries 0, backoff 0: the old
 *                           sender's defaults); Girona and Salt point at it
 * @param endpointOverride   endpoints.id of the second endpoint, also named "mossos" (20000 ms, 5 retries, 2000 ms);
 *                           camera TAT-SA-002 overrides with it
 * @param certificates       the certificate rows
 * @param cameras            the camera rows
 * @param readings           one alpr_readings row and its messages_queue row per case
 */
public record LegacyExpected(
        Map<Town, Integer> municipalities,
        int endpointDefaults,
        int endpointOverride,
        Map<Cert, Certificate> certificates,
        Map<Cam, Camera> cameras,
        Map<Case, Reading> readings) {

    /** The wall clock of the cameras: Catalonia, UTC+1 on the fixture's dates. */
    public static final ZoneOffset CAMERA_CLOCK_OFFSET = ZoneOffset.ofHours(1);

    /**
     * The Girona certificate the old sender used: {@link Cert#GIRONA} (certs/gi/, the lower id, the first row in the
     * heap). {@code Municipality.certificate} is {@code lazy="joined", uselist=False}: SQLAlchemy keeps the first
     * row of {@code municipalities LEFT OUTER JOIN certificates ON municipalities.id = certificates.municipality_id}.
     * Every send after an iteration's first commit reloads the expired municipality by primary key (SQLAlchemy 1.4+
     * runs joined eager loads on unexpire): a nested loop over a sequential scan of certificates, heap order, so this
     * one. Caveat, plan-dependent: the iteration's batch query ({@code WHERE municipalities.id IN (...)}) over
     * several municipalities, on these never-analysed tables, is a hash join with certificates hashed, and a hash
     * bucket returns the LAST inserted row first ({@link Cert#GIRONA_OLD}); a Girona message processed first in such
     * an iteration, before any commit, went out with that one.
     */
    public Certificate gironaCertificateTheOldSenderUsed() {
        return certificates.get(Cert.GIRONA);
    }

    /** Municipalities: names are not unique in the old schema (two "Girona"). */
    public enum Town {
        GIRONA("Girona", "GI"),
        SALT("Salt", null),
        CELRA("Celrà", "CE"),
        /** A second "Girona", no cameras, no endpoint, no certificate. */
        GIRONA_DUPLICATE("Girona", "GI2");

        private final String municipalityName;
        private final String code;

        Town(String municipalityName, String code) {
            this.municipalityName = municipalityName;
            this.code = code;
        }

        public String municipalityName() {
            return municipalityName;
        }

        /** municipalities.code, null for Salt. */
        public String code() {
            return code;
        }
    }

    /** Certificate rows, in insertion (id) order. */
    public enum Cert {
        /** app/admin/certs.py style, certs/gi/, name MOSSOS_gi, type PEM, absolute paths. */
        GIRONA("gi", "MOSSOS_gi", Town.GIRONA),
        /** The same, made from another key into certs/gi-old/, SAME name MOSSOS_gi, same municipality. */
        GIRONA_OLD("gi-old", "MOSSOS_gi", Town.GIRONA),
        /** app/scripts/import_certificate_from_pfx.py style, certs/salt/, alias = name = salt, type PEM_PAIR, relative paths. */
        SALT("salt", "salt", Town.SALT),
        /** certs/celra/ holds only privpub.pem and the pfx; key_path names a key.pem that does not exist. */
        CELRA("celra", "MOSSOS_celra", Town.CELRA);

        private final String folder;
        private final String certificateName;
        private final Town town;

        Cert(String folder, String certificateName, Town town) {
            this.folder = folder;
            this.certificateName = certificateName;
            this.town = town;
        }

        /** The folder under CERTS_DIR. */
        public String folder() {
            return folder;
        }

        /** certificates.name. */
        public String certificateName() {
            return certificateName;
        }

        public Town town() {
            return town;
        }
    }

    /** Cameras. */
    public enum Cam {
        /** coord_x/coord_y set; cameras.certificate_id points at the WRONG certificate (Salt's), which the old sender ignored. */
        GI_001("TAT-GI-001", "GI-01", Town.GIRONA),
        /** coord_x/coord_y NULL, utm_x/utm_y set; endpoint_id = the override endpoint; active = false (never checked by the old sender). */
        SA_002("TAT-SA-002", "SA-02", Town.SALT),
        /** A serial our product refuses (path traversal); the old product wrote its image to IMAGES_BASE_DIR/../evil/. */
        EVIL("../evil", "EV-01", Town.GIRONA),
        CE_003("TAT-CE-003", "CE-03", Town.CELRA);

        private final String serial;
        private final String codigoLector;
        private final Town town;

        Cam(String serial, String codigoLector, Town town) {
            this.serial = serial;
            this.codigoLector = codigoLector;
            this.town = town;
        }

        public String serial() {
            return serial;
        }

        public String codigoLector() {
            return codigoLector;
        }

        public Town town() {
            return town;
        }
    }

    /** How an image path is written in alpr_readings. */
    public enum PathForm {
        /** {@code <SN>/YYYY/MM/DD/<file>}, relative to IMAGES_BASE_DIR: what the old ingest stores. */
        RELATIVE,
        /** The absolute path of the file. */
        ABSOLUTE,
        /** {@code data/images/<SN>/...}: an older form the old resolve_image_path strips. */
        DATA_IMAGES
    }

    /** Which images a reading has. */
    public enum Images {
        BOTH,
        OCR_ONLY
    }

    /** The readings, one messages_queue row each; plates are distinct except the duplicate's. */
    public enum Case {
        PENDING_BOTH_IMAGES(Cam.GI_001, "1234ABC", "PENDING", "10:15:30", Images.BOTH, PathForm.RELATIVE),
        PENDING_OCR_ONLY_ABSOLUTE(Cam.GI_001, "2345BCD", "PENDING", "10:20:05", Images.OCR_ONLY, PathForm.ABSOLUTE),
        PENDING_DATA_IMAGES_PREFIX(Cam.GI_001, "3456CDF", "PENDING", "10:25:10", Images.BOTH, PathForm.DATA_IMAGES),
        /** attempts 1, a transport error, next_retry_at in the past (the old backoff: updated_at + 1 s). */
        FAILED_RETRY_DUE(Cam.GI_001, "4567DFG", "FAILED", "10:30:15", Images.BOTH, PathForm.RELATIVE),
        /** attempts 1, a codiRetorn error, next_retry_at one hour after the build. */
        FAILED_RETRY_LATER(Cam.GI_001, "5678FGH", "FAILED", "10:35:20", Images.BOTH, PathForm.RELATIVE),
        /** updated_at 10 minutes before the build (the old sender's stuck timeout is 300 s). */
        SENDING_STUCK(Cam.GI_001, "6789GHJ", "SENDING", "10:40:25", Images.BOTH, PathForm.RELATIVE),
        /** attempts 3, last_error MAX_REINTENTOS_AGOTADOS, updated_at 2 minutes before the build. */
        DEAD_MAX_RETRIES(Cam.GI_001, "7890HJK", "DEAD", "10:45:30", Images.BOTH, PathForm.RELATIVE),
        /** A row the old sender flushes as SUCCESS and deletes in the same transaction: present anyway. */
        SUCCESS_NOT_DELETED(Cam.GI_001, "8901JKL", "SUCCESS", "10:50:35", Images.BOTH, PathForm.RELATIVE),
        /** has_image_ocr true and a path, but no OCR file on disk (the context image is there). */
        PENDING_OCR_FILE_MISSING(Cam.GI_001, "9012KLM", "PENDING", "10:55:40", Images.BOTH, PathForm.RELATIVE),
        /** Same camera, plate and timestamp as {@link #PENDING_BOTH_IMAGES}: same raw_xml, same image files (the old ingest rewrote them). */
        PENDING_DUPLICATE(Cam.GI_001, "1234ABC", "PENDING", "10:15:30", Images.BOTH, PathForm.RELATIVE),
        /** Milliseconds in the camera's TIME (11-05-42-730), kept in timestamp_utc. */
        PENDING_SALT(Cam.SA_002, "0123LMN", "PENDING", "11:05:42.730", Images.BOTH, PathForm.RELATIVE),
        /** OCR image stored as "../evil/2026/11/28/..." and written outside IMAGES_BASE_DIR, in its parent's evil/. */
        PENDING_EVIL(Cam.EVIL, "1357MNP", "PENDING", "11:10:00", Images.OCR_ONLY, PathForm.RELATIVE),
        PENDING_CELRA(Cam.CE_003, "2468NPR", "PENDING", "11:15:00", Images.BOTH, PathForm.RELATIVE);

        /** The day of every reading, on the camera's clock. */
        public static final String DAY = "2026-11-28";

        private final Cam cam;
        private final String plate;
        private final String status;
        private final LocalDateTime cameraClock;
        private final Images images;
        private final PathForm pathForm;

        Case(Cam cam, String plate, String status, String time, Images images, PathForm pathForm) {
            this.cam = cam;
            this.plate = plate;
            this.status = status;
            this.cameraClock = LocalDateTime.parse(DAY + "T" + time);
            this.images = images;
            this.pathForm = pathForm;
        }

        public Cam cam() {
            return cam;
        }

        public String plate() {
            return plate;
        }

        /** messages_queue.status. */
        public String status() {
            return status;
        }

        /** DATE + TIME as the camera sent them: its local wall clock. */
        public LocalDateTime cameraClock() {
            return cameraClock;
        }

        /** alpr_readings.timestamp_utc: the camera's wall clock stored as if it were UTC (what the old parser did). */
        public OffsetDateTime timestampUtc() {
            return cameraClock.atOffset(ZoneOffset.UTC);
        }

        /** The real instant of the reading: the wall clock read in the camera's zone. */
        public OffsetDateTime realInstant() {
            return cameraClock.atOffset(CAMERA_CLOCK_OFFSET).withOffsetSameInstant(ZoneOffset.UTC);
        }

        public Images images() {
            return images;
        }

        public PathForm pathForm() {
            return pathForm;
        }
    }

    /**
     * A certificates row.
     *
     * @param path          certificates.path as stored (= client_cert_path)
     * @param keyPath       certificates.key_path as stored
     * @param privpubPath   certificates.privpub_path as stored
     * @param pfxPath       certificates.pfx_path as stored
     * @param folder        the absolute folder under CERTS_DIR
     * @param pfx           the absolute PFX file this certificate came from
     * @param pfxPassword   its password (also the pass phrase of the key in privpub.pem)
     * @param usableKey     whether key_path names a readable unencrypted key (false for Celrà)
     */
    public record Certificate(
            int id,
            Cert cert,
            String type,
            String path,
            String keyPath,
            String privpubPath,
            String pfxPath,
            Path folder,
            Path pfx,
            String pfxPassword,
            boolean usableKey) {}

    /** A cameras row. endpointId and certificateId are null when the column is. */
    public record Camera(
            int id, Cam cam, int municipalityId, Integer endpointId, Integer certificateId, boolean active) {}

    /**
     * A reading and its queue row.
     *
     * @param ocrPath  alpr_readings.image_ocr_path as stored
     * @param ctxPath  alpr_readings.image_ctx_path as stored (null for OCR-only readings)
     * @param ocrFile  where the old product resolved ocrPath to (absent on disk for PENDING_OCR_FILE_MISSING)
     * @param ctxFile  where it resolved ctxPath to, or null
     */
    public record Reading(
            int readingId, int queueId, Case c, String ocrPath, String ctxPath, Path ocrFile, Path ctxFile) {}
}
