package routes.tools.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import routes.cli.CommandFailedException;
import routes.config.Setting;
import routes.config.Settings;
import routes.security.CertificateImport;
import routes.store.CertificateRepository;
import routes.store.Database;
import routes.store.DatabaseConfig;
import routes.store.ImageStorage;
import routes.store.ImageStore;
import routes.store.S3ImageStore;

/**
 * The bench's own database and folders: a clean schema, a "Bench" municipality with cameras
 * {@code BENCH0001…}, a keytool-made certificate, and the environment of the service under test.
 */
final class BenchEnvironment implements AutoCloseable {

    static final String MUNICIPALITY = "Bench";
    static final String SERIAL_PREFIX = "BENCH";
    private static final String PFX_PASSWORD = "bench-password";

    private final Settings settings;
    private final Path workDir;
    private final HikariDataSource db;
    private final ImageStorage images;

    /**
     * @param overrides the service's {@code --set} settings: where they choose {@code IMAGE_STORE=s3}, the bench
     *     writes, counts and removes its images in that bucket too
     */
    BenchEnvironment(Settings base, String database, Path workDir, Map<String, String> overrides) throws IOException {
        if (base.database().separateRoles()) {
            // It migrates, TRUNCATEs and VACUUMs its database as DB_USER: rights the service's role of a two-role
            // install lacks.
            throw new CommandFailedException(
                    "The bench needs a database its DB_USER owns (it migrates, empties and vacuums it):"
                            + " run it with one role (DB_OWNER_USER= in the environment) on a development server");
        }
        this.settings = Settings.from(key -> key.equals(Setting.DB_NAME.name())
                ? database
                : overrides.getOrDefault(key, base.text(Setting.valueOf(key))));
        this.workDir = workDir.toAbsolutePath().normalize();
        Files.createDirectories(this.workDir);
        if (settings.text(Setting.IMAGE_STORE).equals("s3")) {
            this.images = new S3ImageStore(settings.s3("bench --set IMAGE_STORE=s3"));
            images.check();
        } else {
            this.images = new ImageStore(imagesDir(), false);
        }
        createIfMissing(settings);
        this.db = Database.pool(settings.database(), "bench");
        Database.migrate(db);
    }

    /**
     * Creates the bench's database when it does not exist (owned by DB_USER, who then migrates and empties it), through
     * the server's {@code postgres} database. A role that may not create databases gets one line saying what to run.
     */
    static void createIfMissing(Settings settings) {
        String name = settings.text(Setting.DB_NAME);
        String server = "jdbc:postgresql://" + settings.text(Setting.DB_HOST) + ":" + settings.text(Setting.DB_PORT)
                + "/postgres";
        try (Connection c = DriverManager.getConnection(
                        server, settings.text(Setting.DB_USER), settings.text(Setting.DB_PASSWORD));
                PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, name);
            try (var rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
                throw new CommandFailedException("Database '" + name + "' does not exist, and the bench creates only"
                        + " databases named with letters, digits and '_'");
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE \"" + name + "\"");
            }
        } catch (SQLException e) {
            throw new CommandFailedException("Database '" + name + "' does not exist and could not be created as '"
                    + settings.text(Setting.DB_USER) + "' ("
                    + e.getMessage().lines().findFirst().orElse("")
                    + "): create it once with DB_NAME=" + name + " deploy/dev/postgres.sh, or as a superuser with"
                    + " CREATE DATABASE " + name + " OWNER " + settings.text(Setting.DB_USER));
        }
    }

    /** What the bench uses and empties, for the line it prints first. */
    String describe() {
        return "database '" + settings.text(Setting.DB_NAME) + "' on " + settings.text(Setting.DB_HOST) + ":"
                + settings.text(Setting.DB_PORT) + " and " + images.describe() + " (work folder " + workDir + ")";
    }

    HikariDataSource db() {
        return db;
    }

    /** A pool of its own on the bench database, of exactly {@code connections} connections (close it). */
    HikariDataSource pool(String name, int connections) {
        DatabaseConfig d = settings.database();
        return Database.pool(
                new DatabaseConfig(
                        d.jdbcUrl(),
                        d.name(),
                        d.user(),
                        d.password(),
                        connections,
                        d.connectTimeoutMs(),
                        false,
                        d.ownerUser()),
                name);
    }

    /** CRYPTO_PROVIDER as the service under test gets it. */
    String cryptoProviderMode() {
        return settings.text(Setting.CRYPTO_PROVIDER);
    }

    Path workDir() {
        return workDir;
    }

    Path imagesDir() {
        return workDir.resolve("images");
    }

    Path certsDir() {
        return workDir.resolve("certs");
    }

    static String serial(int i) {
        return String.format("%s%04d", SERIAL_PREFIX, i + 1);
    }

    /**
     * Empties the bench database and images, then registers the municipality and {@code cameras} cameras. Refuses a
     * database that holds cameras of its own: the bench must never wipe an operator's data.
     */
    void reset(int cameras) throws SQLException, IOException {
        long foreign = count("SELECT count(*) FROM cameras WHERE serial_number NOT LIKE '" + SERIAL_PREFIX + "%'");
        if (foreign > 0) {
            throw new CommandFailedException(
                    "Database '" + settings.text(Setting.DB_NAME) + "' holds " + foreign
                            + " cameras that are not the bench's: the bench empties its database, give it a dedicated one (--database)");
        }
        execute(
                "TRUNCATE delivery_log, messages_queue, alpr_readings, cameras, municipalities, endpoints, certificates CASCADE");
        clearImages();
        ensureRegistry(cameras);
    }

    /** The bench municipality and cameras, added where missing (for a running service's database). */
    void ensureRegistry(int cameras) throws SQLException {
        execute("INSERT INTO municipalities (name, code) VALUES ('" + MUNICIPALITY
                + "', '08000') ON CONFLICT (name) DO NOTHING");
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("INSERT INTO cameras (serial_number, codigo_lector, municipality_id) "
                                + "SELECT ?, ?, id FROM municipalities WHERE name = '" + MUNICIPALITY
                                + "' ON CONFLICT (serial_number) DO NOTHING")) {
            for (int i = 0; i < cameras; i++) {
                ps.setString(1, serial(i));
                ps.setString(2, "LECTOR-" + serial(i));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** PostgreSQL's WAL insert position in bytes (the difference of two is what was written to the WAL). */
    long walPosition() throws SQLException {
        return count("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
    }

    ZoneId settingsZone(Setting s) {
        return settings.zone(s);
    }

    String databaseName() {
        return settings.text(Setting.DB_NAME);
    }

    /** Readings and images only (between runs); the registry stays. */
    void clearReadings() throws SQLException, IOException {
        execute("TRUNCATE delivery_log, messages_queue, alpr_readings");
        clearImages();
    }

    /**
     * Removes the bench's images: its folder, or in a bucket the objects of the bench cameras only (keys start with
     * their serial), several deletes at a time.
     */
    private void clearImages() throws IOException {
        deleteTree(imagesDir());
        Files.createDirectories(imagesDir());
        if (images instanceof S3ImageStore bucket) {
            List<String> keys = new ArrayList<>();
            try {
                bucket.listOlderThan(
                        Instant.now().plus(Duration.ofDays(1)),
                        page -> page.stream()
                                .filter(k -> k.startsWith(SERIAL_PREFIX))
                                .forEach(keys::add));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            inParallel(keys.size(), i -> bucket.delete(keys.get(i)));
        }
    }

    /** Bytes of the bench's images, in the folder or the bucket. */
    long imageBytes() throws IOException {
        if (images instanceof S3ImageStore bucket) {
            return bucket.usage(SERIAL_PREFIX).bytes();
        }
        return treeBytes(imagesDir());
    }

    /** What the bench stores images in, for its report. */
    String imageStore() {
        return images.describe();
    }

    private interface Task {
        void run(int i) throws Exception;
    }

    /** Tasks 0..n-1 on a few threads: an object store answers one request at a time per connection. */
    private static void inParallel(int n, Task task) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int index = i;
                done.add(pool.submit(() -> {
                    task.run(index);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** A keytool-made RSA-2048 PKCS#12, imported as the admin CLI does, signing for the bench municipality. */
    void certificate() throws Exception {
        Path p12 = workDir.resolve("bench.p12");
        Files.deleteIfExists(p12);
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "1",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-sigalg",
                        "SHA256withRSA",
                        "-validity",
                        "30",
                        "-dname",
                        "CN=Ajuntament Bench, O=tattile-sender bench, C=ES",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        p12.toString(),
                        "-storepass",
                        PFX_PASSWORD,
                        "-keypass",
                        PFX_PASSWORD)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        var imported = new CertificateImport(certsDir()).fromPkcs12(p12, PFX_PASSWORD.toCharArray(), MUNICIPALITY);
        var repo = new CertificateRepository(db);
        UUID id = repo.upsertPem(
                MUNICIPALITY,
                imported.certPath(),
                imported.keyPath(),
                imported.subject(),
                imported.fingerprintSha256(),
                imported.validFrom(),
                imported.validTo());
        repo.assignToMunicipality(id, MUNICIPALITY);
    }

    /**
     * Queues {@code count} readings of the bench cameras, as ingest stores them: OCR and context images written
     * first, then all reading and PENDING queue rows in one transaction (they become due together).
     */
    void preload(int count, byte[] ocr, byte[] ctx, long seed) throws Exception {
        Instant base = Instant.now().minusSeconds(3600);
        List<Object[]> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            UUID id = UUID.randomUUID();
            String serial = serial(i % 10);
            String plate = LoadGenerator.plate(seed, i);
            Instant when = base.plusMillis(i);
            String ocrPath = ImageStore.relativePath(serial, plate, when, id, ImageStore.Kind.OCR);
            String ctxPath = ImageStore.relativePath(serial, plate, when, id, ImageStore.Kind.CTX);
            rows.add(new Object[] {id, plate, when, serial, ocrPath, ctxPath});
        }
        inParallel(count, i -> {
            images.write((String) rows.get(i)[4], ocr);
            images.write((String) rows.get(i)[5], ctx);
        });
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement r = c.prepareStatement("""
                    INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, country_code, has_image_ocr, has_image_ctx,
                        image_ocr_path, image_ctx_path, camera_id)
                    SELECT ?, ?, ?, ?, 'ESP', true, true, ?, ?, id FROM cameras WHERE serial_number = ?""");
                    PreparedStatement q = c.prepareStatement("INSERT INTO messages_queue (reading_id) VALUES (?)")) {
                for (Object[] row : rows) {
                    r.setObject(1, row[0]);
                    r.setString(2, (String) row[1]);
                    r.setTimestamp(3, Timestamp.from((Instant) row[2]));
                    r.setString(4, (String) row[3]);
                    r.setString(5, (String) row[4]);
                    r.setString(6, (String) row[5]);
                    r.setString(7, (String) row[3]);
                    r.addBatch();
                    q.setObject(1, row[0]);
                    q.addBatch();
                }
                r.executeBatch();
                q.executeBatch();
            }
            c.commit();
        }
    }

    /** The environment of the service under test: this bench's database and folders, no .env, no Jolokia. */
    Map<String, String> serviceEnvironment(String flows, int transitPort, Map<String, String> extra) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Setting s :
                List.of(Setting.DB_HOST, Setting.DB_PORT, Setting.DB_USER, Setting.DB_PASSWORD, Setting.DB_NAME)) {
            env.put(s.name(), settings.text(s));
        }
        env.put("TATTILE_ENV_FILE", "/dev/null");
        env.put(Setting.TATTILE_FLOWS.name(), flows);
        if (transitPort > 0) {
            env.put(Setting.TRANSIT_PORT.name(), String.valueOf(transitPort));
        }
        env.put(Setting.IMAGES_BASE_DIR.name(), imagesDir().toString());
        env.put(Setting.CERTS_DIR.name(), certsDir().toString());
        env.put(Setting.JOLOKIA_PORT.name(), "0");
        env.putAll(extra);
        return env;
    }

    long count(String sql) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    void execute(String sql) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static long treeBytes(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    @Override
    public void close() {
        images.close();
        db.close();
    }
}
