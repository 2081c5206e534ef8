package routes.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;
import routes.Application;
import routes.config.Setting;
import routes.store.ImageStore;
import routes.store.ReadingRepository;
import routes.support.Cli;
import routes.support.Cli.Run;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.support.TestReadings;

/** The operator's admin commands (registry, assignments, queue, purges, status) against the real test database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminOperationsTest {

    private final HikariDataSource db = TestDb.open();
    private final AtomicInteger sequence = new AtomicInteger();
    private Path dir;
    private Path envFile;
    private Path imagesDir;
    private ImageStore images;

    @BeforeAll
    void writeEnvFile() throws Exception {
        dir = Files.createTempDirectory("admin-ops");
        imagesDir = dir.resolve("images");
        images = new ImageStore(imagesDir, false);
        envFile = dir.resolve("test.env");
        Files.writeString(
                envFile,
                "DB_NAME=" + TestDb.NAME + "\nDB_HOST=" + TestDb.settings().text(Setting.DB_HOST) + "\nDB_PORT="
                        + TestDb.settings().text(Setting.DB_PORT) + "\nIMAGES_BASE_DIR=" + imagesDir + "\n");
    }

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(imagesDir);
    }

    @AfterAll
    void closeDb() throws Exception {
        db.close();
        TestFiles.deleteTree(dir);
    }

    private Run run(String... args) {
        return new Cli(envFile).run(args);
    }

    private Run ok(String... args) {
        return new Cli(envFile).ok(args);
    }

    /** Exit 1 and exactly one line on standard error; returns that line. */
    private String fails(String... args) {
        return new Cli(envFile).fails(1, args);
    }

    // --- camera sources ---

    @Test
    void aCamerasAllowedSourcesAreSetListedAndClearedAndABadBlockIsRefused() throws Exception {
        ok("admin", "municipality", "add", "--name", "Girona");
        ok(
                "admin",
                "camera",
                "add",
                "--serial",
                "SRC01",
                "--municipality",
                "Girona",
                "--allowed-sources",
                "192.0.2.10");
        assertThat(TestDb.text(db, "SELECT allowed_sources::text FROM cameras WHERE serial_number = 'SRC01'"))
                .isEqualTo("{192.0.2.10/32}");
        Run update = ok(
                "admin",
                "camera",
                "update",
                "--serial",
                "SRC01",
                "--allowed-sources",
                "192.0.2.10/32, 10.1.0.0/16,2001:db8::/48");
        assertThat(update.out()).contains("allowed sources 192.0.2.10/32,10.1.0.0/16,2001:db8::/48");
        assertThat(ok("admin", "camera", "list").out()).contains("192.0.2.10/32,10.1.0.0/16,2001:db8::/48");
        assertThat(ok("admin", "camera", "list", "--json")
                        .json()
                        .get(0)
                        .get("allowed_sources")
                        .toString())
                .isEqualTo("[\"192.0.2.10/32\",\"10.1.0.0/16\",\"2001:db8::/48\"]");
        assertThat(fails("admin", "camera", "update", "--serial", "SRC01", "--allowed-sources", "camera.example.org"))
                .startsWith("Invalid --allowed-sources: 'camera.example.org' is not an IP address or CIDR block");
        assertThat(fails("admin", "camera", "update", "--serial", "SRC01", "--allowed-sources", "10.0.0.0/33"))
                .contains("prefix length must be 0-32");
        ok("admin", "camera", "update", "--serial", "SRC01", "--allowed-sources", "none");
        assertThat(TestDb.text(
                        db, "SELECT coalesce(allowed_sources::text, 'any') FROM cameras WHERE serial_number = 'SRC01'"))
                .isEqualTo("any");
        assertThat(ok("admin", "camera", "list").out()).contains(" any ");
    }

    // --- municipalities ---

    @Test
    void municipalitiesAreListedUpdatedAndShownAsJson() throws Exception {
        ok("admin", "municipality", "add", "--name", "Girona", "--code", "17079");
        ok("admin", "municipality", "add", "--name", "Salt");
        ok("admin", "camera", "add", "--serial", "GI01", "--municipality", "Girona");

        assertThat(ok("admin", "municipality", "list").out())
                .contains("NAME")
                .contains("Girona")
                .contains("17079")
                .contains("Salt");
        JsonNode list = ok("admin", "municipality", "list", "--json").json();
        assertThat(list.isArray()).isTrue();
        assertThat(list).hasSize(2);
        JsonNode girona = list.get(0);
        assertThat(girona.get("name").asText()).isEqualTo("Girona");
        assertThat(girona.get("code").asText()).isEqualTo("17079");
        assertThat(girona.get("active").asBoolean()).isTrue();
        assertThat(girona.get("cameras").asInt()).isEqualTo(1);
        assertThat(girona.get("certificate").isNull()).isTrue();
        assertThat(UUID.fromString(girona.get("id").asText())).isNotNull();
        assertThat(Instant.parse(girona.get("created_at").asText()))
                .isBefore(Instant.now().plusSeconds(5));

        Run update = ok(
                "admin",
                "municipality",
                "update",
                "--name",
                "Girona",
                "--new-name",
                "Girona Nord",
                "--code",
                "17080",
                "--active",
                "false");
        assertThat(update.out())
                .contains("Municipality 'Girona' updated: renamed to 'Girona Nord', code 17080, inactive");
        assertThat(TestDb.text(
                        db, "SELECT concat_ws('|', name, code, active) FROM municipalities WHERE code = '17080'"))
                .isEqualTo("Girona Nord|17080|f");
        ok("admin", "municipality", "update", "--name", "Girona Nord", "--code", "", "--active", "true");
        assertThat(
                        TestDb.text(
                                db,
                                "SELECT concat_ws('|', name, coalesce(code, 'null'), active) FROM municipalities WHERE name = 'Girona Nord'"))
                .isEqualTo("Girona Nord|null|t");

        assertThat(fails("admin", "municipality", "update", "--name", "Girona Nord", "--new-name", "Salt"))
                .isEqualTo("Municipality 'Salt' already exists");
        assertThat(fails("admin", "municipality", "update", "--name", "Salt")).startsWith("Nothing to update");
        assertThat(fails("admin", "municipality", "update", "--name", "Nowhere", "--code", "1"))
                .isEqualTo("Municipality 'Nowhere' does not exist");
    }

    @Test
    void aMunicipalityWithCamerasIsDeletedOnlyWithForceAndThenWithItsCamerasReadingsAndImages() throws Exception {
        ok("admin", "municipality", "add", "--name", "Girona");
        ok("admin", "municipality", "add", "--name", "Salt");
        ok("admin", "camera", "add", "--serial", "GI01", "--municipality", "Girona");
        ok("admin", "camera", "add", "--serial", "GI02", "--municipality", "Girona");
        ok("admin", "camera", "add", "--serial", "SA01", "--municipality", "Salt");
        queueReading("GI01");
        queueReading("GI01");
        queueReading("GI02");
        queueReading("SA01");
        assertThat(imageFiles()).isEqualTo(4);

        assertThat(fails("admin", "municipality", "delete", "--name", "Girona"))
                .isEqualTo(
                        "Municipality 'Girona' has 2 cameras; use --force to delete them and their 3 queued readings too");
        assertThat(TestDb.count(db, "SELECT count(*) FROM cameras")).isEqualTo(3);

        Run forced = ok("admin", "municipality", "delete", "--name", "Girona", "--force");
        assertThat(forced.out().strip())
                .isEqualTo("Municipality 'Girona' deleted with its 2 cameras and 3 readings (and their images)");
        assertThat(TestDb.text(db, "SELECT string_agg(name, ',') FROM municipalities"))
                .isEqualTo("Salt");
        assertThat(TestDb.text(db, "SELECT string_agg(serial_number, ',') FROM cameras"))
                .isEqualTo("SA01");
        assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings")).isEqualTo(1);
        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue")).isEqualTo(1);
        assertThat(imageFiles()).as("only Salt's image is left").isEqualTo(1);

        assertThat(fails("admin", "municipality", "delete", "--name", "Salt"))
                .isEqualTo("Municipality 'Salt' has 1 camera; use --force to delete it and its 1 queued reading too");
        ok("admin", "municipality", "add", "--name", "Quiet");
        ok("admin", "camera", "add", "--serial", "QU01", "--municipality", "Quiet");
        assertThat(fails("admin", "municipality", "delete", "--name", "Quiet"))
                .isEqualTo("Municipality 'Quiet' has 1 camera; use --force to delete it too");
        assertThat(ok("admin", "municipality", "delete", "--name", "Quiet", "--force")
                        .out()
                        .strip())
                .isEqualTo("Municipality 'Quiet' deleted with its 1 camera");
        ok("admin", "municipality", "add", "--name", "Empty");
        assertThat(ok("admin", "municipality", "delete", "--name", "Empty")
                        .out()
                        .strip())
                .isEqualTo("Municipality 'Empty' deleted");
        assertThat(fails("admin", "municipality", "delete", "--name", "Empty"))
                .isEqualTo("Municipality 'Empty' does not exist");
    }

    // --- endpoints ---

    @Test
    void endpointsAreAddedValidatedListedUpdatedAndDeleted() throws Exception {
        Run add = ok(
                "admin",
                "endpoint",
                "add",
                "--name",
                "mossos",
                "--url",
                "https://mossos.example/matricula",
                "--timeout-ms",
                "8000",
                "--retry-max",
                "3",
                "--retry-backoff-ms",
                "2000",
                "--soap-action",
                "urn:matricula",
                "--max-in-flight",
                "4");
        assertThat(add.out()).contains("Endpoint 'mossos' added (https://mossos.example/matricula");
        ok("admin", "endpoint", "add", "--name", "backup", "--url", "http://backup.example:8080/m");
        assertThat(fails("admin", "endpoint", "add", "--name", "mossos", "--url", "https://x.example/"))
                .isEqualTo("Endpoint 'mossos' already exists");
        assertThat(fails("admin", "endpoint", "add", "--name", "bad", "--url", "ftp://x.example/"))
                .contains("Invalid URL 'ftp://x.example/'");
        assertThat(fails(
                        "admin",
                        "endpoint",
                        "add",
                        "--name",
                        "bad",
                        "--url",
                        "https://x.example/",
                        "--timeout-ms",
                        "0"))
                .isEqualTo("--timeout-ms must be a positive number (got 0)");
        assertThat(fails(
                        "admin",
                        "endpoint",
                        "add",
                        "--name",
                        "bad",
                        "--url",
                        "https://x.example/",
                        "--retry-backoff-ms",
                        "-5"))
                .contains("--retry-backoff-ms must be a positive number");
        assertThat(fails("admin", "endpoint", "add", "--name", "none", "--url", "https://x.example/"))
                .contains("reserved");
        for (String bad : List.of("0", "-1", "many")) {
            assertThat(fails(
                            "admin",
                            "endpoint",
                            "add",
                            "--name",
                            "bad",
                            "--url",
                            "https://x.example/",
                            "--max-in-flight",
                            bad))
                    .isEqualTo("--max-in-flight must be a positive number or none (got " + bad + ")");
        }

        JsonNode list = ok("admin", "endpoint", "list", "--json").json();
        assertThat(list).hasSize(2);
        JsonNode mossos = list.get(1);
        assertThat(mossos.get("name").asText()).isEqualTo("mossos");
        assertThat(mossos.get("url").asText()).isEqualTo("https://mossos.example/matricula");
        assertThat(mossos.get("timeout_ms").asInt()).isEqualTo(8000);
        assertThat(mossos.get("retry_max").asInt()).isEqualTo(3);
        assertThat(mossos.get("retry_backoff_ms").asInt()).isEqualTo(2000);
        assertThat(mossos.get("soap_action").asText()).isEqualTo("urn:matricula");
        assertThat(mossos.get("max_in_flight").asInt()).isEqualTo(4);
        assertThat(mossos.get("active").asBoolean()).isTrue();
        assertThat(list.get(0).get("timeout_ms").asInt()).as("default").isEqualTo(30000);
        assertThat(list.get(0).get("retry_max").isNull()).isTrue();
        assertThat(list.get(0).get("max_in_flight").isNull())
                .as("no cap by default")
                .isTrue();
        assertThat(ok("admin", "endpoint", "list").out())
                .contains("IN FLIGHT")
                .contains("mossos")
                .contains("https://mossos.example/matricula");
        assertThat(ok("admin", "endpoint", "update", "--name", "backup", "--max-in-flight", "2")
                        .out())
                .contains("Endpoint 'backup' updated: at most 2 sends in flight");
        assertThat(TestDb.text(db, "SELECT max_in_flight::text FROM endpoints WHERE name = 'backup'"))
                .isEqualTo("2");
        assertThat(ok("admin", "endpoint", "update", "--name", "backup", "--max-in-flight", "none")
                        .out())
                .contains("Endpoint 'backup' updated: no cap on sends in flight");
        assertThat(TestDb.text(db, "SELECT max_in_flight::text FROM endpoints WHERE name = 'backup'"))
                .isNull();

        Run update = ok(
                "admin",
                "endpoint",
                "update",
                "--name",
                "mossos",
                "--new-name",
                "mossos-prod",
                "--url",
                "https://prod.example/m",
                "--timeout-ms",
                "9000",
                "--retry-max",
                "0",
                "--soap-action",
                "",
                "--active",
                "false");
        assertThat(update.out())
                .contains(
                        "Endpoint 'mossos' updated: renamed to 'mossos-prod', url https://prod.example/m, timeout 9000 ms, "
                                + "retry max 0, SOAP action cleared, inactive");
        assertThat(TestDb.text(
                        db,
                        "SELECT concat_ws('|', name, url, timeout_ms, retry_max, retry_backoff_ms, coalesce(soap_action, 'null'), active) "
                                + "FROM endpoints WHERE name = 'mossos-prod'"))
                .isEqualTo("mossos-prod|https://prod.example/m|9000|0|2000|null|f");
        assertThat(fails("admin", "endpoint", "update", "--name", "mossos-prod", "--url", "prod.example"))
                .contains("Invalid URL");
        assertThat(fails("admin", "endpoint", "update", "--name", "ghost", "--timeout-ms", "100"))
                .isEqualTo("Endpoint 'ghost' does not exist");

        ok("admin", "municipality", "add", "--name", "Girona");
        ok("admin", "municipality", "add", "--name", "Salt");
        ok("admin", "camera", "add", "--serial", "GI01", "--municipality", "Girona", "--endpoint", "mossos-prod");
        ok("admin", "assign", "--endpoint", "mossos-prod", "--municipality", "Girona");
        ok("admin", "assign", "--endpoint", "mossos-prod", "--municipality", "Salt");
        assertThat(ok("admin", "endpoint", "list", "--json")
                        .json()
                        .get(1)
                        .get("used_by")
                        .asText()
                        .split(","))
                .containsExactlyInAnyOrder("Girona", "Salt", "camera:GI01");

        assertThat(fails("admin", "endpoint", "delete", "--name", "mossos-prod"))
                .isEqualTo(
                        "Endpoint 'mossos-prod' is used by municipalities Girona, Salt and camera GI01; use --force to clear those references and delete it");
        assertThat(TestDb.count(db, "SELECT count(*) FROM endpoints")).isEqualTo(2);
        assertThat(ok("admin", "endpoint", "delete", "--name", "mossos-prod", "--force")
                        .out()
                        .strip())
                .isEqualTo("Endpoint 'mossos-prod' deleted; cleared from municipalities Girona, Salt and camera GI01");
        assertThat(TestDb.count(db, "SELECT count(*) FROM municipalities WHERE endpoint_id IS NOT NULL"))
                .isZero();
        assertThat(TestDb.count(db, "SELECT count(*) FROM cameras WHERE endpoint_id IS NOT NULL"))
                .isZero();
        assertThat(ok("admin", "endpoint", "delete", "--name", "backup").out().strip())
                .isEqualTo("Endpoint 'backup' deleted");
        assertThat(TestDb.count(db, "SELECT count(*) FROM endpoints")).isZero();
    }

    @Test
    void aCertificateInUseIsDeletedOnlyWithForceWhichClearsItsReferences() throws Exception {
        ok("admin", "municipality", "add", "--name", "Girona");
        ok("admin", "camera", "add", "--serial", "GI01", "--municipality", "Girona");
        certificate("girona", 200);
        ok("admin", "assign", "--certificate", "girona", "--municipality", "Girona");
        ok("admin", "assign", "--certificate", "girona", "--camera", "GI01");
        assertThat(fails("admin", "certificate", "delete", "--name", "girona"))
                .isEqualTo(
                        "Certificate 'girona' is used by municipality Girona and camera GI01; use --force to clear those references and delete it");
        assertThat(ok("admin", "certificate", "delete", "--name", "girona", "--force")
                        .out())
                .contains("Certificate 'girona' deleted; cleared from municipality Girona and camera GI01");
        assertThat(TestDb.count(db, "SELECT count(*) FROM certificates")).isZero();
        assertThat(TestDb.count(db, "SELECT count(*) FROM municipalities WHERE certificate_id IS NOT NULL"))
                .isZero();
    }

    // --- cameras ---

    @Test
    void camerasAreAddedWithEveryFieldListedUpdatedAndDeleted() throws Exception {
        ok("admin", "municipality", "add", "--name", "Girona");
        ok("admin", "municipality", "add", "--name", "Salt");
        ok("admin", "endpoint", "add", "--name", "mossos", "--url", "https://mossos.example/m");
        certificate("cam-cert", 365);
        Run add = ok(
                "admin",
                "camera",
                "add",
                "--serial",
                "GI01",
                "--municipality",
                "Girona",
                "--codigo-lector",
                "GI-01",
                "--description",
                "Pont Nord",
                "--endpoint",
                "mossos",
                "--certificate",
                "cam-cert",
                "--coord-x",
                "41.98",
                "--coord-y",
                "2.82",
                "--utm-x",
                "485000.5",
                "--utm-y",
                "4647000.25",
                "--timezone",
                "Europe/Madrid",
                "--active",
                "false");
        assertThat(add.out()).contains("Camera 'GI01' added to municipality 'Girona'");
        ok("admin", "camera", "add", "--serial", "SA01", "--municipality", "Salt");

        JsonNode girona = ok("admin", "camera", "list", "--municipality", "Girona", "--json")
                .json();
        assertThat(girona).hasSize(1);
        JsonNode c = girona.get(0);
        assertThat(c.get("serial").asText()).isEqualTo("GI01");
        assertThat(c.get("codigo_lector").asText()).isEqualTo("GI-01");
        assertThat(c.get("description").asText()).isEqualTo("Pont Nord");
        assertThat(c.get("municipality").asText()).isEqualTo("Girona");
        assertThat(c.get("endpoint").asText()).isEqualTo("mossos");
        assertThat(c.get("certificate").asText()).isEqualTo("cam-cert");
        assertThat(c.get("coord_x").asDouble()).isEqualTo(41.98);
        assertThat(c.get("coord_y").asDouble()).isEqualTo(2.82);
        assertThat(c.get("utm_x").asDouble()).isEqualTo(485000.5);
        assertThat(c.get("utm_y").asDouble()).isEqualTo(4647000.25);
        assertThat(c.get("timezone").asText()).isEqualTo("Europe/Madrid");
        assertThat(c.get("active").asBoolean()).isFalse();
        assertThat(c.get("last_sent_at").isNull()).isTrue();
        assertThat(UUID.fromString(c.get("id").asText())).isNotNull();
        assertThat(ok("admin", "camera", "list", "--json").json()).hasSize(2);
        assertThat(ok("admin", "camera", "list").out())
                .contains("SERIAL")
                .contains("GI01")
                .contains("SA01")
                .contains("Pont Nord");
        assertThat(fails("admin", "camera", "list", "--municipality", "Nowhere"))
                .isEqualTo("Municipality 'Nowhere' does not exist");

        Run update = ok(
                "admin",
                "camera",
                "update",
                "--serial",
                "GI01",
                "--municipality",
                "Salt",
                "--endpoint",
                "none",
                "--certificate",
                "none",
                "--timezone",
                "none",
                "--coord-x",
                "1.5",
                "--description",
                "",
                "--active",
                "true");
        assertThat(update.out())
                .contains(
                        "Camera 'GI01' updated: municipality Salt, description cleared, endpoint cleared, certificate cleared, "
                                + "coord_x 1.5, timezone cleared, active");
        assertThat(
                        TestDb.text(
                                db,
                                "SELECT concat_ws('|', m.name, coalesce(c.endpoint_id::text, 'null'), coalesce(c.certificate_id::text, 'null'), "
                                        + "coalesce(c.timezone, 'null'), c.coord_x, c.coord_y, coalesce(c.description, 'null'), c.codigo_lector, c.active) "
                                        + "FROM cameras c JOIN municipalities m ON m.id = c.municipality_id WHERE c.serial_number = 'GI01'"))
                .isEqualTo("Salt|null|null|null|1.5|2.82|null|GI-01|t");
        ok("admin", "camera", "update", "--serial", "GI01", "--endpoint", "mossos", "--timezone", "Atlantic/Canary");
        assertThat(TestDb.text(
                        db,
                        "SELECT e.name || '|' || c.timezone FROM cameras c JOIN endpoints e ON e.id = c.endpoint_id"))
                .isEqualTo("mossos|Atlantic/Canary");

        assertThat(fails("admin", "camera", "update", "--serial", "GI01", "--endpoint", "ghost"))
                .isEqualTo("Endpoint 'ghost' does not exist");
        assertThat(fails("admin", "camera", "update", "--serial", "GI01", "--certificate", "ghost"))
                .isEqualTo("Certificate 'ghost' does not exist");
        assertThat(fails("admin", "camera", "update", "--serial", "GI01", "--timezone", "Mars/Base"))
                .contains("Invalid time zone 'Mars/Base'");
        assertThat(fails("admin", "camera", "update", "--serial", "GI01", "--municipality", "Nowhere"))
                .isEqualTo("Municipality 'Nowhere' does not exist");
        assertThat(fails("admin", "camera", "update", "--serial", "NOPE", "--active", "false"))
                .isEqualTo("Camera 'NOPE' does not exist");
        assertThat(fails("admin", "camera", "update", "--serial", "GI01")).startsWith("Nothing to update");
        assertThat(fails("admin", "camera", "add", "--serial", "X1", "--municipality", "Girona", "--endpoint", "ghost"))
                .isEqualTo("Endpoint 'ghost' does not exist");
        assertThat(TestDb.count(db, "SELECT count(*) FROM cameras WHERE serial_number = 'X1'"))
                .isZero();

        queueReading("GI01");
        queueReading("GI01");
        queueReading("SA01");
        assertThat(fails("admin", "camera", "delete", "--serial", "GI01"))
                .isEqualTo("Camera 'GI01' has 2 queued readings; use --force to delete them too");
        assertThat(ok("admin", "camera", "delete", "--serial", "GI01", "--force")
                        .out()
                        .strip())
                .isEqualTo("Camera 'GI01' deleted with its 2 readings (and their images)");
        assertThat(TestDb.count(db, "SELECT count(*) FROM cameras WHERE serial_number = 'GI01'"))
                .isZero();
        assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings")).isEqualTo(1);
        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue")).isEqualTo(1);
        assertThat(imageFiles()).isEqualTo(1);
        assertThat(fails("admin", "camera", "delete", "--serial", "GI01")).isEqualTo("Camera 'GI01' does not exist");
    }

    // --- assign ---

    @Test
    void certificatesAndEndpointsAreAssignedToMunicipalitiesAndCameras() throws Exception {
        ok("admin", "municipality", "add", "--name", "Girona");
        ok("admin", "camera", "add", "--serial", "GI01", "--municipality", "Girona");
        ok("admin", "endpoint", "add", "--name", "mossos", "--url", "https://mossos.example/m");
        certificate("girona", 365);

        assertThat(ok("admin", "assign", "--certificate", "girona", "--municipality", "Girona")
                        .out()
                        .strip())
                .isEqualTo("Certificate 'girona' assigned to municipality 'Girona'");
        assertThat(ok("admin", "assign", "--endpoint", "mossos", "--municipality", "Girona")
                        .out()
                        .strip())
                .isEqualTo("Endpoint 'mossos' assigned to municipality 'Girona'");
        assertThat(TestDb.text(
                        db,
                        "SELECT c.name || '|' || e.name FROM municipalities m JOIN certificates c ON c.id = m.certificate_id "
                                + "JOIN endpoints e ON e.id = m.endpoint_id WHERE m.name = 'Girona'"))
                .isEqualTo("girona|mossos");

        assertThat(ok("admin", "assign", "--endpoint", "mossos", "--camera", "GI01")
                        .out()
                        .strip())
                .isEqualTo("Endpoint 'mossos' assigned to camera 'GI01' (overrides its municipality's)");
        ok("admin", "assign", "--certificate", "girona", "--camera", "GI01");
        assertThat(TestDb.text(
                        db,
                        "SELECT c.name || '|' || e.name FROM cameras k JOIN certificates c ON c.id = k.certificate_id "
                                + "JOIN endpoints e ON e.id = k.endpoint_id"))
                .isEqualTo("girona|mossos");
        assertThat(ok("admin", "assign", "--certificate", "none", "--camera", "GI01")
                        .out()
                        .strip())
                .isEqualTo("Certificate of camera 'GI01' cleared (it uses its municipality's)");
        assertThat(TestDb.count(
                        db, "SELECT count(*) FROM cameras WHERE certificate_id IS NULL AND endpoint_id IS NOT NULL"))
                .isEqualTo(1);

        assertThat(fails("admin", "assign", "--certificate", "ghost", "--municipality", "Girona"))
                .isEqualTo("Certificate 'ghost' does not exist");
        assertThat(fails("admin", "assign", "--endpoint", "ghost", "--camera", "GI01"))
                .isEqualTo("Endpoint 'ghost' does not exist");
        assertThat(fails("admin", "assign", "--endpoint", "mossos", "--municipality", "Nowhere"))
                .isEqualTo("Municipality 'Nowhere' does not exist");
        assertThat(fails("admin", "assign", "--endpoint", "mossos", "--camera", "NOPE"))
                .isEqualTo("Camera 'NOPE' does not exist");
        Run both = run("admin", "assign", "--endpoint", "mossos", "--certificate", "girona", "--camera", "GI01");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err().strip()).doesNotContain("\n").contains("mutually exclusive");
    }

    // --- queue ---

    @Test
    void queueStatsCountEveryStatusTheOldestPendingAndDeadReasons() throws Exception {
        TestDb.camera(db, "GI01", null);
        UUID pending = queueReading("GI01");
        queueReading("GI01");
        UUID failed = queueReading("GI01");
        UUID dead1 = queueReading("GI01");
        UUID dead2 = queueReading("GI01");
        UUID dead3 = queueReading("GI01");
        TestDb.execute(
                db,
                "UPDATE messages_queue SET created_at = now() - interval '120 seconds' WHERE reading_id = '" + pending
                        + "'");
        setStatus(failed, "FAILED", "SoapFault: boom");
        setStatus(dead1, "DEAD", "CODI_RETORN:E17");
        setStatus(dead2, "DEAD", "CODI_RETORN:E17");
        setStatus(dead3, "DEAD", "MAX_REINTENTOS_AGOTADOS");

        JsonNode stats = ok("admin", "queue", "stats", "--json").json();
        JsonNode counts = stats.get("counts");
        assertThat(counts.get("PENDING").asLong()).isEqualTo(2);
        assertThat(counts.get("SENDING").asLong()).isZero();
        assertThat(counts.get("FAILED").asLong()).isEqualTo(1);
        assertThat(counts.get("DEAD").asLong()).isEqualTo(3);
        assertThat(stats.get("oldest_pending_age_seconds").asLong()).isBetween(119L, 180L);
        assertThat(stats.get("dead_by_error").get("CODI_RETORN:E17").asLong()).isEqualTo(2);
        assertThat(stats.get("dead_by_error").get("MAX_REINTENTOS_AGOTADOS").asLong())
                .isEqualTo(1);
        assertThat(stats.get("dead_by_error").fieldNames().next())
                .as("most frequent first")
                .isEqualTo("CODI_RETORN:E17");

        String text = ok("admin", "queue", "stats").out();
        assertThat(text)
                .contains("PENDING  2")
                .contains("SENDING  0")
                .contains("DEAD     3")
                .contains("CODI_RETORN:E17");

        TestDb.reset(db);
        JsonNode empty = ok("admin", "queue", "stats", "--json").json();
        assertThat(empty.get("counts").size()).isEqualTo(4);
        assertThat(empty.get("oldest_pending_age_seconds").isNull()).isTrue();
        assertThat(empty.get("dead_by_error").size()).isZero();
    }

    @Test
    void queueListShowsRowsByStatusWithALimit() throws Exception {
        TestDb.camera(db, "GI01", null);
        List<UUID> readings = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            readings.add(queueReading("GI01"));
        }
        setStatus(readings.get(3), "DEAD", "CODI_RETORN:E17");
        JsonNode all = ok("admin", "queue", "list", "--json").json();
        assertThat(all).hasSize(4);
        JsonNode dead =
                ok("admin", "queue", "list", "--status", "dead", "--json").json();
        assertThat(dead).hasSize(1);
        JsonNode row = dead.get(0);
        assertThat(row.get("id").asText()).isEqualTo(queueId(readings.get(3)).toString());
        assertThat(row.get("status").asText()).isEqualTo("DEAD");
        assertThat(row.get("attempts").asInt()).isEqualTo(1);
        assertThat(row.get("last_error").asText()).isEqualTo("CODI_RETORN:E17");
        assertThat(Instant.parse(row.get("next_attempt_at").asText())).isNotNull();
        assertThat(row.get("plate").asText()).matches("\\d{4}ABC");
        assertThat(row.get("device_sn").asText()).isEqualTo("GI01");
        assertThat(Instant.parse(row.get("received_at").asText())).isNotNull();
        assertThat(ok("admin", "queue", "list", "--status", "PENDING", "--limit", "2", "--json")
                        .json())
                .hasSize(2);
        assertThat(ok("admin", "queue", "list", "--status", "DEAD").out())
                .contains("CODI_RETORN:E17")
                .contains("GI01");
        assertThat(fails("admin", "queue", "list", "--status", "LOST"))
                .isEqualTo("Invalid status 'LOST': use PENDING, SENDING, FAILED, DEAD");
        assertThat(fails("admin", "queue", "list", "--limit", "0")).contains("--limit must be between 1 and 100000");
    }

    @Test
    void requeueByIdAndByDeadReasonResetsTheRowsAndRefusesOthers() throws Exception {
        TestDb.camera(db, "GI01", null);
        UUID pending = queueReading("GI01");
        UUID deadCodi = queueReading("GI01");
        UUID deadCodi2 = queueReading("GI01");
        UUID deadOther = queueReading("GI01");
        UUID failed = queueReading("GI01");
        setStatus(deadCodi, "DEAD", "CODI_RETORN:E17");
        setStatus(deadCodi2, "DEAD", "CODI_RETORN:E99");
        setStatus(deadOther, "DEAD", "CERTIFICADO_CADUCADO");
        setStatus(failed, "FAILED", "SoapFault");
        TestDb.execute(
                db,
                "UPDATE messages_queue SET attempts = 7, locked_by = 'x', locked_until = now(), "
                        + "next_attempt_at = now() + interval '1 day' WHERE status = 'DEAD'");

        UUID pendingRow = queueId(pending);
        assertThat(fails("admin", "queue", "requeue", "--id", pendingRow.toString()))
                .isEqualTo("Queue row " + pendingRow + " is PENDING: only DEAD or FAILED rows can be requeued");
        UUID ghost = UUID.randomUUID();
        assertThat(fails("admin", "queue", "requeue", "--id", ghost.toString()))
                .isEqualTo("Queue row " + ghost + " does not exist");

        UUID otherRow = queueId(deadOther);
        assertThat(ok("admin", "queue", "requeue", "--id", otherRow.toString())
                        .out()
                        .strip())
                .isEqualTo("Requeued 1 reading (queue row " + otherRow + ", was DEAD)");
        assertThat(TestDb.text(
                        db,
                        "SELECT concat_ws('|', status, attempts, coalesce(last_error, 'null'), coalesce(locked_by, 'null'), "
                                + "coalesce(locked_until::text, 'null'), next_attempt_at <= now()) FROM messages_queue WHERE id = ?",
                        otherRow))
                .isEqualTo("PENDING|0|null|null|null|t");
        assertThat(ok("admin", "queue", "requeue", "--id", queueId(failed).toString())
                        .out())
                .contains("was FAILED");

        setStatus(deadOther, "DEAD", "CERTIFICADO_CADUCADO");
        assertThat(ok("admin", "queue", "requeue", "--status", "DEAD", "--error", "CODI_RETORN")
                        .out()
                        .strip())
                .isEqualTo("Requeued 2 readings (DEAD, last_error starting with 'CODI_RETORN')");
        assertThat(
                        TestDb.text(
                                db,
                                "SELECT string_agg(coalesce(last_error, 'null'), ',') FROM messages_queue WHERE status = 'DEAD'"))
                .isEqualTo("CERTIFICADO_CADUCADO");
        assertThat(TestDb.count(
                        db,
                        "SELECT count(*) FROM messages_queue WHERE status = 'PENDING' AND attempts = 0 AND last_error IS NULL "
                                + "AND locked_by IS NULL"))
                .isEqualTo(4);
        assertThat(ok("admin", "queue", "requeue", "--status", "DEAD").out().strip())
                .isEqualTo("Requeued 1 reading (DEAD)");
        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue WHERE status <> 'PENDING'"))
                .isZero();

        assertThat(fails("admin", "queue", "requeue", "--status", "PENDING")).startsWith("Invalid status 'PENDING'");
        Run both = run("admin", "queue", "requeue", "--id", otherRow.toString(), "--status", "DEAD");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(run("admin", "queue", "requeue", "--error", "X").exit())
                .as("--error needs --status")
                .isEqualTo(2);
    }

    @Test
    void purgingDeadReadingsDeletesThemTheirQueueRowsAndTheirImages() throws Exception {
        TestDb.camera(db, "GI01", null);
        UUID old = queueReading("GI01");
        UUID recent = queueReading("GI01");
        UUID pending = queueReading("GI01");
        setStatus(old, "DEAD", "CODI_RETORN:E17");
        setStatus(recent, "DEAD", "CODI_RETORN:E17");
        TestDb.execute(
                db,
                "UPDATE messages_queue SET updated_at = now() - interval '10 days' WHERE reading_id = '" + old + "'");
        assertThat(imageFiles()).isEqualTo(3);

        assertThat(ok("admin", "queue", "purge", "--status", "DEAD", "--older-than-days", "5")
                        .out()
                        .strip())
                .isEqualTo("Purged 1 DEAD reading older than 5 days (and their images)");
        assertThat(readingIds()).containsExactlyInAnyOrder(recent, pending);
        assertThat(imageFiles()).isEqualTo(2);

        assertThat(ok("admin", "queue", "purge", "--status", "DEAD").out().strip())
                .isEqualTo("Purged 1 DEAD reading (and their images)");
        assertThat(readingIds()).containsExactly(pending);
        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue")).isEqualTo(1);
        assertThat(imageFiles()).isEqualTo(1);

        assertThat(fails("admin", "queue", "purge", "--status", "PENDING"))
                .isEqualTo("Invalid status 'PENDING': use DEAD");
        assertThat(fails("admin", "queue", "purge", "--status", "DEAD", "--older-than-days", "0"))
                .contains("--older-than must be a number of days");
        assertThat(ok("admin", "queue", "purge", "--older-than", "5d").out())
                .as("--status defaults to DEAD")
                .contains("Purged 0 DEAD readings");
        assertThat(ok("admin", "queue", "purge").out())
                .as("plain 'queue purge' purges DEAD readings")
                .contains("Purged 0 DEAD readings");
        assertThat(fails("admin", "queue", "purge", "--status", "PENDING")).contains("PENDING");
    }

    @Test
    void purgingOldReadingsSkipsThoseBeingSentAndDeletesTheirImages() throws Exception {
        TestDb.camera(db, "GI01", null);
        UUID oldPending = queueReading("GI01");
        UUID oldDead = queueReading("GI01");
        UUID oldSending = queueReading("GI01");
        UUID young = queueReading("GI01");
        setStatus(oldDead, "DEAD", "CODI_RETORN:E17");
        TestDb.execute(
                db,
                "UPDATE messages_queue SET status = 'SENDING', locked_by = 'other', locked_until = now() + interval '1 minute' "
                        + "WHERE reading_id = '" + oldSending + "'");
        TestDb.execute(
                db,
                "UPDATE alpr_readings SET received_at = now() - interval '3 days' WHERE id IN ('" + oldPending + "', '"
                        + oldDead + "', '" + oldSending + "')");

        assertThat(ok("admin", "readings", "purge", "--older-than-days", "2")
                        .out()
                        .strip())
                .isEqualTo("Purged 2 readings received more than 2 days ago (and their images)");
        assertThat(readingIds()).containsExactlyInAnyOrder(oldSending, young);
        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue")).isEqualTo(2);
        assertThat(imageFiles()).isEqualTo(2);
        assertThat(ok("admin", "readings", "purge", "--older-than-days", "2").out())
                .contains("Purged 0 readings");

        assertThat(fails("admin", "readings", "purge", "--older-than-days", "0"))
                .contains("--older-than must be a number of days");
        assertThat(ok("admin", "readings", "purge", "--older-than", "2d").out()).contains("Purged 0 readings");
        assertThat(ok("admin", "readings", "purge", "--older-than", "1w").out()).contains("more than 7 days ago");
        assertThat(run("admin", "readings", "purge").exit())
                .as("--older-than-days is required")
                .isEqualTo(2);
    }

    // --- images ---

    @Test
    void purgeOrphansDeletesOnlyOldUnreferencedImages() throws Exception {
        TestDb.camera(db, "GI01", null);
        UUID kept = queueReading("GI01");
        Instant t = Instant.parse("2026-05-01T10:00:00Z");
        String orphan = ImageStore.relativePath("GI01", "1111AAA", t, UUID.randomUUID(), ImageStore.Kind.OCR);
        String youngOrphan = ImageStore.relativePath("GI01", "2222BBB", t, UUID.randomUUID(), ImageStore.Kind.CTX);
        images.write(orphan, new byte[] {1, 2, 3});
        images.write(youngOrphan, new byte[] {1, 2, 3});
        FileTime hourAgo = FileTime.from(Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(images.resolve(orphan), hourAgo);
        String keptPath = TestDb.text(db, "SELECT image_ocr_path FROM alpr_readings WHERE id = ?", kept);
        Files.setLastModifiedTime(images.resolve(keptPath), hourAgo);

        Run r = ok("admin", "images", "purge-orphans", "--grace-minutes", "10");
        assertThat(r.out().strip())
                .startsWith("Orphan images deleted: 1 (temporary files: 0")
                .endsWith("grace 10 min)");
        assertThat(images.exists(orphan)).isFalse();
        assertThat(images.exists(youngOrphan))
                .as("younger than the grace period")
                .isTrue();
        assertThat(images.exists(keptPath)).as("referenced by a reading").isTrue();

        assertThat(ok("admin", "images", "purge-orphans").out())
                .as("default grace: IMAGES_ORPHAN_GRACE_MINUTES")
                .contains("Orphan images deleted: 0")
                .contains("grace 60 min");
        assertThat(fails("admin", "images", "purge-orphans", "--grace-minutes", "0"))
                .contains("--grace-minutes must be 1 or more");
    }

    // --- status, db ---

    @Test
    void statusShowsQueueReadingsEndpointHealthAndCertificateExpiry() throws Exception {
        TestDb.camera(db, "GI01", null);
        UUID a = queueReading("GI01");
        queueReading("GI01");
        setStatus(a, "DEAD", "CODI_RETORN:E17");
        ok("admin", "endpoint", "add", "--name", "mossos", "--url", "https://mossos.example/m");
        ok("admin", "endpoint", "add", "--name", "idle", "--url", "https://idle.example/m");
        String mossos = TestDb.text(db, "SELECT id::text FROM endpoints WHERE name = 'mossos'");
        TestDb.execute(
                db,
                "INSERT INTO delivery_log (endpoint_id, outcome, created_at) VALUES "
                        + "('" + mossos + "', 'DELIVERED', now() - interval '5 minutes'), ('" + mossos
                        + "', 'DELIVERED', now() - interval '4 minutes'), "
                        + "('" + mossos + "', 'FAILED', now() - interval '1 minute'), ('" + mossos
                        + "', 'DELIVERED', now() - interval '1 hour'), "
                        + "(NULL, 'DEAD', now() - interval '2 minutes')");
        certificate("soon", 10);
        certificate("later", 200);

        JsonNode s = ok("admin", "status", "--json").json();
        assertThat(s.get("queue").get("PENDING").asLong()).isEqualTo(1);
        assertThat(s.get("queue").get("SENDING").asLong()).isZero();
        assertThat(s.get("queue").get("FAILED").asLong()).isZero();
        assertThat(s.get("queue").get("DEAD").asLong()).isEqualTo(1);
        assertThat(s.get("oldest_pending_age_seconds").isIntegralNumber()).isTrue();
        assertThat(s.get("readings_total").asLong()).isEqualTo(2);
        assertThat(Instant.parse(s.get("generated_at").asText())).isNotNull();
        JsonNode endpoints = s.get("endpoints");
        assertThat(endpoints).hasSize(3);
        JsonNode idle = endpoints.get(0);
        assertThat(idle.get("endpoint").asText()).isEqualTo("idle");
        assertThat(idle.get("delivered").asLong()).isZero();
        assertThat(idle.get("last_outcome").isNull()).isTrue();
        JsonNode m = endpoints.get(1);
        assertThat(m.get("endpoint").asText()).isEqualTo("mossos");
        assertThat(m.get("delivered").asLong()).as("the last 15 minutes only").isEqualTo(2);
        assertThat(m.get("failed").asLong()).isEqualTo(1);
        assertThat(m.get("dead").asLong()).isZero();
        assertThat(m.get("last_outcome").asText()).isEqualTo("FAILED");
        assertThat(Instant.parse(m.get("last_outcome_at").asText())).isBefore(Instant.now());
        JsonNode global = endpoints.get(2);
        assertThat(global.get("endpoint").asText()).isEqualTo("global");
        assertThat(global.get("dead").asLong()).isEqualTo(1);
        assertThat(global.get("last_outcome").asText()).isEqualTo("DEAD");
        JsonNode certs = s.get("certificates");
        assertThat(certs).hasSize(2);
        JsonNode later = certs.get(0);
        assertThat(later.get("name").asText()).isEqualTo("later");
        assertThat(later.get("days_until_expiry").asLong()).isBetween(198L, 200L);
        assertThat(later.get("expiring_soon").asBoolean()).isFalse();
        JsonNode soon = certs.get(1);
        assertThat(soon.get("days_until_expiry").asLong()).isBetween(8L, 10L);
        assertThat(soon.get("expiring_soon").asBoolean()).isTrue();
        assertThat(Instant.parse(soon.get("valid_to").asText())).isAfter(Instant.now());

        String text = ok("admin", "status").out();
        assertThat(text)
                .contains("Queue: PENDING 1 SENDING 0 FAILED 0 DEAD 1")
                .contains("Readings stored: 2")
                .contains("Endpoints, last 15 minutes:")
                .containsPattern("mossos\\s+\\S+\\s+2\\s+1\\s+0\\s+FAILED at ")
                .containsPattern("global\\s+\\S+\\s+0\\s+0\\s+1\\s+DEAD at ")
                .containsPattern("soon\\s+\\S+\\s+\\d+\\s+-\\s+EXPIRES SOON");
        assertThat(text.lines().filter(l -> l.contains("later")).findFirst().orElseThrow())
                .doesNotContain("EXPIRES");
    }

    @Test
    void adminDbMigrateIsTheSameAsDbMigrate() {
        assertThat(ok("admin", "db", "migrate").out()).contains("Schema");
    }

    @Test
    void unknownNamesGiveExitOneAndOneLine() {
        assertThat(fails("admin", "municipality", "delete", "--name", "Nowhere"))
                .isEqualTo("Municipality 'Nowhere' does not exist");
        assertThat(fails("admin", "endpoint", "delete", "--name", "ghost"))
                .isEqualTo("Endpoint 'ghost' does not exist");
        assertThat(fails("admin", "endpoint", "update", "--name", "ghost", "--active", "false"))
                .isEqualTo("Endpoint 'ghost' does not exist");
        assertThat(fails("admin", "camera", "delete", "--serial", "NOPE")).isEqualTo("Camera 'NOPE' does not exist");
        assertThat(fails("admin", "certificate", "delete", "--name", "ghost"))
                .isEqualTo("Certificate 'ghost' does not exist");
        assertThat(fails("admin", "camera", "add", "--serial", "CAM1", "--municipality", "Nowhere"))
                .isEqualTo("Municipality 'Nowhere' does not exist");
        Run badArgument = run("admin", "queue", "list", "--limit", "many");
        assertThat(badArgument.exit()).isEqualTo(2);
        assertThat(badArgument.err().strip())
                .doesNotContain("\n")
                .contains("--limit")
                .contains("(see: tattile-sender admin queue list --help)");
    }

    @Test
    void everyAdminCommandHasHelp() {
        List<String> paths = new ArrayList<>();
        collect(Application.commandLine().getSubcommands().get("admin"), "admin", paths);
        assertThat(paths)
                .contains(
                        "admin municipality update",
                        "admin endpoint delete",
                        "admin camera list",
                        "admin assign",
                        "admin queue requeue",
                        "admin readings purge",
                        "admin images purge-orphans",
                        "admin db migrate",
                        "admin status");
        for (String path : paths) {
            List<String> args = new ArrayList<>(List.of(path.split(" ")));
            args.add("--help");
            Run r = run(args.toArray(String[]::new));
            assertThat(r.exit()).as(path).isZero();
            assertThat(r.out()).as(path).contains("Usage:");
        }
    }

    private static void collect(CommandLine cl, String path, List<String> paths) {
        paths.add(path);
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                collect(sub, path + " " + name, paths);
            }
        });
    }

    // --- helpers ---

    /** Inserts a reading as the ingest would, with its OCR image file, and returns its id. */
    private UUID queueReading(String serial) throws Exception {
        int n = sequence.incrementAndGet();
        String plate = String.format("%04dABC", n);
        UUID cameraId =
                UUID.fromString(TestDb.text(db, "SELECT id::text FROM cameras WHERE serial_number = ?", serial));
        UUID id = UUID.randomUUID();
        Instant t = Instant.parse("2026-05-01T10:00:00Z").plusSeconds(n);
        String ocr = ImageStore.relativePath(serial, plate, t, id, ImageStore.Kind.OCR);
        images.write(ocr, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3});
        new ReadingRepository(db).insert(TestReadings.of(id, cameraId, plate, t, serial, null, null), ocr, null);
        return id;
    }

    private void setStatus(UUID readingId, String status, String lastError) throws Exception {
        try (var c = db.getConnection();
                var ps = c.prepareStatement(
                        "UPDATE messages_queue SET status = ?, last_error = ?, attempts = 1, updated_at = now() WHERE reading_id = ?")) {
            ps.setString(1, status);
            ps.setString(2, lastError);
            ps.setObject(3, readingId);
            ps.executeUpdate();
        }
    }

    private UUID queueId(UUID readingId) throws Exception {
        return UUID.fromString(TestDb.text(db, "SELECT id::text FROM messages_queue WHERE reading_id = ?", readingId));
    }

    private List<UUID> readingIds() throws Exception {
        String ids = TestDb.text(db, "SELECT string_agg(id::text, ',') FROM alpr_readings");
        return ids == null
                ? List.of()
                : Arrays.stream(ids.split(",")).map(UUID::fromString).toList();
    }

    /** A certificate row valid for the given number of days (no files needed by these commands). */
    private void certificate(String name, int validDays) throws Exception {
        TestDb.execute(
                db,
                "INSERT INTO certificates (name, type, cert_path, key_path, valid_from, valid_to) VALUES ('" + name
                        + "', 'PEM', '" + name + "/cert.pem', '" + name
                        + "/key.pem', now() - interval '1 day', now() + interval '" + validDays
                        + " days' + interval '1 hour')");
    }

    private long imageFiles() throws Exception {
        return TestFiles.regularFiles(imagesDir).size();
    }
}
