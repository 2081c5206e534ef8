package routes.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.Setting;
import routes.store.QueueAdminRepository;
import routes.support.Cli;
import routes.support.TestDb;
import routes.support.TestFiles;

/**
 * The one-page status for people without Grafana: {@code admin status} (text and JSON) shows the silent cameras, the
 * delivery delay of the last hour, the DEAD readings by reason and the certificates expiring, from rows set up in the
 * real test database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusCommandFleetTest {

    private final HikariDataSource db = TestDb.open();
    private Path dir;

    @BeforeAll
    void makeDir() throws Exception {
        dir = Files.createTempDirectory("status-fleet");
    }

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
        TestDb.execute(db, "INSERT INTO municipalities (name) VALUES ('Girona'), ('Salt')");
    }

    @AfterAll
    void closeDb() throws Exception {
        db.close();
        TestFiles.deleteTree(dir);
    }

    /** The CLI with an env file of the test database plus these lines. */
    private Cli cli(String... lines) throws Exception {
        Path env = Files.createTempFile(dir, "status", ".env");
        StringBuilder text = new StringBuilder("DB_NAME=" + TestDb.NAME + "\nDB_HOST="
                + TestDb.settings().text(Setting.DB_HOST) + "\nDB_PORT="
                + TestDb.settings().text(Setting.DB_PORT)
                + "\nIMAGES_BASE_DIR=" + dir.resolve("images") + "\n");
        for (String line : lines) {
            text.append(line).append('\n');
        }
        Files.writeString(env, text);
        return new Cli(env);
    }

    /**
     * A camera registered {@code registeredAgo} ago whose last reading was {@code lastAgo} ago (null: never), expected
     * to send within {@code expect} (SQL interval seconds; null: CAMERA_SILENCE_DEFAULT).
     */
    private void camera(
            String serial, String municipality, boolean active, String lastAgo, Integer expect, String registeredAgo)
            throws Exception {
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, municipality_id, active, last_reading_at,"
                        + " expect_readings_within_seconds, created_at) SELECT '" + serial + "', id, " + active + ", "
                        + (lastAgo == null ? "NULL" : "now() - interval '" + lastAgo + "'") + ", "
                        + (expect == null ? "NULL" : expect) + ", now() - interval '" + registeredAgo
                        + "' FROM municipalities WHERE name = '" + municipality + "'");
    }

    private static List<String> serials(JsonNode silent) {
        List<String> out = new ArrayList<>();
        silent.forEach(c -> out.add(c.get("serial").asText()));
        return out;
    }

    private static String line(String text, String containing) {
        return text.lines()
                .filter(l -> l.contains(containing))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line with '" + containing + "' in:\n" + text));
    }

    @Test
    void camerasWatchedAndSilentLongerThanTheirExpectationAreListedWithTheirLastReadingOrNever() throws Exception {
        camera("QUIET01", "Girona", true, "2 hours", 3600, "30 days");
        camera("BUSY01", "Girona", true, "5 minutes", 3600, "30 days");
        camera("NEVER01", "Salt", true, null, 3600, "3 hours");
        camera("NEWBIE01", "Salt", true, null, 3600, "10 minutes");
        camera("DEFAULT01", "Girona", true, "2 hours", null, "30 days");
        camera("OFF01", "Girona", false, "2 hours", 3600, "30 days");
        Cli cli = cli("CAMERA_SILENCE_DEFAULT=none");

        JsonNode s = cli.ok("admin", "status", "--json").json();
        assertThat(s.get("cameras_watched").asLong())
                .as("QUIET01, BUSY01, NEVER01, NEWBIE01: not DEFAULT01 (default none), not OFF01 (inactive)")
                .isEqualTo(4);
        JsonNode silent = s.get("silent_cameras");
        assertThat(serials(silent)).containsExactly("NEVER01", "QUIET01");
        JsonNode never = silent.get(0);
        assertThat(never.get("municipality").asText()).isEqualTo("Salt");
        assertThat(never.get("last_reading_at").isNull()).isTrue();
        assertThat(never.get("silent_for_seconds").asLong())
                .as("since it was registered")
                .isBetween(3 * 3600L - 5, 3 * 3600L + 60);
        assertThat(never.get("expect_readings_within_seconds").asLong()).isEqualTo(3600);
        JsonNode quiet = silent.get(1);
        assertThat(quiet.get("municipality").asText()).isEqualTo("Girona");
        assertThat(quiet.get("last_reading_at").asText()).endsWith("Z");
        assertThat(quiet.get("silent_for_seconds").asLong()).isBetween(7200L - 5, 7200L + 60);
        assertThat(quiet.get("expect_readings_within_seconds").asLong()).isEqualTo(3600);

        String text = cli.ok("admin", "status").out();
        assertThat(text).contains("Silent cameras: 2 of 4 watched (CAMERA_SILENCE_DEFAULT none)");
        assertThat(line(text, "QUIET01")).containsPattern("QUIET01\\s+Girona\\s+20\\d\\d-\\S+Z\\s+2h 0[01]m\\s+1h");
        assertThat(line(text, "NEVER01")).containsPattern("NEVER01\\s+Salt\\s+never\\s+3h 0[01]m\\s+1h");
        assertThat(text).doesNotContain("BUSY01", "NEWBIE01", "DEFAULT01", "OFF01");
    }

    @Test
    void theDefaultExpectationWatchesCamerasWithoutTheirOwnAndZeroMeansNeverWatched() throws Exception {
        camera("DEFAULT01", "Girona", true, "2 hours", null, "30 days");
        camera("ZERO01", "Girona", true, "2 hours", 0, "30 days");
        camera("RECENT01", "Girona", true, "10 minutes", null, "30 days");
        Cli cli = cli("CAMERA_SILENCE_DEFAULT=30m");

        JsonNode s = cli.ok("admin", "status", "--json").json();
        assertThat(s.get("cameras_watched").asLong()).isEqualTo(2);
        assertThat(serials(s.get("silent_cameras"))).containsExactly("DEFAULT01");
        assertThat(s.get("silent_cameras")
                        .get(0)
                        .get("expect_readings_within_seconds")
                        .asLong())
                .isEqualTo(1800);
        String text = cli.ok("admin", "status").out();
        assertThat(text).contains("Silent cameras: 1 of 2 watched (CAMERA_SILENCE_DEFAULT 30m)");
        assertThat(line(text, "DEFAULT01")).containsPattern("DEFAULT01\\s+Girona\\s+\\S+\\s+2h 0[01]m\\s+30m");
        assertThat(text).doesNotContain("ZERO01", "RECENT01");
    }

    @Test
    void withNoCameraWatchedTheStatusSaysSoAndHowToWatchThem() throws Exception {
        camera("DEFAULT01", "Girona", true, "2 hours", null, "30 days");
        Cli cli = cli();

        JsonNode s = cli.ok("admin", "status", "--json").json();
        assertThat(s.get("cameras_watched").asLong()).isZero();
        assertThat(s.get("silent_cameras")).isEmpty();
        assertThat(cli.ok("admin", "status").out())
                .contains("Silent cameras: none watched (1 registered; CAMERA_SILENCE_DEFAULT none; set it, or admin"
                        + " camera update --expect-readings-within)")
                .doesNotContain("DEFAULT01");
    }

    @Test
    void deliveryDelayIsTheMedianAnd95thPercentileOfTheLastHoursDeliveriesOnly() throws Exception {
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= 10; i++) {
            rows.append("('DELIVERED', ")
                    .append(i * 100)
                    .append(", now() - interval '")
                    .append(i)
                    .append(" minutes'), ");
        }
        TestDb.execute(
                db,
                "INSERT INTO delivery_log (outcome, delay_ms, created_at) VALUES " + rows
                        + "('DELIVERED', 999999, now() - interval '2 hours'), "
                        + "('FAILED', 888888, now() - interval '1 minute'), "
                        + "('DEAD', 777777, now() - interval '1 minute')");
        Cli cli = cli();

        JsonNode d = cli.ok("admin", "status", "--json").json().get("delivery_delay_last_hour");
        assertThat(d.get("deliveries").asLong()).isEqualTo(10);
        assertThat(d.get("p50_ms").asLong()).as("100..1000 ms: median 550").isEqualTo(550);
        assertThat(d.get("p95_ms").asLong())
                .as("100 + 0.95 * 900, interpolated")
                .isEqualTo(955);
        assertThat(cli.ok("admin", "status").out())
                .contains("Delivery delay, last hour: 10 deliveries, p50 550 ms, p95 955 ms");

        TestDb.execute(
                db,
                "INSERT INTO delivery_log (outcome, delay_ms, created_at) VALUES ('DELIVERED', 60000, now()),"
                        + " ('DELIVERED', 60000, now()), ('DELIVERED', 60000, now()), ('DELIVERED', 60000, now())");
        assertThat(cli.ok("admin", "status").out())
                .as("seconds past a second")
                .contains("Delivery delay, last hour: 14 deliveries, p50 750 ms, p95 60.0 s");
    }

    @Test
    void withoutDeliveriesInTheLastHourThePercentilesAreNullAndTheTextSaysWhyWhenAuditIsOff() throws Exception {
        TestDb.execute(
                db,
                "INSERT INTO delivery_log (outcome, delay_ms, created_at) VALUES ('DELIVERED', 500, now() - interval"
                        + " '61 minutes')");
        Cli cli = cli();
        JsonNode d = cli.ok("admin", "status", "--json").json().get("delivery_delay_last_hour");
        assertThat(d.get("deliveries").asLong()).isZero();
        assertThat(d.get("p50_ms").isNull()).isTrue();
        assertThat(d.get("p95_ms").isNull()).isTrue();
        assertThat(d.get("audit_enabled").asBoolean()).isTrue();
        assertThat(line(cli.ok("admin", "status").out(), "Delivery delay"))
                .isEqualTo("Delivery delay, last hour: no deliveries in the last hour");

        Cli noAudit = cli("AUDIT_ENABLED=false");
        assertThat(noAudit.ok("admin", "status", "--json")
                        .json()
                        .get("delivery_delay_last_hour")
                        .get("audit_enabled")
                        .asBoolean())
                .isFalse();
        assertThat(line(noAudit.ok("admin", "status").out(), "Delivery delay"))
                .isEqualTo("Delivery delay, last hour: no deliveries in the last hour (AUDIT_ENABLED=false: deliveries"
                        + " are not logged)");
    }

    @Test
    void deadReadingsAreCountedByReasonAllInJsonAndOnlyTheNonZeroInTheText() throws Exception {
        Cli cli = cli();
        assertThat(line(cli.ok("admin", "status").out(), "DEAD by reason")).isEqualTo("DEAD by reason: none");

        camera("DEADCAM", "Girona", true, null, null, "1 day");
        for (String error : List.of(
                "CERTIFICADO_NO_CONFIGURADO", "CERTIFICADO_NO_CONFIGURADO", "NO_IMAGE_FILE_OCR:x/y.jpg", "from 2019")) {
            TestDb.execute(
                    db,
                    "WITH r AS (INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, has_image_ocr,"
                            + " has_image_ctx, camera_id) SELECT gen_random_uuid(), '1234ABC', now(), 'DEADCAM', false,"
                            + " false, id FROM cameras WHERE serial_number = 'DEADCAM' RETURNING id)"
                            + " INSERT INTO messages_queue (reading_id, status, last_error) SELECT id, 'DEAD', '"
                            + error
                            + "' FROM r");
        }
        JsonNode dead = cli.ok("admin", "status", "--json").json().get("dead_by_reason");
        List<String> reasons = new ArrayList<>();
        dead.fieldNames().forEachRemaining(reasons::add);
        assertThat(reasons).containsExactlyElementsOf(QueueAdminRepository.DEAD_REASONS);
        assertThat(dead.get("CERTIFICADO_NO_CONFIGURADO").asLong()).isEqualTo(2);
        assertThat(dead.get("NO_IMAGE_FILE_OCR").asLong()).isEqualTo(1);
        assertThat(dead.get("OTHER").asLong()).isEqualTo(1);
        assertThat(dead.get("CODI_RETORN").asLong()).isZero();
        assertThat(line(cli.ok("admin", "status").out(), "DEAD by reason"))
                .isEqualTo("DEAD by reason: NO_IMAGE_FILE_OCR 1 CERTIFICADO_NO_CONFIGURADO 2 OTHER 1");
    }

    @Test
    void activeCertificatesExpiringWithin30DaysAndExpiredOnesAreListedSoonestFirst() throws Exception {
        certificate("later", "now() + interval '200 days'", true);
        certificate("soon", "now() + interval '10 days 1 hour'", true);
        certificate("gone", "now() - interval '2 hours'", true);
        certificate("retired", "now() + interval '5 days'", false);
        TestDb.execute(
                db,
                "UPDATE municipalities SET certificate_id = (SELECT id FROM certificates WHERE name = 'soon')"
                        + " WHERE name = 'Girona'");
        Cli cli = cli();

        JsonNode s = cli.ok("admin", "status", "--json").json();
        assertThat(s.get("certificate_warning_days").asInt()).isEqualTo(30);
        JsonNode expiring = s.get("certificates_expiring");
        assertThat(expiring).hasSize(2);
        assertThat(expiring.get(0).get("name").asText()).isEqualTo("gone");
        assertThat(expiring.get(0).get("expired").asBoolean()).isTrue();
        assertThat(expiring.get(0).get("days_until_expiry").asLong()).isZero();
        assertThat(expiring.get(1).get("name").asText()).isEqualTo("soon");
        assertThat(expiring.get(1).get("expired").asBoolean()).isFalse();
        assertThat(expiring.get(1).get("days_until_expiry").asLong()).isEqualTo(10);
        assertThat(expiring.get(1).get("used_by").asText()).isEqualTo("Girona");
        JsonNode gone = s.get("certificates").get(0);
        assertThat(gone.get("name").asText()).isEqualTo("gone");
        assertThat(gone.get("expired").asBoolean()).isTrue();
        assertThat(gone.get("expiring_soon").asBoolean())
                .as("the existing field stays")
                .isTrue();

        String text = cli.ok("admin", "status").out();
        assertThat(text).contains("Certificates expiring within 30 days (or expired):");
        assertThat(line(text, "  gone:")).matches("  gone: EXPIRED (1h 59m|2h 00m) ago \\(20\\S+Z\\)");
        assertThat(line(text, "  soon:")).matches("  soon: expires in 10d 0[01]h \\(20\\S+Z\\), used by Girona");
        assertThat(line(text, "gone ")).as("its row in the table").endsWith("EXPIRED");
        assertThat(text).doesNotContain("later:", "retired:");

        TestDb.execute(
                db, "UPDATE certificates SET valid_to = now() + interval '31 days' WHERE name IN ('gone', 'soon')");
        assertThat(cli.ok("admin", "status").out()).contains("Certificates expiring within 30 days: none");
    }

    private void certificate(String name, String validTo, boolean active) throws Exception {
        TestDb.execute(
                db,
                "INSERT INTO certificates (name, type, cert_path, key_path, valid_from, valid_to, active) VALUES ('"
                        + name + "', 'PEM', '" + name + "/cert.pem', '" + name
                        + "/key.pem', now() - interval '1 year', "
                        + validTo + ", " + active + ")");
    }
}
