package routes.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The systemd unit's hardening, as systemd itself scores it: {@code systemd-analyze security --offline=true} on the unit
 * file (no running systemd needed). Skipped, not passed, where systemd-analyze (250 or newer, for --offline) is missing.
 */
class SystemdUnitSecurityTest {

    private static final Path UNIT = Path.of("deploy/systemd/tattile-sender.service");
    private static final Pattern OVERALL = Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d+)");

    record Analysis(int exit, String stdout, String stderr) {}

    static Analysis analyze() throws Exception {
        Path analyzer = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyzer), "systemd-analyze is not installed here");
        Process p = new ProcessBuilder(analyzer.toString(), "security", "--offline=true", "--no-pager", UNIT.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        // Both outputs are small (one screen): reading one after the other cannot fill the other's pipe.
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assumeTrue(
                !err.contains("unrecognized option"),
                "this systemd-analyze has no --offline (systemd 250 or newer needed)");
        return new Analysis(p.exitValue(), out, err);
    }

    @Test
    void theUnitsExposureScoreStaysAtOrBelowTwoAndAHalf() throws Exception {
        Analysis a = analyze();
        assertThat(a.exit()).as(a.stdout() + a.stderr()).isZero();
        Matcher m = OVERALL.matcher(a.stdout());
        assertThat(m.find()).as(a.stdout()).isTrue();
        double score = Double.parseDouble(m.group(1));
        assertThat(score).as("systemd-analyze security score\n" + a.stdout()).isLessThanOrEqualTo(2.5);
    }

    @Test
    void everyDirectiveOfTheUnitIsOneSystemdKnowsAndParses() throws Exception {
        Analysis a = analyze();
        // systemd ignores an unknown or malformed setting with only a warning: a misspelt hardening line would do
        // nothing.
        assertThat(a.stderr())
                .doesNotContain("Unknown key")
                .doesNotContain("Failed to parse")
                .doesNotContain("ignoring");
    }

    @Test
    void theUnitFiltersSystemCallsHidesOtherProcessesAndCreatesPrivateFiles() throws Exception {
        List<String> lines =
                Files.readAllLines(UNIT).stream().map(String::strip).toList();
        assertThat(lines)
                .contains(
                        "SystemCallFilter=@system-service",
                        "SystemCallFilter=~@privileged @resources",
                        "SystemCallArchitectures=native",
                        "ProtectProc=invisible",
                        "ProcSubset=pid",
                        "UMask=0077",
                        "PrivateUsers=true",
                        "RemoveIPC=true");
    }

    @Test
    void theJvmKeepsWhatItNeedsToRun() throws Exception {
        String unit = Files.readString(UNIT);
        List<String> lines =
                unit.lines().map(String::strip).filter(l -> !l.startsWith("#")).toList();
        // The JIT writes and then executes machine code: MemoryDenyWriteExecute=true would stop the JVM at start.
        assertThat(lines).noneMatch(l -> l.matches("MemoryDenyWriteExecute\\s*=\\s*(true|yes|on|1)"));
        // A system call the filter refuses fails with EPERM (the JVM copes) rather than killing the service with
        // SIGSYS.
        assertThat(lines).contains("SystemCallErrorNumber=EPERM");
        // One socket per camera connection: the default soft limit of 1024 descriptors is far too low.
        int nofile = Integer.parseInt(unit.replaceAll("(?s).*\\nLimitNOFILE=(\\d+).*", "$1"));
        assertThat(nofile).isGreaterThanOrEqualTo(65536);
    }
}
