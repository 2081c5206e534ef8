package routes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.Setting;
import routes.support.TestDb;
import routes.support.TestFiles;

/**
 * The packaged jar as an operator runs it: {@code java -jar target/tattile-sender.jar} in its own JVM,
 * configured by environment variables, fed by the jar's own camera simulator.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceJarIT {

    static final Path JAR = Path.of("target/tattile-sender.jar");
    static final int PORT = 23335;
    static final int API_PORT = 23392;
    static final int JOLOKIA_PORT = 23378;
    static final Path IMAGES = Path.of("target/it-images/jar");
    static final Path LOG = Path.of("target/service-jar-it.log");

    private final HikariDataSource db = TestDb.open();

    @BeforeAll
    void cleanSlate() throws Exception {
        assertThat(JAR).as("run ./mvnw package first").exists();
        TestDb.reset(db);
    }

    @AfterAll
    void closeDb() {
        db.close();
    }

    private Map<String, String> env() {
        var s = TestDb.settings();
        return Map.of(
                "DB_NAME",
                TestDb.NAME,
                "DB_HOST",
                s.text(Setting.DB_HOST),
                "DB_PORT",
                s.text(Setting.DB_PORT),
                "TRANSIT_PORT",
                String.valueOf(PORT),
                "IMAGES_BASE_DIR",
                IMAGES.toAbsolutePath().toString(),
                "TATTILE_ENV_FILE",
                "/dev/null",
                "CAMERA_CACHE_SECONDS",
                "0",
                "API_PORT",
                String.valueOf(API_PORT),
                "JOLOKIA_PORT",
                String.valueOf(JOLOKIA_PORT));
    }

    private ProcessBuilder jar(String... args) {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env());
        return pb;
    }

    private String runToEnd(ProcessBuilder pb, int expectedExit) throws Exception {
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(expectedExit);
        return out;
    }

    @Test
    void theJarRunsTheServiceThatStoresSimulatedReadingsAndStopsCleanlyOnSigterm() throws Exception {
        assertThat(runToEnd(jar("admin", "municipality", "add", "--name", "JarTown"), 0))
                .contains("Municipality 'JarTown' added");
        assertThat(runToEnd(jar("admin", "camera", "add", "--serial", "JAR01", "--municipality", "JarTown"), 0))
                .contains("Camera 'JAR01' added");

        ProcessBuilder service = jar();
        service.environment().put("TATTILE_FLOWS", "ingest,maintenance,api"); // no sender: the readings stay queued
        service.redirectErrorStream(true).redirectOutput(LOG.toFile());
        Process p = service.start();
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> listening(PORT) || !p.isAlive());
            assertThat(p.isAlive()).as(Files.readString(LOG)).isTrue();

            String sim = runToEnd(
                    jar(
                            "simulate",
                            "--readings",
                            "20",
                            "--connections",
                            "2",
                            "--serial",
                            "JAR01",
                            "--port",
                            String.valueOf(PORT),
                            "--ocr-kb",
                            "20",
                            "--ctx-kb",
                            "60"),
                    0);
            assertThat(sim).contains("Sent 20 readings over 2 connections");
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            TestDb.count(db, "SELECT count(*) FROM alpr_readings WHERE device_sn = 'JAR01'") == 20);
            assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue WHERE status = 'PENDING'"))
                    .isEqualTo(20);

            var http = HttpClient.newHttpClient();
            // JOLOKIA_PORT is set but no credentials are: Jolokia stays off and says why in one line (JolokiaIT covers
            // it on).
            assertThat(listening(JOLOKIA_PORT)).isFalse();
            // The HTTP API answers readiness without a key.
            var health = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + API_PORT + "/health/ready"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        } finally {
            p.destroy(); // SIGTERM, as systemd stops it
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        String log = Files.readString(LOG);
        assertThat(log)
                .contains("[INGEST] Lectura recibida (")
                .contains("shutdown")
                .doesNotContain("DB_PASSWORD");
        assertThat(log.lines().filter(l -> l.contains("Jolokia not started")).toList())
                .singleElement()
                .asString()
                .contains("JOLOKIA_USER and JOLOKIA_PASSWORD_FILE");
        assertThat(p.exitValue()).isIn(0, 143);
    }

    @Test
    void aBadSettingStopsStartUpWithOneClearLine() throws Exception {
        ProcessBuilder pb = jar();
        pb.environment().put("TRANSIT_PORT", "not-a-port");
        String out = runToEnd(pb, 2);
        assertThat(out.strip())
                .isEqualTo("Invalid configuration: TRANSIT_PORT='not-a-port' must be an integer between 1 and 65535");
    }

    @Test
    void editedRoutesInRoutesDirAreUsedAndABrokenOneStopsStartUpNamingFileAndLine() throws Exception {
        Path dir = Path.of("target/it-routes").toAbsolutePath();
        TestFiles.deleteTree(dir);
        assertThat(runToEnd(jar("routes", "export", "--dir", dir.toString()), 0))
                .contains("Routes written to " + dir);
        assertThat(runToEnd(jar("routes", "export", "--dir", dir.toString()), 1))
                .contains("exists: use --force");
        // A harmless edit: the operator's file is the one that runs.
        Path ingest = dir.resolve("ingest.yaml");
        Files.writeString(
                ingest, Files.readString(ingest).replace("id: ingest-tattile-tcp", "id: ingest-tattile-tcp-edited"));
        ProcessBuilder edited = jar();
        edited.environment().put("ROUTES_DIR", dir.toString());
        edited.environment().put("TATTILE_FLOWS", "ingest");
        edited.environment().put("JOLOKIA_PORT", "0");
        edited.redirectErrorStream(true).redirectOutput(LOG.toFile());
        Process p = edited.start();
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> listening(PORT) || !p.isAlive());
            assertThat(p.isAlive()).as(Files.readString(LOG)).isTrue();
        } finally {
            p.destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.readString(LOG))
                .contains("Started ingest-tattile-tcp-edited")
                .doesNotContain("Started sender-poll");

        // A broken one: start-up stops with the file and the line.
        Files.writeString(
                ingest, Files.readString(ingest).replace("    id: ingest-xml-document", "   id: ingest-xml-document"));
        ProcessBuilder broken = jar();
        broken.environment().put("ROUTES_DIR", dir.toString());
        String out = runToEnd(broken, 1);
        assertThat(out)
                .contains("The service could not start")
                .containsPattern("in file:" + dir + "/ingest.yaml, line \\d+");
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
