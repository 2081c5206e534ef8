package routes.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/ajustes.sh, driven through its menus with scripted answers and a fake {@code java} first on the
 * PATH that records the command lines it is given.
 */
class AjustesMenuTest {

    private static final Path SCRIPT = Path.of("deploy/ajustes.sh");
    private static final String JAR = "/opt/test/tattile-sender.jar";

    @TempDir
    Path dir;

    private Path record;

    record Menu(int exit, String output, List<String> commands) {}

    @BeforeEach
    void fakeJava() throws Exception {
        record = dir.resolve("commands.txt");
        Path java = dir.resolve("java");
        // Records "$*" and the env file it was given; refuses a delete without --force, as the CLI does
        // when something depends on what is deleted.
        Files.writeString(java, """
                #!/bin/sh
                printf '%s\\n' "$*" >> "%RECORD%"
                printf '%s\\n' "${TATTILE_ENV_FILE:-unset}" > "%RECORD%.env"
                case "$*" in
                  *" delete "*--force*) echo "deleted" ;;
                  *" delete "*) echo "Municipality 'Girona' has 1 camera; use --force to delete it too" >&2; exit 1 ;;
                esac
                exit 0
                """.replace("%RECORD%", record.toString()));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Menu run(String input, String envFile) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
        pb.environment().put("PATH", dir + ":" + System.getenv("PATH"));
        pb.environment().put("TATTILE_JAR", JAR);
        pb.environment().put("TATTILE_ENV_FILE", envFile);
        Process p = pb.start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> commands = Files.exists(record) ? Files.readAllLines(record) : List.of();
        return new Menu(p.exitValue(), output, commands);
    }

    @Test
    void theScriptIsValidBash() throws Exception {
        Process p = new ProcessBuilder("bash", "-n", SCRIPT.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void municipiosListarRunsTheListCommand() throws Exception {
        // Municipios -> Listar -> (Intro) -> Volver -> Salir
        Menu m = run("1\n1\n\n0\n0\n", dir.resolve("missing.env").toString());
        assertThat(m.exit()).as(m.output()).isZero();
        assertThat(m.commands()).containsExactly("-jar " + JAR + " admin municipality list");
        assertThat(m.output()).contains("Municipios").contains("Listar").contains("Salir");
        assertThat(Files.readString(Path.of(record + ".env")).strip())
                .as("a missing env file is not passed on")
                .isEqualTo("unset");
    }

    @Test
    void answersBecomeOptionsAndEmptyAnswersAreLeftOut() throws Exception {
        Path env = Files.writeString(dir.resolve("service.env"), "DB_NAME=x\n");
        // Cámaras -> Añadir: serial, municipality, then codigo-lector .. timezone (9 questions) and active
        String input = "2\n2\nGI01\nGirona\nGI-01\nPont Nord\n\n\n41.9\n2.8\n\n\nEurope/Madrid\nn\n\n0\n"
                // Cola y limpieza -> Reencolar DEAD: error prefix, confirm
                + "5\n4\nCODI_RETORN\ns\n\n0\n0\n";
        Menu m = run(input, env.toString());
        assertThat(m.exit()).as(m.output()).isZero();
        assertThat(m.commands())
                .containsExactly(
                        "-jar " + JAR
                                + " admin camera add --serial GI01 --municipality Girona --codigo-lector GI-01 --description Pont Nord "
                                + "--coord-x 41.9 --coord-y 2.8 --timezone Europe/Madrid --active false",
                        "-jar " + JAR + " admin queue requeue --status DEAD --error CODI_RETORN");
        assertThat(Files.readString(Path.of(record + ".env")).strip()).isEqualTo(env.toString());
    }

    @Test
    void aCamerasExpectedActivityIsSetAndSilentCamerasListedFromTheCamerasMenu() throws Exception {
        // Cámaras -> Actividad esperada: serial, period -> (Intro) -> Cámaras silenciosas: empty (1h) -> (Intro)
        Menu m = run(
                "2\n7\nGI01\n2h\n\n8\n\n\n0\n0\n", dir.resolve("missing.env").toString());
        assertThat(m.exit()).as(m.output()).isZero();
        assertThat(m.commands())
                .containsExactly(
                        "-jar " + JAR + " admin camera update --serial GI01 --expect-readings-within 2h",
                        "-jar " + JAR + " admin camera list --silent 1h");
    }

    @Test
    void aRefusedDeleteIsOfferedAgainWithForce() throws Exception {
        // Municipios -> Eliminar -> Girona -> refused -> yes, with --force -> (Intro) -> Volver -> Salir
        Menu m = run("1\n4\nGirona\ns\n\n0\n0\n", dir.resolve("missing.env").toString());
        assertThat(m.exit()).as(m.output()).isZero();
        assertThat(m.output()).contains("use --force to delete it too");
        assertThat(m.commands())
                .containsExactly(
                        "-jar " + JAR + " admin municipality delete --name Girona",
                        "-jar " + JAR + " admin municipality delete --name Girona --force");
    }

    @Test
    void theEndOfTheInputLeavesTheMenu() throws Exception {
        Menu m = run("3\n", dir.resolve("missing.env").toString());
        assertThat(m.exit()).isZero();
        assertThat(m.commands()).isEmpty();
        assertThat(m.output()).contains("Endpoints").contains("Hasta luego.");
    }
}
