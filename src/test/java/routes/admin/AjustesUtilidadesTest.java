package routes.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import routes.config.Setting;
import routes.support.InProcessService;
import routes.support.TestDb;

/**
 * The "Utilidades del sistema" menu of deploy/ajustes.sh: resource use read from the machine (with {@code systemctl},
 * {@code pgrep} and {@code ss} replaced on the PATH where a test needs a given answer), and a camera simulation run
 * through the real CLI against a real service listening on its camera port.
 */
class AjustesUtilidadesTest {

    private static final Path SCRIPT = Path.of("deploy/ajustes.sh");
    private static final String JAR = "/opt/test/tattile-sender.jar";
    /** The service's camera port in the simulation test, and a stand-in camera port in the resource test. */
    private static final int SERVICE_PORT = 25810;

    private static final int API_PORT = 25811;
    private static final int LISTENER_PORT = 25812;

    @TempDir
    Path dir;

    private Path bin;
    private Path record;
    private Path images;
    private HikariDataSource db;
    private InProcessService service;

    record Menu(int exit, String output, List<String> commands) {}

    @BeforeEach
    void fakeTools() throws Exception {
        bin = Files.createDirectory(dir.resolve("bin"));
        record = dir.resolve("commands.txt");
        images = Files.createDirectory(dir.resolve("images"));
        Files.write(images.resolve("photo.jpg"), new byte[64 * 1024]);
        // No service: systemd knows no main process and no java process runs the jar.
        script("systemctl", "echo 0");
        script("pgrep", "exit 1");
        // Any java run is recorded and refused (the resource use runs none).
        script("java", "printf '%s\\n' \"$*\" >> '" + record + "'\nexit 1");
    }

    private void script(String name, String body) throws Exception {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Path envFile(String... lines) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line).append('\n');
        }
        return Files.writeString(dir.resolve("service.env"), text);
    }

    private Menu run(String input, Path envFile) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("TATTILE_JAR", JAR);
        pb.environment().put("TATTILE_ENV_FILE", envFile.toString());
        // The menu and the CLI read these from the env file only.
        for (String key : List.of("IMAGE_STORE", "IMAGES_BASE_DIR", "S3_BUCKET", "TRANSIT_PORT", "DB_NAME")) {
            pb.environment().remove(key);
        }
        Process p = pb.start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        List<String> commands = Files.exists(record) ? Files.readAllLines(record) : List.of();
        return new Menu(p.exitValue(), output, commands);
    }

    @Test
    void theMainMenuKeepsItsNumbersAndOffersTheUtilitiesBeforeSalir() throws Exception {
        Menu m = run("9\n0\n0\n", envFile());
        assertThat(m.exit()).as(m.output()).isZero();
        assertThat(m.output())
                .contains(" 6) Estado del sistema\n 7) Reiniciar servicio\n 8) Ver logs\n 9) Utilidades del sistema\n"
                        + " 0) Salir\n")
                .contains("=== Utilidades del sistema ===\n 1) Uso de recursos\n 2) Simular una cámara\n 0) Volver\n");
    }

    @Test
    void resourceUseShowsEverySectionAndSaysWhatItCannotReadWhenTheServiceIsNotRunning() throws Exception {
        Path env = envFile(
                "# the service's settings", "IMAGES_BASE_DIR=\"" + images + "\"  ", "TRANSIT_PORT=" + LISTENER_PORT);
        Menu m;
        // One camera connected to the camera port.
        try (ServerSocket port = new ServerSocket(LISTENER_PORT, 5, InetAddress.getLoopbackAddress());
                Socket camera = new Socket(InetAddress.getLoopbackAddress(), LISTENER_PORT);
                Socket accepted = port.accept()) {
            // Utilidades -> Uso de recursos -> (Intro) -> Volver -> Salir
            m = run("9\n1\n\n0\n0\n", env);
        }
        assertThat(m.exit()).as(m.output()).isZero();
        assertThat(m.commands()).as("no java run").isEmpty();
        String o = m.output();
        assertThat(o)
                .contains("--- Proceso del servicio (tattile-sender) ---\nNo se ha encontrado el proceso del servicio"
                        + " (¿está parado?): no se puede leer su CPU ni su memoria.")
                .contains("--- Carga del sistema ---\nCarga media: ")
                .contains("--- Memoria del sistema ---\n$ free -m\n")
                .containsPattern("Mem:\\s+\\d+")
                .contains("--- Disco de las imágenes ---\nCarpeta de imágenes (IMAGES_BASE_DIR): " + images + "\n")
                .contains("$ df -h " + images + "\n")
                .containsPattern("\\d+K\\s+" + Pattern.quote(images.toString()) + "\n")
                .contains("--- Conexiones de cámaras (puerto " + LISTENER_PORT + ", TRANSIT_PORT) ---")
                .contains("1 conexión de cámara establecida.")
                .doesNotContain("$ ps ");
    }

    @Test
    void resourceUseReadsTheProcessSystemdNamesAndSaysWhenImagesAreInABucketOrSsFails() throws Exception {
        long pid = ProcessHandle.current().pid();
        script("systemctl", "echo " + pid);
        script("ss", "echo 'ss: no netlink' >&2\nexit 1");
        Path env = envFile("IMAGE_STORE=s3", "S3_BUCKET=tattile-images # the bucket", "IMAGES_BASE_DIR=" + images);

        Menu m = run("9\n1\n\n0\n0\n", env);
        assertThat(m.exit()).as(m.output()).isZero();
        String o = m.output();
        assertThat(o)
                .contains("$ ps -o pid,%cpu,rss,etime -p " + pid + "\n")
                .containsPattern("\\n\\s*" + pid + "\\s+\\d+(\\.\\d+)?\\s+\\d+\\s+[\\d:-]+\\n")
                .containsPattern("Memoria del proceso \\(RSS\\): \\d+ MB")
                .contains("IMAGE_STORE=s3: las imágenes están en el bucket tattile-images, no en el disco de esta"
                        + " máquina.")
                .doesNotContain("$ du ")
                .contains("--- Conexiones de cámaras (puerto 33334, TRANSIT_PORT) ---")
                .contains("No se han podido contar las conexiones (ss ha terminado con error 1).");
    }

    // --- the simulation, against a real service ---

    @AfterEach
    void stopService() throws Exception {
        if (service != null) {
            service.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void simulatingACameraSendsItsReadingsToTheRunningServiceAndAnUnregisteredSerialIsRefused() throws Exception {
        db = TestDb.open();
        TestDb.reset(db);
        TestDb.camera(db, "SIM01", null);
        service = InProcessService.start(
                TestDb.serviceSettings(
                        "TRANSIT_PORT",
                        String.valueOf(SERVICE_PORT),
                        "API_PORT",
                        String.valueOf(API_PORT),
                        "IMAGES_BASE_DIR",
                        images.toString()),
                "ingest");
        // The real CLI in place of `java -jar JAR`: this build's classes, the test database.
        String classpath = System.getProperty("java.class.path");
        Path realJava = Path.of(System.getProperty("java.home"), "bin", "java");
        script(
                "java",
                "printf '%s\\n' \"$*\" >> '" + record + "'\nshift 2\nexec '" + realJava + "' -cp '" + classpath
                        + "' routes.Application \"$@\"");
        Path env = envFile(
                "DB_NAME=" + TestDb.NAME,
                "DB_HOST=" + TestDb.settings().text(Setting.DB_HOST),
                "DB_PORT=" + TestDb.settings().text(Setting.DB_PORT),
                "IMAGES_BASE_DIR=" + images,
                "TRANSIT_PORT=" + SERVICE_PORT);

        // Utilidades -> Simular: no list, serial NOPE01 -> refused -> (Intro) -> Volver -> Salir
        Menu refused = run("9\n2\nn\nNOPE01\n\n0\n0\n", env);
        assertThat(refused.exit()).as(refused.output()).isZero();
        assertThat(refused.output()).contains("La cámara NOPE01 no está registrada: regístrela en Cámaras > Añadir");
        assertThat(refused.commands()).containsExactly("-jar " + JAR + " admin camera list --json");
        Files.delete(record);

        // Utilidades -> Simular: show the list, SIM01, 3 readings, confirm -> (Intro) -> Volver -> Salir
        Menu m = run("9\n2\ns\nSIM01\n3\ns\n\n0\n0\n", env);
        assertThat(m.exit()).as(m.output()).isZero();
        assertThat(m.commands())
                .containsExactly(
                        "-jar " + JAR + " admin camera list",
                        "-jar " + JAR + " admin camera list --json",
                        "-jar " + JAR + " simulate --serial SIM01 --readings 3 --connections 1 --host 127.0.0.1"
                                + " --port " + SERVICE_PORT);
        assertThat(m.output())
                .contains("$ tattile-sender admin camera list")
                .containsPattern("SIM01\\s+Test")
                .contains("Se enviarán 3 lecturas simuladas como la cámara SIM01 al servicio (127.0.0.1:" + SERVICE_PORT
                        + ").")
                .contains("Sent 3 readings over 1 connections to 127.0.0.1:" + SERVICE_PORT)
                .doesNotContain("la simulación ha terminado con error");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestDb.count(db, "SELECT count(*) FROM alpr_readings WHERE device_sn = 'SIM01'") == 3);
        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue")).isEqualTo(3);
    }

    @Test
    void aSimulationIsNotRunWithoutConfirmationAndAnInvalidCountIsAskedAgain() throws Exception {
        script(
                "java",
                "printf '%s\\n' \"$*\" >> '" + record
                        + "'\ncase \"$*\" in *--json*) echo '[{\"serial\" : \"SIM01\"}]' ;;" + " esac\nexit 0");
        Path env = envFile("TRANSIT_PORT=" + SERVICE_PORT);
        // no list, SIM01, "many" -> asked again, "0" -> asked again, empty -> 10, do not confirm
        Menu m = run("9\n2\nn\nSIM01\nmany\n0\n\nn\n\n0\n0\n", env);
        assertThat(m.exit()).as(m.output()).isZero();
        assertThat(m.output().split("Escriba un número entre 1 y 999999.", -1)).hasSize(3);
        assertThat(m.output()).contains("Se enviarán 10 lecturas simuladas como la cámara SIM01");
        assertThat(m.commands()).containsExactly("-jar " + JAR + " admin camera list --json");
    }
}
