package routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * Without arguments the jar runs the service, and picocli does not build the tools' commands for it (0.2 s of the
 * start to listening); with arguments every tool is there, and the root help lists them.
 */
class ApplicationCommandLineTest {

    @Test
    void theServicesCommandLineHasNoToolCommands() {
        assertThat(Application.serviceCommandLine().getSubcommands()).isEmpty();
    }

    @Test
    void theToolsCommandLineHasEveryToolAndItsHelpListsThem() {
        var cl = Application.commandLine();
        StringWriter help = new StringWriter();
        cl.setOut(new PrintWriter(help));

        assertThat(cl.execute("--help")).isZero();

        assertThat(cl.getSubcommands()).containsOnlyKeys("admin", "db", "routes", "simulate", "sandbox", "bench");
        assertThat(help.toString()).contains("admin", "db", "routes", "simulate", "sandbox", "bench");
    }
}
