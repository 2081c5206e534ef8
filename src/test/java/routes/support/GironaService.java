package routes.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import routes.config.Setting;
import routes.store.ApiKeyRepository;
import routes.tools.MossosSandbox;
import routes.tools.SyntheticReadings;

/**
 * What the tests of a whole service (ingest, sender, API) against a signature-checking Mossos sandbox share: the
 * sandbox trusting a certificate generated for Ajuntament de Girona, the municipality registered with it, the service's
 * settings on fixed ports, an env file for the admin CLI, real camera documents and a scrape of {@code /metrics} with a
 * fresh READ_ONLY key. A JUnit extension registered on an instance field of a {@code PER_CLASS} test class: it starts
 * the sandbox before the class's tests and closes it, and its connection pool to the test database, after them.
 */
public final class GironaService implements BeforeAllCallback, AfterAllCallback {

    private final HikariDataSource db = TestDb.open();
    private final String name;
    private final int tcpPort;
    private final int sandboxPort;
    private final int apiPort;
    private final Path certs;
    private final Path images;
    private final SyntheticReadings synthetic = new SyntheticReadings(17, 2048, 4096);
    private final HttpClient http = HttpClient.newHttpClient();
    private MossosSandbox sandbox;
    private TestCertificates.Generated girona;
    private Path envFile;

    /**
     * The sandbox will listen on {@code sandboxPort}, the service for cameras on {@code tcpPort} and for its API on
     * {@code apiPort}. {@code name} keeps each test class's certificates and images apart.
     */
    public GironaService(String name, int tcpPort, int sandboxPort, int apiPort) {
        this.name = name;
        this.tcpPort = tcpPort;
        this.sandboxPort = sandboxPort;
        this.apiPort = apiPort;
        this.certs = Path.of("target/it-certs", name);
        this.images = Path.of("target/it-images", name);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        sandbox = new MossosSandbox(sandboxPort, 8);
        girona = TestCertificates.generate(certs.resolve("girona"), "Ajuntament de Girona", 365, null);
        sandbox.trust(List.of(girona.certificate()));
        envFile = Files.createTempDirectory(name).resolve("test.env");
        var dbSettings = TestDb.settings();
        Files.writeString(
                envFile,
                "DB_NAME=" + TestDb.NAME + "\nDB_HOST=" + dbSettings.text(Setting.DB_HOST) + "\nDB_PORT="
                        + dbSettings.text(Setting.DB_PORT) + "\nIMAGES_BASE_DIR=" + images.toAbsolutePath()
                        + "\nCAMERA_SILENCE_DEFAULT=none\n");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (sandbox != null) {
            sandbox.close();
        }
        db.close();
    }

    /** The test database, for the test's own rows and checks. */
    public HikariDataSource db() {
        return db;
    }

    /**
     * An empty database and image folder, then Girona registered with its certificate (valid for 20 more days, as
     * {@code valid_to} says) and, when {@code endpointName} is not null, an endpoint of that name pointing to the
     * sandbox (else the global MOSSOS_ENDPOINT_URL serves it).
     */
    public UUID reset(String endpointName) throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(images);
        sandbox.reset();
        UUID cert = TestCertificates.registerPem(db, "girona", girona);
        TestDb.execute(db, "UPDATE certificates SET valid_to = now() + interval '20 days' WHERE id = '" + cert + "'");
        if (endpointName == null) {
            TestDb.execute(db, "INSERT INTO municipalities (name, certificate_id) VALUES ('Girona', '" + cert + "')");
        } else {
            UUID endpoint = TestCertificates.endpoint(db, endpointName, sandbox.url(), 2, 200);
            TestDb.execute(
                    db,
                    "INSERT INTO municipalities (name, certificate_id, endpoint_id) VALUES ('Girona', '" + cert + "', '"
                            + endpoint + "')");
        }
        return cert;
    }

    /** Registers camera {@code serial} of Girona (active, no expectation of its own). */
    public void camera(String serial) throws SQLException {
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, municipality_id) SELECT '" + serial
                        + "', id FROM municipalities WHERE name = 'Girona'");
    }

    /** The service's settings: the test database, these ports and folders, a fast poll; then {@code more} pairs. */
    public Map<String, String> settings(String instance, String... more) {
        Map<String, String> s = TestDb.serviceSettings();
        s.put("TRANSIT_PORT", String.valueOf(tcpPort));
        s.put("API_PORT", String.valueOf(apiPort));
        s.put("IMAGES_BASE_DIR", images.toAbsolutePath().toString());
        s.put("CERTS_DIR", certs.toAbsolutePath().toString());
        s.put("INGEST_MAX_AGE_DAYS", "3650");
        s.put("CAMERA_CACHE_SECONDS", "0");
        s.put("API_HEALTH_CACHE_SECONDS", "1");
        s.put("MOSSOS_ENDPOINT_URL", sandbox.url());
        s.put("SENDER_POLL_INTERVAL_SECONDS", "0.1");
        s.put("SENDER_INSTANCE_ID", instance);
        s.put("CAMERA_ACTIVITY_FLUSH_SECONDS", "1");
        for (int i = 0; i + 1 < more.length; i += 2) {
            s.put(more[i], more[i + 1]);
        }
        return s;
    }

    public MossosSandbox sandbox() {
        return sandbox;
    }

    public int tcpPort() {
        return tcpPort;
    }

    /** The admin command line on the test database. */
    public Cli cli() {
        return new Cli(envFile);
    }

    /** A camera document of now (Madrid time), with a small OCR and context image. */
    public String reading(String serial, String plate) {
        return synthetic.vega(
                serial, plate, LocalDateTime.now(ZoneId.of("Europe/Madrid")).withNano(0));
    }

    /** {@code GET /metrics} of the running service, with a new READ_ONLY key. */
    public String scrape() throws Exception {
        String key = new ApiKeyRepository(db).create("scrape-" + System.nanoTime(), "READ_ONLY");
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/metrics"))
                        .header("X-API-Key", key)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}
