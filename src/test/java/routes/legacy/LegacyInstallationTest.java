package routes.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import routes.legacy.LegacyExpected.Cam;
import routes.legacy.LegacyExpected.Case;
import routes.legacy.LegacyExpected.Cert;
import routes.legacy.LegacyExpected.Certificate;
import routes.legacy.LegacyExpected.Reading;
import routes.legacy.LegacyExpected.Town;

/** The shape of {@link LegacyInstallation}: a real PostgreSQL database, real openssl output, real files. */
class LegacyInstallationTest {

    private static final Path ROOT =
            Path.of("target", "legacy", "LegacyInstallationTest").toAbsolutePath();
    private static final String DB = "legacy_fixture_test";
    private static final String MOSSOS_URL = "http://127.0.0.1:9/matr-ws";

    private static LegacyInstallation old;
    private static LegacyExpected expected;
    private static HikariDataSource db;

    @BeforeAll
    static void build() throws Exception {
        old = LegacyInstallation.create(ROOT, DB, MOSSOS_URL);
        expected = old.expected();
        db = old.dataSource();
    }

    @AfterAll
    static void drop() throws Exception {
        if (db != null) {
            db.close();
        }
        if (old != null) {
            old.drop();
        }
    }

    // ---- database ----

    @Test
    void schemaIsTheOneOfAlembicHead() throws Exception {
        assertThat(strings("SELECT version_num FROM alembic_version")).containsExactly("0006_camera_last_sent");
        assertThat(strings("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"))
                .containsExactly(
                        "alembic_version",
                        "alpr_readings",
                        "cameras",
                        "certificates",
                        "endpoints",
                        "messages_queue",
                        "municipalities");
        assertThat(strings(
                        "SELECT confdeltype::text FROM pg_constraint WHERE conname = 'certificates_municipality_fk'"))
                .containsExactly("n");
        assertThat(strings("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'ix\\_%' ORDER BY 1"))
                .containsExactly(
                        "ix_alpr_readings_id",
                        "ix_cameras_id",
                        "ix_certificates_id",
                        "ix_endpoints_id",
                        "ix_messages_queue_id",
                        "ix_municipalities_id");
        assertThat(strings("SELECT conname FROM pg_constraint WHERE conrelid = 'cameras'::regclass AND contype = 'u'"))
                .containsExactly("cameras_serial_number_key");
        assertThat(strings("SELECT tableowner FROM pg_tables WHERE schemaname = 'public' GROUP BY 1"))
                .containsExactly(LegacyInstallation.DB_USER);
    }

    @Test
    void girona_hasTwoCertificatesWithTheSameName() throws Exception {
        int girona = expected.municipalities().get(Town.GIRONA);
        assertThat(strings(
                        "SELECT id || ':' || municipality_id FROM certificates WHERE name = 'MOSSOS_gi' ORDER BY id"))
                .containsExactly(
                        expected.certificates().get(Cert.GIRONA).id() + ":" + girona,
                        expected.certificates().get(Cert.GIRONA_OLD).id() + ":" + girona);
        assertThat(strings("SELECT count(*) FROM municipalities WHERE name = 'Girona'"))
                .containsExactly("2");
    }

    /** The reload by primary key the old sender does for every send after an iteration's first commit. */
    @Test
    void oldSendersJoinReturnsTheCertificateItUsedFirst() throws Exception {
        List<String> rows =
                strings("SELECT certificates_1.path FROM municipalities LEFT OUTER JOIN certificates AS certificates_1 "
                        + "ON municipalities.id = certificates_1.municipality_id LEFT OUTER JOIN endpoints AS endpoints_1 "
                        + "ON endpoints_1.id = municipalities.endpoint_id WHERE municipalities.id = "
                        + expected.municipalities().get(Town.GIRONA));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0))
                .isEqualTo(expected.gironaCertificateTheOldSenderUsed().path());
        assertThat(expected.gironaCertificateTheOldSenderUsed().cert()).isEqualTo(Cert.GIRONA);
    }

    @Test
    void endpointsAndCameras() throws Exception {
        assertThat(strings(
                        "SELECT name || ' ' || url || ' ' || timeout_ms || ' ' || retry_max || ' ' || retry_backoff_ms "
                                + "FROM endpoints ORDER BY id"))
                .containsExactly("mossos " + MOSSOS_URL + " 0 0 0", "mossos " + MOSSOS_URL + " 20000 5 2000");
        assertThat(strings(
                        "SELECT serial_number || ' ' || coalesce(coord_x, '-') || ' ' || coalesce(utm_x::text, '-') || ' ' "
                                + "|| active || ' ' || coalesce(endpoint_id::text, '-') FROM cameras ORDER BY id"))
                .containsExactly(
                        "TAT-GI-001 431234.56 431234.56 true -",
                        "TAT-SA-002 - 432000.5 false " + expected.endpointOverride(),
                        "../evil 431500.00 431500 true -",
                        "TAT-CE-003 489012.34 489012.34 true -");
        assertThat(expected.cameras().get(Cam.GI_001).certificateId())
                .isEqualTo(expected.certificates().get(Cert.SALT).id());
    }

    @Test
    void readingsAndQueueRowsPerCase() throws Exception {
        for (Case c : Case.values()) {
            Reading r = expected.readings().get(c);
            try (Connection conn = db.getConnection();
                    PreparedStatement ps = conn.prepareStatement(
                            "SELECT r.plate, r.device_sn, r.timestamp_utc, r.image_ocr_path, r.image_ctx_path, r.has_image_ctx, "
                                    + "r.raw_xml, q.status FROM alpr_readings r JOIN messages_queue q ON q.reading_id = r.id WHERE q.id = ?")) {
                ps.setInt(1, r.queueId());
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as(c.name()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo(c.plate());
                    assertThat(rs.getString(2)).isEqualTo(c.cam().serial());
                    assertThat(rs.getObject(3, OffsetDateTime.class)).isEqualTo(c.timestampUtc());
                    assertThat(rs.getString(4)).isEqualTo(r.ocrPath());
                    assertThat(rs.getString(5)).isEqualTo(r.ctxPath());
                    assertThat(rs.getBoolean(6)).isEqualTo(r.ctxPath() != null);
                    assertThat(rs.getString(7))
                            .contains("<IMAGE_OCR>/9j/", "<DEVICE_SN>" + c.cam().serial() + "</DEVICE_SN>");
                    assertThat(rs.getString(8)).isEqualTo(c.status());
                }
            }
        }
        assertThat(strings("SELECT timestamp_utc::text FROM alpr_readings WHERE plate = '1234ABC' ORDER BY id"))
                .containsExactly("2026-11-28 10:15:30+00", "2026-11-28 10:15:30+00");
        assertThat(expected.readings().get(Case.PENDING_OCR_ONLY_ABSOLUTE).ocrPath())
                .startsWith(old.imagesDir().toString());
        assertThat(expected.readings().get(Case.PENDING_DATA_IMAGES_PREFIX).ocrPath())
                .startsWith("data/images/TAT-GI-001/2026/11/28/");
        assertThat(expected.readings().get(Case.PENDING_BOTH_IMAGES).ocrPath())
                .isEqualTo("TAT-GI-001/2026/11/28/20261128101530_plate-1234ABC_ocr.jpg");
    }

    @Test
    void queueStatesAsTheOldSenderLeftThem() throws Exception {
        assertThat(queue(Case.FAILED_RETRY_DUE, "attempts || ' ' || (next_retry_at < now())"))
                .isEqualTo("1 true");
        assertThat(queue(Case.FAILED_RETRY_DUE, "last_error")).contains("Read timed out");
        assertThat(queue(Case.FAILED_RETRY_LATER, "attempts || ' ' || (next_retry_at > now() + interval '50 minutes')"))
                .isEqualTo("1 true");
        assertThat(queue(Case.SENDING_STUCK, "(updated_at < now() - interval '9 minutes')::text"))
                .isEqualTo("true");
        assertThat(queue(Case.DEAD_MAX_RETRIES, "attempts || ' ' || last_error"))
                .isEqualTo("3 MAX_REINTENTOS_AGOTADOS");
        assertThat(queue(Case.SUCCESS_NOT_DELETED, "(sent_at IS NOT NULL)::text"))
                .isEqualTo("true");
        assertThat(queue(Case.PENDING_BOTH_IMAGES, "attempts || ' ' || (updated_at = created_at)"))
                .isEqualTo("0 true");
    }

    // ---- .env ----

    @Test
    void envFileNamesTheOldDatabaseAndFolders() throws Exception {
        String env = Files.readString(old.envFile());
        assertThat(env)
                .contains(
                        "APP_ENV=prod\n",
                        "DB_NAME=\"" + DB + "\"\n",
                        "DB_USER=tattile_legacy\n",
                        "DB_PASSWORD=\"legacy-secret\"\n",
                        "CERTS_DIR=\"" + old.certsDir() + "\"\n",
                        "IMAGES_BASE_DIR=\"" + old.imagesDir() + "\"\n",
                        "MOSSOS_ENDPOINT_URL=\"" + MOSSOS_URL + "\"\n",
                        "SENDER_DEAD_RETENTION_MINUTES=10\n",
                        "LOG_LEVEL=WARNING\n",
                        "\n\n",
                        "\n# ");
        assertThat(old.certsDir()).isEqualTo(old.installDir().resolve("certs"));
    }

    // ---- certificates ----

    @Test
    void adminCertsFolder_keyIsUnencryptedWithBagAttributes_clientPemIsClientThenCa() throws Exception {
        for (Cert cert : List.of(Cert.GIRONA, Cert.GIRONA_OLD)) {
            Path folder = expected.certificates().get(cert).folder();
            String key = Files.readString(folder.resolve("key.pem"));
            assertThat(key)
                    .startsWith("Bag Attributes")
                    .contains("-----BEGIN PRIVATE KEY-----")
                    .doesNotContain("ENCRYPTED");
            List<X509Certificate> client = certificates(folder.resolve("client.pem"));
            assertThat(client).hasSize(2);
            assertThat(client.get(0).getSubjectX500Principal().getName()).contains("MOSSOS GIRONA");
            assertThat(client.get(1)).isEqualTo(testCa());
            assertThat(certificates(folder.resolve("client_only.pem"))).containsExactly(client.get(0));
            assertThat(certificates(folder.resolve("ca_chain.pem"))).containsExactly(testCa());
            assertEncryptedKeyOnly(folder.resolve("privpub.pem"));
        }
        assertThat(certificates(
                        expected.certificates().get(Cert.GIRONA).folder().resolve("client_only.pem")))
                .doesNotContainAnyElementsOf(certificates(
                        expected.certificates().get(Cert.GIRONA_OLD).folder().resolve("client_only.pem")));
    }

    @Test
    void importScriptFolder_publicPemIsTheCa_pathsRelativeToTheInstallDir() throws Exception {
        Certificate salt = expected.certificates().get(Cert.SALT);
        assertThat(salt.path()).isEqualTo("certs/salt/cert_mossos_public.pem");
        assertThat(old.installDir().resolve(salt.keyPath())).isRegularFile();
        assertThat(old.installDir().resolve(salt.pfxPath())).isRegularFile();
        Path publicPem = old.installDir().resolve(salt.path());
        X509Certificate ca = certificates(publicPem).get(0);
        assertThat(ca.getSubjectX500Principal()).isEqualTo(ca.getIssuerX500Principal());
        assertThat(ca).isEqualTo(testCa());
        assertThat(Files.readString(publicPem)).endsWith("-----END CERTIFICATE-----");
        assertThat(Files.readString(salt.folder().resolve("key.pem"))).contains("Bag Attributes", "BEGIN PRIVATE KEY");
        assertEncryptedKeyOnly(salt.folder().resolve("privpub.pem"));
        assertThat(strings("SELECT alias || ' ' || type || ' ' || public_cert_path FROM certificates WHERE id = "
                        + salt.id()))
                .containsExactly("salt PEM_PAIR certs/salt/cert_mossos_public.pem");
    }

    @Test
    void celra_hasNoUsableKey() throws Exception {
        Certificate celra = expected.certificates().get(Cert.CELRA);
        try (Stream<Path> files = Files.list(celra.folder())) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly("celra.pfx", "privpub.pem");
        }
        assertThat(Path.of(celra.keyPath())).doesNotExist();
        assertThat(celra.usableKey()).isFalse();
        assertEncryptedKeyOnly(Path.of(celra.path()));
    }

    @Test
    void everyCertificateFileIsPrivate_andEveryPfxOpensWithItsPassword() throws Exception {
        try (Stream<Path> files = Files.walk(old.certsDir())) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                        .as(f.toString())
                        .isEqualTo("rw-------");
            }
        }
        for (Certificate c : expected.certificates().values()) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(c.pfx())) {
                ks.load(in, c.pfxPassword().toCharArray());
            }
            assertThat(ks.size()).as(c.cert().name()).isGreaterThanOrEqualTo(1);
        }
    }

    // ---- images ----

    @Test
    void imageFilesExistExceptTheMissingOne_allDistinctValidJpegs() throws Exception {
        Set<String> contents = new HashSet<>();
        for (Reading r : expected.readings().values()) {
            List<Path> files = new ArrayList<>();
            if (r.c() == Case.PENDING_OCR_FILE_MISSING) {
                assertThat(r.ocrFile()).doesNotExist();
            } else {
                files.add(r.ocrFile());
            }
            if (r.ctxFile() != null) {
                files.add(r.ctxFile());
            }
            for (Path f : files) {
                byte[] jpeg = Files.readAllBytes(f);
                assertThat(jpeg.length).as(f.toString()).isBetween(1000, 20000);
                assertThat(Arrays.copyOfRange(jpeg, 0, 2)).containsExactly(0xFF, 0xD8);
                assertThat(Arrays.copyOfRange(jpeg, jpeg.length - 2, jpeg.length))
                        .containsExactly(0xFF, 0xD9);
                if (r.c() != Case.PENDING_DUPLICATE) {
                    assertThat(contents.add(new String(jpeg, StandardCharsets.ISO_8859_1)))
                            .as("distinct " + f)
                            .isTrue();
                }
            }
        }
        Reading duplicate = expected.readings().get(Case.PENDING_DUPLICATE);
        assertThat(duplicate.ocrFile())
                .isEqualTo(expected.readings().get(Case.PENDING_BOTH_IMAGES).ocrFile());
        Reading evil = expected.readings().get(Case.PENDING_EVIL);
        assertThat(evil.ocrFile()).startsWith(old.dataDir().resolve("evil")).isRegularFile();
        assertThat(evil.ocrPath()).startsWith("../evil/2026/11/28/");
    }

    // ---- fingerprint ----

    @Test
    void fingerprintIsStable_andSeesRowAndFileChanges() throws Exception {
        SortedMap<String, String> before = old.fingerprint();
        assertThat(old.fingerprint()).isEqualTo(before);
        assertThat(before)
                .containsKeys(
                        "db:rows:alembic_version",
                        "db:rows:certificates",
                        "db:rows:messages_queue",
                        "file:install/.env",
                        "file:install/certs/gi/key.pem",
                        "file:data/evil/2026/11/28/20261128111000_plate-1357MNP_ocr.jpg");

        int queueId = expected.readings().get(Case.PENDING_BOTH_IMAGES).queueId();
        execute("UPDATE messages_queue SET attempts = 1 WHERE id = " + queueId);
        assertThat(old.fingerprint().get("db:rows:messages_queue")).isNotEqualTo(before.get("db:rows:messages_queue"));
        execute("UPDATE messages_queue SET attempts = 0 WHERE id = " + queueId);
        assertThat(old.fingerprint()).isEqualTo(before);

        Path image = expected.readings().get(Case.PENDING_SALT).ocrFile();
        byte[] bytes = Files.readAllBytes(image);
        FileTime mtime = Files.getLastModifiedTime(image);
        Files.setLastModifiedTime(image, FileTime.fromMillis(mtime.toMillis() - 60_000));
        assertThat(old.fingerprint()).isNotEqualTo(before);
        bytes[bytes.length / 2] ^= 1;
        Files.write(image, bytes);
        Files.setLastModifiedTime(image, mtime);
        assertThat(old.fingerprint()).isNotEqualTo(before);
        bytes[bytes.length / 2] ^= 1;
        Files.write(image, bytes);
        Files.setLastModifiedTime(image, mtime);
        assertThat(old.fingerprint()).isEqualTo(before);
    }

    // ---- helpers ----

    private static void assertEncryptedKeyOnly(Path privpub) throws Exception {
        String text = Files.readString(privpub);
        assertThat(text)
                .contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
                .doesNotContain("-----BEGIN PRIVATE KEY-----")
                .doesNotContain("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(certificates(privpub)).hasSize(2).endsWith(testCa());
    }

    private static X509Certificate testCa() throws Exception {
        return certificates(ROOT.resolve("test-ca").resolve("ca.pem")).get(0);
    }

    /** Every PEM certificate block in a file (Bag Attributes and key blocks skipped). */
    private static List<X509Certificate> certificates(Path pem) throws Exception {
        String text = Files.readString(pem);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        int from = 0;
        String begin = "-----BEGIN CERTIFICATE-----";
        String end = "-----END CERTIFICATE-----";
        for (int b; (b = text.indexOf(begin, from)) >= 0; ) {
            int e = text.indexOf(end, b) + end.length();
            out.add((X509Certificate) cf.generateCertificate(
                    new ByteArrayInputStream(text.substring(b, e).getBytes(StandardCharsets.US_ASCII))));
            from = e;
        }
        return out;
    }

    private static String queue(Case c, String expression) throws SQLException {
        return strings("SELECT " + expression + " FROM messages_queue WHERE id = "
                        + expected.readings().get(c).queueId())
                .get(0);
    }

    private static List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
