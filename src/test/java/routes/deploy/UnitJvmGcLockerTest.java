package routes.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import routes.support.GcLockerStress;
import routes.tools.bench.BenchCommand;

/**
 * The systemd unit's JVM against JDK 17's GC locker (JDK-8192647): with the JDK's default of two retries, a thread
 * that allocates while others keep entering JNI critical regions gets OutOfMemoryError with the heap mostly free, and
 * {@code -XX:+ExitOnOutOfMemoryError} stops the service. That stopped a service started at 128 sends in flight into a
 * backlog (its workers inflating classes from the jar and signing at once).
 */
class UnitJvmGcLockerTest {

    private static final String STOP = "Retried waiting for GCLocker too often";

    @Test
    void theUnitsJvmKeepsAllocatingWhileManyThreadsHoldJniCriticalRegions() throws Exception {
        // G1, named: it logs each allocation that gives up (the serial collector, which the JVM picks by itself on a
        // machine with one CPU or under 2 GB, does not).
        DeployScriptsTest.Result control = stress(List.of(
                "-XX:+UseG1GC",
                "-Xms128m",
                "-Xmx256m",
                "-XX:+ExitOnOutOfMemoryError",
                "-XX:+UnlockDiagnosticVMOptions",
                "-XX:GCLockerRetryAllocationCount=2"));
        assertThat(control.output())
                .as("the stress reproduces the stop with the JDK's default retries")
                .contains(STOP)
                .contains("Terminating due to java.lang.OutOfMemoryError");
        assertThat(control.exit()).isNotZero();

        DeployScriptsTest.Result unit = stress(BenchCommand.unitJvmOptions());
        assertThat(unit.output()).doesNotContain(STOP).contains("survived ");
        assertThat(unit.exit()).as(unit.output()).isZero();
    }

    private static DeployScriptsTest.Result stress(List<String> jvmOptions) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", "target/test-classes", GcLockerStress.class.getName(), "8", "128", "4"));
        return DeployScriptsTest.bash(command);
    }
}
