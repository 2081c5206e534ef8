package routes.legacy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import routes.security.CertificateImport;
import routes.store.ImageStore;

/**
 * {@code admin import-legacy}: copies an old TattileSender installation (database, certificates, images) into this
 * product's database and folders. The old database is opened read-only (a read-only, repeatable-read transaction: one
 * consistent picture) and its files are only read. Every check that can refuse the import (settings, connection, schema
 * revision, unreadable files) runs before anything is written.
 */
public final class LegacyImporter {

    /** Flags of the command: folders that override the old .env's, and whether to write at all. */
    public record Options(Path imagesDir, Path certsDir, boolean dryRun) {}

    private final DataSource target;
    private final ImageStore images;
    private final CertificateImport certificateImport;
    private final Clock clock;

    public LegacyImporter(DataSource target, ImageStore images, CertificateImport certificateImport, Clock clock) {
        this.target = target;
        this.images = images;
        this.certificateImport = certificateImport;
        this.clock = clock;
    }

    public ImportReport run(LegacyEnv env, Options options) throws SQLException, IOException, GeneralSecurityException {
        LegacyFiles imageFiles = new LegacyFiles(
                env.workingDirectory(),
                env.folder("IMAGES_BASE_DIR"),
                options.imagesDir() != null
                        ? options.imagesDir().toAbsolutePath().normalize()
                        : env.folder("IMAGES_BASE_DIR"));
        LegacyFiles certificateFiles = new LegacyFiles(
                env.workingDirectory(),
                env.folder("CERTS_DIR"),
                options.certsDir() != null ? options.certsDir().toAbsolutePath().normalize() : env.folder("CERTS_DIR"));
        requireFolder(
                "images",
                imageFiles.folder(),
                options.imagesDir() != null ? "--images-dir" : "IMAGES_BASE_DIR in " + env.file());
        String source = env.get("DB_HOST") + ":" + env.get("DB_PORT") + "/" + env.get("DB_NAME");
        ImportReport report = new ImportReport(options.dryRun());
        try (Connection old = openReadOnly(env);
                Connection to = target.getConnection()) {
            LegacySchema.check(old, source);
            List<LegacyRows.Endpoint> endpoints = LegacyRows.endpoints(old);
            List<LegacyRows.Certificate> certificates = LegacyRows.certificates(old);
            List<LegacyRows.Municipality> municipalities = LegacyRows.municipalities(old);
            List<LegacyRows.Camera> cameras = LegacyRows.cameras(old);
            to.setAutoCommit(false);
            try {
                LegacyImportMap map = LegacyImportMap.load(to, source);
                LegacyRegistryImport registry = new LegacyRegistryImport(
                        to, map, report, certificateFiles, certificateImport, options.dryRun());
                // Every file is read or checked before the first one is written (certificates, then images).
                registry.plan(certificates);
                LegacyRows.queued(
                        old, LegacyReadingImport.BATCH, batch -> LegacyReadingImport.checkReadable(batch, imageFiles));
                Map<Integer, String> serials = new HashMap<>();
                cameras.forEach(k -> serials.put(k.id(), k.serial()));
                LegacyReadingImport readings = new LegacyReadingImport(
                        to,
                        map,
                        report,
                        imageFiles,
                        images,
                        registry.apply(endpoints, certificates, municipalities, cameras),
                        serials,
                        options.dryRun(),
                        clock.instant());
                if (options.dryRun()) {
                    to.rollback();
                } else {
                    to.commit();
                }
                LegacyRows.queued(old, LegacyReadingImport.BATCH, readings::importBatch);
                readings.finish();
            } catch (SQLException | IOException | GeneralSecurityException | RuntimeException e) {
                to.rollback();
                throw e;
            }
        }
        return report;
    }

    /** The old database as its own role, in a read-only transaction; the password never appears in a message. */
    private static Connection openReadOnly(LegacyEnv env) {
        Properties p = new Properties();
        p.setProperty("user", env.get("DB_USER"));
        p.setProperty("password", env.get("DB_PASSWORD"));
        p.setProperty("readOnly", "true");
        p.setProperty("options", "-c default_transaction_read_only=on");
        p.setProperty("ApplicationName", "tattile-sender import-legacy");
        p.setProperty("connectTimeout", "10");
        String where = env.get("DB_HOST") + ":" + env.get("DB_PORT") + "/" + env.get("DB_NAME");
        try {
            Connection c = DriverManager.getConnection(env.jdbcUrl(), p);
            c.setAutoCommit(false);
            c.setReadOnly(true);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            return c;
        } catch (SQLException e) {
            throw new LegacyImportException("Cannot open the old database " + where + " as " + env.get("DB_USER")
                    + " (from " + env.file() + "): " + firstLine(e.getMessage()));
        }
    }

    private static void requireFolder(String what, Path folder, String from) {
        if (!Files.isDirectory(folder)) {
            throw new LegacyImportException("The old " + what + " folder " + folder + " (" + from + ") does not exist");
        }
        if (!Files.isReadable(folder) || !Files.isExecutable(folder)) {
            throw new LegacyImportException(
                    "Cannot read the old " + what + " folder " + folder + " (run the import as root)");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
