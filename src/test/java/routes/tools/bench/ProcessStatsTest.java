package routes.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The JIT compilers' CPU is read per thread from /proc: HotSpot's compiler threads count, other threads do not. */
class ProcessStatsTest {

    /** Runs {@code millis} of CPU, then {@code atTheEnd}, on a thread of this name (Linux shows it as the comm). */
    private static void spin(String name, long millis, Runnable atTheEnd) throws InterruptedException {
        Thread t = new Thread(
                () -> {
                    var threads = ManagementFactory.getThreadMXBean();
                    long until = threads.getCurrentThreadCpuTime() + millis * 1_000_000;
                    while (threads.getCurrentThreadCpuTime() < until) {
                        Thread.onSpinWait();
                    }
                    atTheEnd.run();
                },
                name);
        t.start();
        t.join();
    }

    @Test
    void countsTheCpuOfCompilerThreadsOnlyAndKeepsItAfterTheyStop() throws Exception {
        try (ProcessStats stats = new ProcessStats(ProcessHandle.current().pid())) {
            stats.mark();
            // Seen by a sample while alive, then gone: its CPU stays in the sum.
            spin("C2 CompilerThread7", 400, stats::compilerCpuSeconds);
            spin("bench-worker", 400, () -> {});

            ProcessStats.Usage usage = stats.sinceMark();

            assertThat(usage.cpuSeconds()).isGreaterThanOrEqualTo(0.79);
            assertThat(usage.compilerCpuSeconds()).isGreaterThanOrEqualTo(0.39);
            // The worker's 0.4 s is not the compilers': counted, the share would be near 1.
            assertThat(usage.compilerShare()).isLessThan(0.8);
        }
    }
}
