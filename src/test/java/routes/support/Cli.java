package routes.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import routes.Application;

/** Runs the jar's command line in-process, configured by an --env-file, as the CLI tests need. */
public final class Cli {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One command's exit status and output. */
    public record Run(int exit, String out, String err) {
        public JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    private final Path envFile;

    public Cli(Path envFile) {
        this.envFile = envFile;
    }

    public Run run(String... args) {
        CommandLine cl = Application.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--env-file";
        full[args.length + 1] = envFile.toString();
        int exit = cl.execute(full);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Exit 0 and nothing on standard error. */
    public Run ok(String... args) {
        Run r = run(args);
        assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isZero();
        assertThat(r.err()).isEmpty();
        return r;
    }

    /** Exit {@code exit}, exactly one line on standard error and nothing on standard output; returns that line. */
    public String fails(int exit, String... args) {
        Run r = run(args);
        assertThat(r.exit()).as(String.join(" ", args) + " -> " + r.out()).isEqualTo(exit);
        assertThat(r.err().strip()).as("one line").doesNotContain("\n").isNotEmpty();
        assertThat(r.out()).isEmpty();
        return r.err().strip();
    }
}
