package routes.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import routes.support.CameraClient;
import routes.support.Cli;
import routes.support.GironaService;
import routes.support.InProcessService;
import routes.support.TestDb;

/**
 * What an operator sees of the fleet: each camera's last reading (kept without one extra write per reading), its
 * silence against its expectation in {@code admin camera list} and {@code /metrics}, readings stored and refused per
 * camera with a bounded label set, and the delivery delay, DEAD reasons and certificate expiry. A real service (ingest,
 * sender, API), real TCP cameras, real signed sends to the sandbox, the real PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetVisibilityTest {

    @RegisterExtension
    final GironaService girona = new GironaService("fleet", 25701, 25702, 25703);

    private final HikariDataSource db = girona.db();

    @BeforeEach
    void cleanSlate() throws Exception {
        girona.reset(null);
    }

    private Map<String, String> settings(String... more) {
        return girona.settings("fleet", more);
    }

    private Cli.Run cli(String... args) {
        return girona.cli().ok(args);
    }

    private void camera(String serial, String... options) {
        List<String> args =
                new ArrayList<>(List.of("admin", "camera", "add", "--serial", serial, "--municipality", "Girona"));
        args.addAll(List.of(options));
        cli(args.toArray(String[]::new));
    }

    private String scrape() throws Exception {
        return girona.scrape();
    }

    /** The value of one series, by its name and labels as Prometheus prints them; null when absent. */
    static Double sample(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return null;
    }

    /** Every series of a metric (name and labels), for checks on the label set. */
    static List<String> series(String metrics, String name) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^(" + Pattern.quote(name) + "\\{[^}]*\\}) ")
                .matcher(metrics);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private String reading(String serial, String plate) {
        return girona.reading(serial, plate);
    }

    @Test
    void aCamerasLastReadingIsKeptWithoutOneWritePerReadingAndShownByTheListAndTheMetrics() throws Exception {
        camera("FLEET01");
        // A flush period longer than the test: if each reading wrote the camera row, the column would fill now.
        try (InProcessService ingest =
                        InProcessService.start(settings("CAMERA_ACTIVITY_FLUSH_SECONDS", "300"), "ingest,api");
                CameraClient cam = new CameraClient(girona.tcpPort())) {
            for (int i = 0; i < 5; i++) {
                cam.send(reading("FLEET01", "100" + i + "FLT"));
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> TestDb.count(db, "SELECT count(*) FROM alpr_readings") == 5);
            assertThat(TestDb.text(db, "SELECT last_reading_at::text FROM cameras WHERE serial_number = 'FLEET01'"))
                    .as("nothing written to the camera row per reading")
                    .isNull();
            String metrics = scrape();
            assertThat(sample(
                            metrics,
                            "tattile_camera_readings_stored_total{municipality=\"Girona\",serial=\"FLEET01\"}"))
                    .isEqualTo(5.0);
        }
        assertThat(TestDb.text(
                        db,
                        "SELECT host(last_source_address) FROM cameras WHERE serial_number = 'FLEET01'"
                                + " AND last_reading_at > now() - interval '1 minute'"))
                .as("written once, when the service stopped")
                .isEqualTo("127.0.0.1");

        JsonNode listed = cli("admin", "camera", "list", "--json").json();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("last_reading_at").asText()).isNotEmpty();
        assertThat(listed.get(0).path("last_source_address").asText()).isEqualTo("127.0.0.1");
        assertThat(listed.get(0).path("silent_for_seconds").asLong()).isLessThan(60);
        String table = cli("admin", "camera", "list").out();
        assertThat(table.lines().findFirst().orElseThrow())
                .contains("LAST READING")
                .contains("SILENT FOR");
    }

    @Test
    void aWatchedCameraSilentPastItsExpectationIsListedAndFlaggedInTheMetrics() throws Exception {
        camera("QUIET01", "--expect-readings-within", "1h");
        camera("BUSY01", "--expect-readings-within", "1h");
        camera("FREE01");
        TestDb.execute(
                db,
                "UPDATE cameras SET last_reading_at = now() - interval '2 hours' WHERE serial_number IN ('QUIET01', 'FREE01')");
        TestDb.execute(
                db, "UPDATE cameras SET last_reading_at = now() - interval '5 minutes' WHERE serial_number = 'BUSY01'");

        JsonNode silent =
                cli("admin", "camera", "list", "--silent", "1h", "--json").json();
        assertThat(silent.findValuesAsText("serial"))
                .as("silent longer than an hour, watched or not")
                .containsExactlyInAnyOrder("QUIET01", "FREE01");
        JsonNode quiet = silent.get(silent.findValuesAsText("serial").indexOf("QUIET01"));
        assertThat(quiet.path("silent").asBoolean()).isTrue();
        assertThat(quiet.path("expect_readings_within").asText()).isEqualTo("1h");

        try (InProcessService api = InProcessService.start(settings(), "api")) {
            String metrics = scrape();
            assertThat(sample(metrics, "tattile_camera_silent{municipality=\"Girona\",serial=\"QUIET01\"}"))
                    .isEqualTo(1.0);
            assertThat(sample(metrics, "tattile_camera_silent{municipality=\"Girona\",serial=\"BUSY01\"}"))
                    .isEqualTo(0.0);
            assertThat(sample(metrics, "tattile_camera_silent{municipality=\"Girona\",serial=\"FREE01\"}"))
                    .as("not watched: no expectation and CAMERA_SILENCE_DEFAULT=none")
                    .isEqualTo(0.0);
            assertThat(sample(
                            metrics,
                            "tattile_camera_expected_interval_seconds{municipality=\"Girona\",serial=\"QUIET01\"}"))
                    .isEqualTo(3600.0);
            Double last = sample(
                    metrics,
                    "tattile_camera_last_reading_timestamp_seconds{municipality=\"Girona\",serial=\"BUSY01\"}");
            assertThat(last).isNotNull();
            assertThat(System.currentTimeMillis() / 1000.0 - last).isBetween(240.0, 400.0);
        }

        cli("admin", "camera", "update", "--serial", "QUIET01", "--expect-readings-within", "none");
        try (InProcessService api = InProcessService.start(settings("CAMERA_SILENCE_DEFAULT", "30m"), "api")) {
            String metrics = scrape();
            assertThat(sample(metrics, "tattile_camera_silent{municipality=\"Girona\",serial=\"QUIET01\"}"))
                    .as("none: never watched, whatever the default")
                    .isEqualTo(0.0);
            assertThat(sample(metrics, "tattile_camera_silent{municipality=\"Girona\",serial=\"FREE01\"}"))
                    .as("the default applies to a camera without its own expectation")
                    .isEqualTo(1.0);
        }
    }

    @Test
    void refusedDocumentsOfUnknownSerialsShareOneLabelSoTheLabelSetStaysBounded() throws Exception {
        camera("KNOWN01", "--active", "false");
        try (InProcessService ingest = InProcessService.start(settings(), "ingest,api");
                CameraClient cam = new CameraClient(girona.tcpPort())) {
            for (int i = 0; i < 20; i++) {
                cam.send(reading("HOSTILE" + i, "200" + (i % 10) + "HST"));
            }
            cam.send(reading("KNOWN01", "3000KNW"));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                String m = scrape();
                Double inactive = sample(
                        m,
                        "tattile_camera_readings_refused_total{municipality=\"Girona\",reason=\"INACTIVE_CAMERA\",serial=\"KNOWN01\"}");
                Double unknown = sample(
                        m,
                        "tattile_camera_readings_refused_total{municipality=\"none\",reason=\"UNKNOWN_CAMERA\",serial=\"unregistered\"}");
                return inactive != null && inactive == 1.0 && unknown != null && unknown == 20.0;
            });
            assertThat(series(scrape(), "tattile_camera_readings_refused_total"))
                    .as("twenty hostile serials, one label")
                    .hasSize(2);
        }
    }

    /**
     * A camera moved to another municipality is counted under the new one from the next scrape that knows it: its
     * counter is registered again (the whole count, as a new series), so "readings per municipality" follows the move
     * instead of keeping the municipality the camera had when it was first counted.
     */
    @Test
    void aCameraMovedToAnotherMunicipalityIsCountedUnderTheNewOne() throws Exception {
        camera("MOVE01");
        cli("admin", "municipality", "add", "--name", "Salt");
        try (InProcessService ingest = InProcessService.start(settings(), "ingest,api");
                CameraClient cam = new CameraClient(girona.tcpPort())) {
            cam.send(reading("MOVE01", "4000MOV"));
            cam.send(reading("MOVE01", "4001MOV"));
            String girona = "tattile_camera_readings_stored_total{municipality=\"Girona\",serial=\"MOVE01\"}";
            String salt = "tattile_camera_readings_stored_total{municipality=\"Salt\",serial=\"MOVE01\"}";
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Double.valueOf(2.0).equals(sample(scrape(), girona)));

            cli("admin", "camera", "update", "--serial", "MOVE01", "--municipality", "Salt");
            cam.send(reading("MOVE01", "4002MOV"));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Double.valueOf(3.0).equals(sample(scrape(), salt)));
            assertThat(series(scrape(), "tattile_camera_readings_stored_total"))
                    .as("one series for the camera, under its new municipality")
                    .containsExactly("tattile_camera_readings_stored_total{municipality=\"Salt\",serial=\"MOVE01\"}");
        }
    }

    @Test
    void aDeliveryRecordsItsDelayAndEndpointAndTheQueueShowsDeadReasonsAndCertificateExpiry() throws Exception {
        camera("SEND01");
        girona.camera("DEADCAM");
        for (String error : List.of(
                "CERTIFICADO_NO_CONFIGURADO", "CERTIFICADO_CADUCADO", "NO_IMAGE_FILE_OCR:x/y.jpg", "something old")) {
            TestDb.execute(
                    db,
                    "WITH r AS (INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, has_image_ocr, has_image_ctx, camera_id)"
                            + " SELECT gen_random_uuid(), 'D" + error.length()
                            + "', now(), 'DEADCAM', false, false, id FROM cameras WHERE serial_number = 'DEADCAM' RETURNING id)"
                            + " INSERT INTO messages_queue (reading_id, status, last_error) SELECT id, 'DEAD', '"
                            + error + "' FROM r");
        }
        try (InProcessService all = InProcessService.start(settings(), "ingest,sender,api");
                CameraClient cam = new CameraClient(girona.tcpPort())) {
            cam.send(reading("SEND01", "4000SND"));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> girona.sandbox().received().size() == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                String m = scrape();
                Double delivered = sample(
                        m,
                        "tattile_endpoint_sends_total{endpoint=\"global\",municipality=\"Girona\",outcome=\"DELIVERED\"}");
                return delivered != null && delivered == 1.0;
            });
            String m = scrape();
            assertThat(sample(m, "tattile_delivery_delay_seconds_count{municipality=\"Girona\"}"))
                    .isEqualTo(1.0);
            assertThat(sample(m, "tattile_delivery_delay_seconds_bucket{municipality=\"Girona\",le=\"60.0\"}"))
                    .as("delivered within a minute of its reception")
                    .isEqualTo(1.0);
            assertThat(sample(m, "tattile_queue_dead{reason=\"CERTIFICADO_NO_CONFIGURADO\"}"))
                    .isEqualTo(1.0);
            assertThat(sample(m, "tattile_queue_dead{reason=\"NO_IMAGE_FILE_OCR\"}"))
                    .isEqualTo(1.0);
            assertThat(sample(m, "tattile_queue_dead{reason=\"CERTIFICADO_CADUCADO\"}"))
                    .isEqualTo(1.0);
            assertThat(sample(m, "tattile_queue_dead{reason=\"OTHER\"}")).isEqualTo(1.0);
            assertThat(sample(m, "tattile_queue_dead{reason=\"MAX_REINTENTOS_AGOTADOS\"}"))
                    .isEqualTo(0.0);
            Double expiry = sample(m, "tattile_certificate_expiry_timestamp_seconds{name=\"girona\"}");
            assertThat(expiry).isNotNull();
            assertThat((expiry - System.currentTimeMillis() / 1000.0) / 86_400)
                    .as("the certificate's valid_to is 20 days from now")
                    .isBetween(18.0, 21.0);
            assertThat(sample(m, "tattile_queue_oldest_pending_age_seconds")).isEqualTo(0.0);
        }
        assertThat(
                        TestDb.count(
                                db,
                                "SELECT count(*) FROM delivery_log WHERE outcome = 'DELIVERED' AND delay_ms BETWEEN 0 AND 60000"))
                .isEqualTo(1);
    }
}
