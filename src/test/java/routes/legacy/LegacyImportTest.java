package routes.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.legacy.LegacyExpected.Case;
import routes.legacy.LegacyExpected.Cert;
import routes.support.Cli;
import routes.support.InProcessService;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.MossosSandbox;

/**
 * Taking over an old TattileSender installation, end to end: its real schema and data made the way it makes them, the
 * import, then this product's sender against the Mossos sandbox with signature verification on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LegacyImportTest {

    static final Path ROOT = Path.of("target/legacy-import").toAbsolutePath();
    static final Path IMAGES = ROOT.resolve("new/images");
    static final Path CERTS = ROOT.resolve("new/certs");
    static final int SANDBOX_PORT = 23391;
    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd");
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final HikariDataSource db = TestDb.open();
    private MossosSandbox sandbox;
    private LegacyInstallation old;
    private Cli cli;

    @BeforeAll
    void oldInstallation() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(ROOT.resolve("new"));
        sandbox = new MossosSandbox(SANDBOX_PORT, 8);
        old = LegacyInstallation.create(ROOT.resolve("old"), "legacy_import_" + TestDb.NAME, sandbox.url());
        sandbox.trust(List.of(certificate(Cert.GIRONA), certificate(Cert.SALT)));
        cli = new Cli(ourEnv(ROOT.resolve("new/.env")));
        // This product's folders belong to its service user; the import runs as root (the old files are root's).
        var users = IMAGES.getFileSystem().getUserPrincipalLookupService();
        for (Path folder : new Path[] {IMAGES, CERTS}) {
            Files.createDirectories(folder);
            Files.setOwner(folder, users.lookupPrincipalByName("nobody"));
        }
    }

    @AfterAll
    void close() throws Exception {
        sandbox.close();
        old.drop();
        db.close();
    }

    @Test
    void
            theOldInstallationIsImportedOnceAndEachQueuedReadingIsDeliveredOnceSignedWithItsMunicipalitysCertificateAtTheOldTime()
                    throws Exception {
        SortedMap<String, String> before = old.fingerprint();

        Cli.Run first =
                cli.run("admin", "import-legacy", "--from-env", old.envFile().toString(), "--json");
        assertThat(first.exit()).as(first.err() + first.out()).isEqualTo(2);
        JsonNode report = first.json();
        assertThat(counts(report, "municipalities")).isEqualTo("4/0/");
        assertThat(counts(report, "endpoints")).isEqualTo("2/0/");
        assertThat(counts(report, "certificates")).isEqualTo("3/0/KEY_NOT_FOUND=1!");
        assertThat(counts(report, "cameras")).isEqualTo("3/0/SERIAL_REFUSED=1!");
        assertThat(counts(report, "readings"))
                .isEqualTo("10/0/CAMERA_NOT_IMPORTED:../evil=1,DUPLICATE_CAMERA_PLATE_TIME=1,"
                        + "SUCCESS_ALREADY_DELIVERED=1!");
        String operator = report.get("needs_operator").toString();
        assertThat(operator)
                .contains(
                        "MOSSOS_celra",
                        "admin certificate import-pfx",
                        old.certsDir().resolve("celra").toString(),
                        "'../evil'");

        assertThat(old.fingerprint())
                .as("the old database and files are unchanged")
                .isEqualTo(before);
        assertThat(TestDb.text(db, "SELECT string_agg(name, ',' ORDER BY name) FROM endpoints"))
                .isEqualTo("mossos,mossos-" + old.expected().endpointOverride());
        assertThat(TestDb.text(db, "SELECT string_agg(name, ',' ORDER BY name) FROM municipalities"))
                .startsWith("Celrà,Girona,Girona-");
        assertThat(TestDb.text(
                        db,
                        "SELECT coalesce(retry_max::text, 'default') || '/' || timeout_ms || '/' || coalesce(retry_backoff_ms::text, 'default') "
                                + "FROM endpoints WHERE name = 'mossos'"))
                .as("retry_max 0 and 0 ms mean the defaults")
                .isEqualTo("default/30000/default");
        assertThat(
                        TestDb.text(
                                db,
                                "SELECT retry_max || '/' || timeout_ms || '/' || retry_backoff_ms FROM endpoints WHERE name <> 'mossos'"))
                .as("5 sends in all there are 4 retries here")
                .isEqualTo("4/20000/2000");
        assertThat(TestDb.text(db, "SELECT coord_x || ' ' || coord_y FROM cameras WHERE serial_number = 'TAT-GI-001'"))
                .isEqualTo("431234.56 4645678.9");
        assertThat(
                        TestDb.text(
                                db,
                                "SELECT coord_x || ' ' || coord_y || ' ' || active FROM cameras WHERE serial_number = 'TAT-SA-002'"))
                .as(
                        "the UTM columns with two decimals, as the old sender sent them; active, as the old product behaved")
                .isEqualTo("432000.5 4640000.25 true");
        assertThat(TestDb.count(db, "SELECT count(*) FROM cameras WHERE certificate_id IS NOT NULL"))
                .as("the old sender ignored it")
                .isZero();
        assertThat(
                        TestDb.text(
                                db,
                                "SELECT c.name FROM municipalities m JOIN certificates c ON c.id = m.certificate_id WHERE m.code = 'GI'"))
                .as("the certificate the old sender signed Girona's readings with")
                .isEqualTo("MOSSOS_gi");
        for (String name : new String[] {"MOSSOS_gi", "salt"}) {
            Path key = CERTS.resolve(name).resolve("key.pem");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                    .as(name)
                    .isEqualTo("rw-------");
        }
        for (Case c : new Case[] {
            Case.PENDING_BOTH_IMAGES, Case.PENDING_OCR_ONLY_ABSOLUTE, Case.PENDING_DATA_IMAGES_PREFIX, Case.PENDING_SALT
        }) {
            String ocr = TestDb.text(db, "SELECT image_ocr_path FROM alpr_readings WHERE plate = '" + c.plate() + "'");
            assertThat(IMAGES.resolve(ocr))
                    .as(c + ": the image is copied, its path normalised")
                    .hasSameBinaryContentAs(old.expected().readings().get(c).ocrFile());
        }

        try (var walk = Files.walk(IMAGES)) {
            assertThat(walk.filter(p -> !p.equals(IMAGES))
                            .map(LegacyImportTest::owner)
                            .distinct()
                            .toList())
                    .as("copied images and the folders made for them belong to the images folder's owner, not to root")
                    .containsExactly("nobody");
        }
        assertThat(owner(CERTS.resolve("MOSSOS_gi/key.pem"))).isEqualTo("nobody");

        Cli.Run second =
                cli.run("admin", "import-legacy", "--from-env", old.envFile().toString(), "--json");
        assertThat(counts(second.json(), "readings"))
                .as("a second run imports nothing twice")
                .isEqualTo("0/12/CAMERA_NOT_IMPORTED:../evil=1!");
        assertThat(counts(second.json(), "cameras")).isEqualTo("0/3/SERIAL_REFUSED=1!");

        Map<String, String> settings = new HashMap<>(Map.of(
                "DB_HOST",
                "127.0.0.1",
                "DB_NAME",
                TestDb.NAME,
                "DB_USER",
                "tattile",
                "DB_PASSWORD",
                "tattile",
                "IMAGES_BASE_DIR",
                IMAGES.toString(),
                "CERTS_DIR",
                CERTS.toString(),
                "SENDER_POLL_INTERVAL_SECONDS",
                "0.1"));
        settings.put("SENDER_INSTANCE_ID", "legacy-import-test");
        try (InProcessService service = InProcessService.start(settings, "sender")) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> TestDb.count(
                                    db,
                                    "SELECT count(*) FROM messages_queue WHERE status IN ('PENDING', 'SENDING') OR status = 'FAILED' AND next_attempt_at < now()")
                            == 0);
        }
        List<MossosSandbox.Received> received = sandbox.received();
        Map<String, Long> perPlate = received.stream()
                .collect(Collectors.groupingBy(MossosSandbox.Received::matricula, Collectors.counting()));
        Case[] delivered = {
            Case.PENDING_BOTH_IMAGES,
            Case.PENDING_OCR_ONLY_ABSOLUTE,
            Case.PENDING_DATA_IMAGES_PREFIX,
            Case.FAILED_RETRY_DUE,
            Case.SENDING_STUCK,
            Case.PENDING_SALT
        };
        assertThat(perPlate)
                .as("each importable queued reading delivered exactly once")
                .isEqualTo(Arrays.stream(delivered).collect(Collectors.toMap(Case::plate, c -> 1L)));
        for (MossosSandbox.Received r : received) {
            Case c = Arrays.stream(delivered)
                    .filter(d -> d.plate().equals(r.matricula()))
                    .findFirst()
                    .orElseThrow();
            Cert signer = c == Case.PENDING_SALT ? Cert.SALT : Cert.GIRONA;
            assertThat(r.signer())
                    .as(c + " signed with its municipality's imported certificate")
                    .isEqualTo(certificate(signer).getSubjectX500Principal().getName());
            assertThat(r.dataLectura() + " " + r.horaLectura())
                    .as(c + ": the time the old sender would have sent")
                    .isEqualTo(DATE.format(c.timestampUtc()) + " " + TIME.format(c.timestampUtc()));
            assertThat(r.codiLector()).isEqualTo(c.cam().codigoLector());
        }
        assertThat(status(Case.FAILED_RETRY_LATER)).startsWith("FAILED|");
        assertThat(TestDb.text(
                        db,
                        "SELECT next_attempt_at > now() + interval '50 minutes' FROM messages_queue q JOIN alpr_readings r "
                                + "ON r.id = q.reading_id WHERE r.plate = '" + Case.FAILED_RETRY_LATER.plate() + "'"))
                .as("its next_retry_at kept")
                .isEqualTo("t");
        assertThat(status(Case.DEAD_MAX_RETRIES)).isEqualTo("DEAD|MAX_REINTENTOS_AGOTADOS");
        assertThat(status(Case.PENDING_OCR_FILE_MISSING)).isEqualTo("DEAD|NO_IMAGE_AVAILABLE_OCR");
        assertThat(status(Case.PENDING_CELRA)).isEqualTo("DEAD|CERTIFICADO_NO_CONFIGURADO");
        assertThat(old.fingerprint())
                .as("the old database and files are still unchanged")
                .isEqualTo(before);
    }

    @Test
    void aDryRunReportsTheSamePlanAndWritesNothing() throws Exception {
        SortedMap<String, String> before = old.fingerprint();
        try (HikariDataSource other = TestDb.open()) {
            long maps = TestDb.count(other, "SELECT count(*) FROM legacy_import_map");
            long readings = TestDb.count(other, "SELECT count(*) FROM alpr_readings");
            Cli.Run dry = cli.run(
                    "admin", "import-legacy", "--from-env", old.envFile().toString(), "--dry-run");
            assertThat(dry.exit()).as(dry.err()).isEqualTo(2);
            assertThat(dry.out())
                    .contains(
                            "dry run: nothing written",
                            "KEY_NOT_FOUND",
                            "SERIAL_REFUSED",
                            "admin certificate import-pfx");
            assertThat(TestDb.count(other, "SELECT count(*) FROM legacy_import_map"))
                    .isEqualTo(maps);
            assertThat(TestDb.count(other, "SELECT count(*) FROM alpr_readings"))
                    .isEqualTo(readings);
        }
        assertThat(old.fingerprint()).isEqualTo(before);
    }

    private static String owner(Path p) {
        try {
            return Files.getOwner(p).getName();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String status(Case c) throws Exception {
        return TestDb.text(
                db,
                "SELECT q.status || '|' || coalesce(q.last_error, '') FROM messages_queue q JOIN alpr_readings r ON r.id = q.reading_id "
                        + "WHERE r.plate = '" + c.plate() + "'");
    }

    /** "imported/already/REASON=n,...!" (reasons sorted) with a final '!' when a reason is unexpected. */
    static String counts(JsonNode report, String entity) {
        JsonNode e = report.get("entities").get(entity);
        TreeSet<String> reasons = new TreeSet<>();
        boolean unexpected = false;
        for (JsonNode s : e.get("skipped")) {
            reasons.add(s.get("reason").asText() + "=" + s.get("count").asInt());
            unexpected |= !s.get("expected").asBoolean();
        }
        return e.get("imported").asInt() + "/" + e.get("already_imported").asInt() + "/" + String.join(",", reasons)
                + (unexpected ? "!" : "");
    }

    private X509Certificate certificate(Cert cert) throws Exception {
        LegacyExpected.Certificate row = old.expected().certificates().get(cert);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(row.pfx())) {
            ks.load(in, row.pfxPassword().toCharArray());
        }
        for (String alias : Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(alias)) {
                return (X509Certificate) ks.getCertificate(alias);
            }
        }
        throw new IllegalStateException("no key entry in " + row.pfx());
    }

    /** This product's .env: the test database, its own image and certificate folders. */
    static Path ourEnv(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "DB_HOST=127.0.0.1",
                        "DB_NAME=" + TestDb.NAME,
                        "DB_USER=tattile",
                        "DB_PASSWORD=tattile",
                        "IMAGES_BASE_DIR=" + IMAGES,
                        "CERTS_DIR=" + CERTS,
                        ""));
        return file;
    }
}
