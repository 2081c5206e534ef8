package routes.legacy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Stream;
import routes.legacy.LegacyExpected.Cam;
import routes.legacy.LegacyExpected.Camera;
import routes.legacy.LegacyExpected.Cert;
import routes.legacy.LegacyExpected.Certificate;
import routes.legacy.LegacyExpected.Town;

/**
 * A realistic installation of the old Python product TattileSender (github.com/Lasarikoo/TattileSender, commit
 * 45f6101), for tests of the import ("take over") of issue 13: its database with the schema of its six Alembic
 * migrations and rows as its scripts, ingest and sender leave them, its certificate folders made with its own
 * openssl commands, its image files and its .env. {@link #fingerprint()} taken before and after an import proves the
 * import changed nothing.
 *
 * <pre>
 * root/
 *   install/          the old working directory ({@link #installDir()}): .env, certs/ ({@link #certsDir()})
 *     certs/girona.pfx, girona-old.pfx          PFX files as ajustes.sh expects them, at the top of CERTS_DIR
 *     certs/gi/, certs/gi-old/                  app/admin/certs.py folders
 *     certs/salt/                               app/scripts/import_certificate_from_pfx.py folder
 *     certs/celra/                              privpub.pem and the PFX only
 *   data/             ({@link #dataDir()})
 *     images/         IMAGES_BASE_DIR ({@link #imagesDir()})
 *     evil/           where the old ingest wrote camera "../evil"'s image
 *   test-ca/, incoming/   the test CA and the PFX handed over for Salt: not part of the installation
 * </pre>
 *
 * Needs the test PostgreSQL with the superuser {@code postgres} on trust authentication (deploy/dev/postgres.sh) and
 * openssl on the PATH.
 */
public final class LegacyInstallation {

    /** DB_USER in the old .env: the old product's role, owner of its database. */
    public static final String DB_USER = LegacyDatabase.USER;
    /** DB_PASSWORD in the old .env. */
    public static final String DB_PASSWORD = LegacyDatabase.PASSWORD;

    private static final Map<Cert, String> PFX_PASSWORDS = Map.of(
            Cert.GIRONA,
            "Girona-pfx-2026",
            Cert.GIRONA_OLD,
            "Girona-pfx-2024",
            Cert.SALT,
            "Salt-pfx-2026",
            Cert.CELRA,
            "Celra-pfx-2026");
    private static final Map<Cert, String> SUBJECTS = Map.of(
            Cert.GIRONA, "/C=ES/O=Ajuntament de Girona/CN=MOSSOS GIRONA",
            Cert.GIRONA_OLD, "/C=ES/O=Ajuntament de Girona/CN=MOSSOS GIRONA 2024",
            Cert.SALT, "/C=ES/O=Ajuntament de Salt/CN=MOSSOS SALT",
            Cert.CELRA, "/C=ES/O=Ajuntament de Celra/CN=MOSSOS CELRA");

    private final Path root;
    private final String dbName;
    private final String mossosUrl;
    private final OffsetDateTime buildTime = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    private LegacyExpected expected;

    private LegacyInstallation(Path root, String dbName, String mossosUrl) {
        this.root = root;
        this.dbName = dbName;
        this.mossosUrl = mossosUrl;
    }

    /**
     * Builds the installation under {@code root} (its install/, data/, test-ca/ and incoming/ are replaced) with the
     * database {@code dbName} (dropped first if it exists); both endpoints and MOSSOS_ENDPOINT_URL point at
     * {@code mossosUrl}.
     */
    public static LegacyInstallation create(Path root, String dbName, String mossosUrl) throws Exception {
        LegacyInstallation old = new LegacyInstallation(root.toAbsolutePath().normalize(), dbName, mossosUrl);
        old.clearFolders();
        old.createDatabase();
        old.writeEnvFile();
        old.makeCertificateFolders();
        old.expected = old.fillDatabase();
        return old;
    }

    // ---- the public API -----------------------------------------------------------------------------------------

    public Path root() {
        return root;
    }

    /** The old working directory (WorkingDirectory of its systemd units): relative paths in the old rows start here. */
    public Path installDir() {
        return root.resolve("install");
    }

    /** installDir/.env. */
    public Path envFile() {
        return installDir().resolve(".env");
    }

    /** CERTS_DIR: installDir/certs. */
    public Path certsDir() {
        return installDir().resolve("certs");
    }

    /** root/data: holds imagesDir and the folder camera "../evil" escaped to. */
    public Path dataDir() {
        return root.resolve("data");
    }

    /** IMAGES_BASE_DIR: root/data/images. */
    public Path imagesDir() {
        return dataDir().resolve("images");
    }

    public String dbName() {
        return dbName;
    }

    /** jdbc:postgresql://DB_HOST:DB_PORT/dbName (user {@link #DB_USER}, password {@link #DB_PASSWORD}). */
    public String jdbcUrl() {
        return LegacyDatabase.jdbcUrl(dbName);
    }

    /** A small pool on the old database as {@link #DB_USER}; the caller closes it. */
    public HikariDataSource dataSource() {
        HikariConfig c = new HikariConfig();
        c.setPoolName("legacy-" + dbName);
        c.setJdbcUrl(jdbcUrl());
        c.setUsername(DB_USER);
        c.setPassword(DB_PASSWORD);
        c.setMaximumPoolSize(2);
        c.setMinimumIdle(0);
        return new HikariDataSource(c);
    }

    /**
     * The sha256 of every old table's rows (and the table list and column definitions), and every file and folder
     * under installDir and dataDir (path, size, sha256, mode, owner, mtime); see {@link LegacyFingerprint#of}.
     */
    public SortedMap<String, String> fingerprint() throws SQLException, IOException {
        try (Connection c = LegacyDatabase.connect(dbName)) {
            return LegacyFingerprint.of(c, root, List.of(installDir(), dataDir()));
        }
    }

    /** What is in it: ids, names, paths and passwords per case. */
    public LegacyExpected expected() {
        return expected;
    }

    /** Drops the old database (the files stay, under root). */
    public void drop() throws SQLException {
        LegacyDatabase.drop(dbName);
    }

    // ---- building -----------------------------------------------------------------------------------------------

    private void clearFolders() throws IOException {
        for (Path dir : List.of(installDir(), dataDir(), testCaDir(), incomingDir())) {
            deleteRecursively(dir);
        }
        Files.createDirectories(certsDir());
        Files.createDirectories(imagesDir());
    }

    private void createDatabase() throws SQLException, IOException {
        LegacyDatabase.ensureRole();
        LegacyDatabase.recreate(dbName);
        LegacyDatabase.applySchema(dbName);
    }

    /** The old .env, shaped like its .env.example: comments, blank lines, some values double-quoted (ajustes.sh sources it). */
    private void writeEnvFile() throws IOException {
        String env = """
                # TattileSender: instalación de producción (valores de la fixture de tests)
                APP_ENV=prod

                DB_HOST=%s
                DB_PORT=%s
                DB_NAME="%s"
                DB_USER=%s
                DB_PASSWORD="%s"

                # Directorio seguro donde se almacenan certificados.
                CERTS_DIR="%s"

                # Directorio para almacenar imágenes ALPR decodificadas.
                IMAGES_BASE_DIR="%s"

                # Puerto TCP de ingesta Tattile.
                TRANSIT_PORT=33334

                # Logging
                LOG_LEVEL=WARNING

                # Ajustes del worker sender
                SENDER_ENABLED=1
                SENDER_POLL_INTERVAL_SECONDS=5
                SENDER_MAX_BATCH_SIZE=50
                SENDER_DEFAULT_RETRY_MAX=3
                SENDER_DEFAULT_BACKOFF_MS=1000
                SENDER_STUCK_TIMEOUT_SECONDS=300
                SENDER_DEAD_RETENTION_MINUTES=10

                # SOAP Mossos
                MOSSOS_WSDL_URL="%s?wsdl"
                MOSSOS_ENDPOINT_URL="%s"
                MOSSOS_TIMEOUT=5.0
                SOAP_DEBUG=0
                """.formatted(
                        LegacyDatabase.host(),
                        LegacyDatabase.port(),
                        dbName,
                        DB_USER,
                        DB_PASSWORD,
                        certsDir(),
                        imagesDir(),
                        mossosUrl,
                        mossosUrl);
        Files.writeString(envFile(), env);
        Files.setPosixFilePermissions(envFile(), PosixFilePermissions.fromString("rw-------"));
    }

    /** The test CA, one PFX per certificate, the folders the old commands make from them, then chmod 600 on every file. */
    private void makeCertificateFolders() throws Exception {
        OldCertificateFolders openssl = new OldCertificateFolders(testCaDir());
        openssl.makeTestCa();
        for (Cert cert : Cert.values()) {
            openssl.issueClientPfx(cert.folder(), SUBJECTS.get(cert), PFX_PASSWORDS.get(cert), sourcePfx(cert));
        }
        openssl.extractLikeAdminCerts(sourcePfx(Cert.GIRONA), PFX_PASSWORDS.get(Cert.GIRONA), certFolder(Cert.GIRONA));
        openssl.extractLikeAdminCerts(
                sourcePfx(Cert.GIRONA_OLD), PFX_PASSWORDS.get(Cert.GIRONA_OLD), certFolder(Cert.GIRONA_OLD));
        openssl.importLikeScript(sourcePfx(Cert.SALT), PFX_PASSWORDS.get(Cert.SALT), certFolder(Cert.SALT));
        openssl.extractPrivpub(sourcePfx(Cert.CELRA), PFX_PASSWORDS.get(Cert.CELRA), certFolder(Cert.CELRA));
        restrictCertificateFiles();
    }

    /**
     * Where each PFX was when the old product read it: Girona's at the top of CERTS_DIR (ajustes.sh lists them
     * there), Salt's handed over outside the installation (the import script copies it in), Celrà's in its folder.
     */
    private Path sourcePfx(Cert cert) {
        return switch (cert) {
            case GIRONA -> certsDir().resolve("girona.pfx");
            case GIRONA_OLD -> certsDir().resolve("girona-old.pfx");
            case SALT -> incomingDir().resolve("salt.pfx");
            case CELRA -> certFolder(Cert.CELRA).resolve("celra.pfx");
        };
    }

    private Path certFolder(Cert cert) {
        return certsDir().resolve(cert.folder());
    }

    /** Every key and certificate file 0600 (root-owned in real life; owned by the test user here). */
    private void restrictCertificateFiles() throws IOException {
        try (Stream<Path> files = Files.walk(certsDir())) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            }
        }
    }

    /** Endpoints, municipalities, certificates, cameras, then the readings with their queue rows and image files. */
    private LegacyExpected fillDatabase() throws SQLException, IOException {
        try (Connection c = LegacyDatabase.connect(dbName)) {
            OldRows rows = new OldRows(c);
            int endpointDefaults = rows.endpoint("mossos", mossosUrl, 0, 0, 0);
            int endpointOverride = rows.endpoint("mossos", mossosUrl, 20000, 5, 2000);
            Map<Town, Integer> towns = insertMunicipalities(rows, endpointDefaults);
            Map<Cert, Certificate> certificates = insertCertificates(rows, towns);
            Map<Cam, Camera> cameras = insertCameras(rows, towns, endpointOverride, certificates);
            var readings = new LegacyReadings(rows, imagesDir(), buildTime, mossosUrl).insertAll(cameras);
            return new LegacyExpected(towns, endpointDefaults, endpointOverride, certificates, cameras, readings);
        }
    }

    /** Girona and Salt on the first endpoint, Celrà and the second Girona on none. */
    private static Map<Town, Integer> insertMunicipalities(OldRows rows, int endpointDefaults) throws SQLException {
        Map<Town, Integer> ids = new EnumMap<>(Town.class);
        for (Town town : Town.values()) {
            Integer endpoint = town == Town.GIRONA || town == Town.SALT ? endpointDefaults : null;
            ids.put(town, rows.municipality(town.municipalityName(), town.code(), endpoint));
        }
        return ids;
    }

    /** In {@link Cert} order: Girona's current one first (lower id, first in the heap), then the older MOSSOS_gi. */
    private Map<Cert, Certificate> insertCertificates(OldRows rows, Map<Town, Integer> towns) throws SQLException {
        Map<Cert, Certificate> certificates = new EnumMap<>(Cert.class);
        for (Cert cert : Cert.values()) {
            certificates.put(cert, insertCertificate(rows, cert, towns.get(cert.town())));
        }
        return certificates;
    }

    private Certificate insertCertificate(OldRows rows, Cert cert, int municipalityId) throws SQLException {
        Path folder = certFolder(cert);
        String password = PFX_PASSWORDS.get(cert);
        return switch (cert) {
            case GIRONA, GIRONA_OLD -> {
                // app/admin/certs.py: os.path.abspath of every file, type PEM.
                String client = folder.resolve("client.pem").toString();
                String key = folder.resolve("key.pem").toString();
                String privpub = folder.resolve("privpub.pem").toString();
                String pfx = sourcePfx(cert).toString();
                int id = rows.certificateLikeAdminCerts(
                        cert.certificateName(), client, key, pfx, privpub, municipalityId);
                yield new Certificate(
                        id, cert, "PEM", client, key, privpub, pfx, folder, sourcePfx(cert), password, true);
            }
            case SALT -> {
                // import_certificate_from_pfx.py: paths as it built them, here relative to the old working directory.
                String dir = "certs/" + cert.folder() + "/";
                String publicPem = dir + "cert_mossos_public.pem";
                String pfx = dir + sourcePfx(cert).getFileName();
                int id = rows.certificateLikeImportScript(
                        cert.certificateName(),
                        publicPem,
                        dir + "key.pem",
                        dir + "privpub.pem",
                        pfx,
                        municipalityId,
                        OffsetDateTime.now(ZoneOffset.UTC));
                yield new Certificate(
                        id,
                        cert,
                        "PEM_PAIR",
                        publicPem,
                        dir + "key.pem",
                        dir + "privpub.pem",
                        pfx,
                        folder,
                        installDir().resolve(pfx),
                        password,
                        true);
            }
            case CELRA -> {
                // Registered by hand: path = privpub.pem, key_path = a key.pem that was never extracted.
                String privpub = folder.resolve("privpub.pem").toString();
                String key = folder.resolve("key.pem").toString();
                String pfx = sourcePfx(cert).toString();
                int id = rows.certificateByHand(cert.certificateName(), privpub, key, pfx, privpub, municipalityId);
                yield new Certificate(
                        id, cert, "PEM", privpub, key, privpub, pfx, folder, sourcePfx(cert), password, false);
            }
        };
    }

    /**
     * TAT-GI-001 with a wrong cameras.certificate_id (Salt's) and last_sent_at (the SUCCESS send); TAT-SA-002 with
     * the override endpoint, no coord_x/coord_y, inactive; "../evil" and TAT-CE-003 plain.
     */
    private Map<Cam, Camera> insertCameras(
            OldRows rows, Map<Town, Integer> towns, int endpointOverride, Map<Cert, Certificate> certificates)
            throws SQLException {
        Map<Cam, Camera> cameras = new EnumMap<>(Cam.class);
        for (Cam cam : Cam.values()) {
            int town = towns.get(cam.town());
            Camera camera = switch (cam) {
                case GI_001 -> {
                    int wrongCertificate = certificates.get(Cert.SALT).id();
                    int id = rows.camera(
                            cam.serial(),
                            cam.codigoLector(),
                            "Girona - Av. de França",
                            town,
                            null,
                            wrongCertificate,
                            true,
                            "431234.56",
                            "4645678.90",
                            431234.56,
                            4645678.90,
                            LegacyReadings.successTime(buildTime));
                    yield new Camera(id, cam, town, null, wrongCertificate, true);
                }
                case SA_002 -> {
                    int id = rows.camera(
                            cam.serial(),
                            cam.codigoLector(),
                            "Salt - Carrer Major",
                            town,
                            endpointOverride,
                            null,
                            false,
                            null,
                            null,
                            432000.5,
                            4640000.25,
                            null);
                    yield new Camera(id, cam, town, endpointOverride, null, false);
                }
                case EVIL -> {
                    int id = rows.camera(
                            cam.serial(),
                            cam.codigoLector(),
                            null,
                            town,
                            null,
                            null,
                            true,
                            "431500.00",
                            "4645500.00",
                            431500.0,
                            4645500.0,
                            null);
                    yield new Camera(id, cam, town, null, null, true);
                }
                case CE_003 -> {
                    int id = rows.camera(
                            cam.serial(),
                            cam.codigoLector(),
                            "Celrà - Pont del Ter",
                            town,
                            null,
                            null,
                            true,
                            "489012.34",
                            "4652345.67",
                            489012.34,
                            4652345.67,
                            null);
                    yield new Camera(id, cam, town, null, null, true);
                }
            };
            cameras.put(cam, camera);
        }
        return cameras;
    }

    private Path testCaDir() {
        return root.resolve("test-ca");
    }

    private Path incomingDir() {
        return root.resolve("incoming");
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
