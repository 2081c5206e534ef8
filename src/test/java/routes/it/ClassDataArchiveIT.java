package routes.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import routes.config.Setting;
import routes.support.TestDb;
import routes.tools.bench.BenchCommand;

/**
 * deploy/cds-archive.sh, which deploy/setup.sh runs for the installed jar: a training start of the packaged service
 * writes a class-data archive that the JVM, started with the unit's options, maps; a training that cannot start leaves
 * no archive and says so.
 */
class ClassDataArchiveIT {

    static final Path JAR = Path.of("target/tattile-sender.jar");

    @TempDir
    Path dir;

    @Test
    void theTrainingStartWritesAnArchiveTheServiceJvmMapsOnSparePortsBesideATakenOne() throws Exception {
        Path archive = dir.resolve("tattile-sender.jsa");
        try (ServerSocket taken = new ServerSocket(39100, 50, InetAddress.getLoopbackAddress())) {
            Result r = train(TestDb.NAME, archive);

            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).contains("[cds] class-data archive built: " + archive);
        }
        assertThat(archive).isNotEmptyFile();

        List<String> service =
                new ArrayList<>(List.of(javaBin(), "-Xlog:cds=info", "-XX:SharedArchiveFile=" + archive));
        service.addAll(BenchCommand.unitJvmOptions());
        service.addAll(List.of("-jar", JAR.toString(), "--version"));
        Result mapped = run(service);
        assertThat(mapped.exit()).as(mapped.output()).isZero();
        assertThat(mapped.output()).contains("Mapped dynamic region").doesNotContain("failed to load");
    }

    @Test
    void aTrainingThatCannotStartLeavesNoArchiveAndSaysWhy() throws Exception {
        Path archive = dir.resolve("tattile-sender.jsa");
        Files.writeString(archive, "an archive of an older jar");

        Result r = train("tattile_no_such_database", archive);

        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        assertThat(r.output()).contains("[cds] the class-data archive could not be built");
        assertThat(archive).doesNotExist();
    }

    /** deploy/cds-archive.sh for the packaged jar on {@code database}, running 2 s once started. */
    private Result train(String database, Path archive) throws Exception {
        return run(List.of(
                "bash",
                "deploy/cds-archive.sh",
                "--jar",
                JAR.toString(),
                "--env-file",
                envFile(database).toString(),
                "--out",
                archive.toString(),
                "--seconds",
                "2"));
    }

    private Path envFile(String database) throws Exception {
        var s = TestDb.settings();
        Path env = dir.resolve("cds.env");
        Files.writeString(
                env,
                String.join(
                        "\n",
                        "DB_HOST=" + s.text(Setting.DB_HOST),
                        "DB_PORT=" + s.text(Setting.DB_PORT),
                        "DB_NAME=" + database,
                        "DB_USER=" + s.text(Setting.DB_USER),
                        "DB_PASSWORD=" + s.text(Setting.DB_PASSWORD),
                        "IMAGES_BASE_DIR=" + dir.resolve("images").toAbsolutePath(),
                        ""));
        return env;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    record Result(int exit, String output) {}

    private static Result run(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // the script's own java is the one on PATH: make it the tests' JDK
        pb.environment().put("PATH", Path.of(javaBin()).getParent() + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
