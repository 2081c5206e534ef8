package routes.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CPU time, resident memory and bytes written of one Linux process, read from {@code /proc/<pid>}.
 * A sampler records the highest RSS seen between {@link #mark()} calls.
 */
final class ProcessStats implements AutoCloseable {

    /** Clock ticks per second of {@code /proc/<pid>/stat} (USER_HZ: 100 on every Linux/x86_64 kernel). */
    private static final double TICKS_PER_SECOND = 100.0;

    /** What a process used between two marks; {@code compilerCpuSeconds} is its JIT compiler threads' part of the CPU. */
    record Usage(
            double wallSeconds,
            double cpuSeconds,
            double systemCpuSeconds,
            long peakRssBytes,
            long writtenBytes,
            double compilerCpuSeconds) {
        double cores() {
            return wallSeconds <= 0 ? 0 : cpuSeconds / wallSeconds;
        }

        /** The JIT compilers' share of the process's CPU: near 0 once the hot code is compiled. */
        double compilerShare() {
            return cpuSeconds <= 0 ? 0 : Math.min(1, compilerCpuSeconds / cpuSeconds);
        }
    }

    /** HotSpot names its JIT compiler threads "C1 CompilerThreadN" and "C2 CompilerThreadN" (15 characters in comm). */
    private static final Pattern COMPILER_THREAD = Pattern.compile("C[12] CompilerThre.*");

    private final long pid;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-rss-sampler");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong peakRss = new AtomicLong();
    /**
     * CPU ticks last seen per compiler thread id: HotSpot starts and stops compiler threads as its queue grows and
     * shrinks, and a stopped thread's ticks would otherwise leave the sum. Read and written in
     * {@link #compilerCpuSeconds} only, which is synchronized.
     */
    private final Map<String, Long> compilerTicks = new HashMap<>();

    private long markNanos;
    private double markCompiler;
    private double markCpu;
    private double markSystem;
    private long markWritten;

    ProcessStats(long pid) {
        this.pid = pid;
        sampler.scheduleAtFixedRate(
                () -> peakRss.accumulateAndGet(rssBytes(), Math::max), 0, 100, TimeUnit.MILLISECONDS);
        sampler.scheduleAtFixedRate(this::compilerCpuSeconds, 0, 500, TimeUnit.MILLISECONDS);
        mark();
    }

    /** Starts a new measurement window. */
    synchronized void mark() {
        markNanos = System.nanoTime();
        markCpu = cpuSeconds();
        markCompiler = compilerCpuSeconds();
        markSystem = systemCpuSeconds();
        markWritten = writtenBytes();
        peakRss.set(rssBytes());
    }

    /** Usage since the last {@link #mark()}. */
    synchronized Usage sinceMark() {
        peakRss.accumulateAndGet(rssBytes(), Math::max);
        return new Usage(
                (System.nanoTime() - markNanos) / 1e9,
                cpuSeconds() - markCpu,
                systemCpuSeconds() - markSystem,
                peakRss.get(),
                writtenBytes() - markWritten,
                compilerCpuSeconds() - markCompiler);
    }

    long rssBytes() {
        for (String line : lines("status")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return 0;
    }

    double cpuSeconds() {
        return ticks(11) + ticks(12);
    }

    /** CPU spent in the kernel on the process's behalf (system calls: sockets, files). */
    double systemCpuSeconds() {
        return ticks(12);
    }

    /** CPU of the JIT compiler threads since the process started (as far as the samples saw stopped ones). */
    synchronized double compilerCpuSeconds() {
        Path tasks = Path.of("/proc", String.valueOf(pid), "task");
        try (Stream<Path> threads = Files.list(tasks)) {
            threads.forEach(t -> {
                // Names are read every time: a thread just started still has its parent's name for a moment.
                List<String> comm = read(t.resolve("comm"));
                if (comm.isEmpty() || !COMPILER_THREAD.matcher(comm.get(0)).matches()) {
                    return;
                }
                List<String> stat = read(t.resolve("stat"));
                if (!stat.isEmpty()) {
                    compilerTicks.merge(
                            t.getFileName().toString(), statField(stat, 11) + statField(stat, 12), Math::max);
                }
            });
        } catch (IOException | RuntimeException e) {
            // The process has gone: keep what was seen.
        }
        return compilerTicks.values().stream().mapToLong(Long::longValue).sum() / TICKS_PER_SECOND;
    }

    private double ticks(int field) {
        return statField(lines("stat"), field) / TICKS_PER_SECOND;
    }

    /** Field {@code field} (0 = state) after "pid (comm) " of a stat file, 0 when unreadable. */
    private static long statField(List<String> statLines, int field) {
        String stat = String.join(" ", statLines);
        int end = stat.lastIndexOf(')');
        if (end < 0) {
            return 0;
        }
        // After "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
        String[] f = stat.substring(end + 2).split(" ");
        return f.length > field ? Long.parseLong(f[field]) : 0;
    }

    /** Bytes this process caused to be written to storage ({@code write_bytes} of /proc/pid/io). */
    long writtenBytes() {
        for (String line : lines("io")) {
            if (line.startsWith("write_bytes:")) {
                return Long.parseLong(line.substring("write_bytes:".length()).trim());
            }
        }
        return 0;
    }

    private List<String> lines(String file) {
        return read(Path.of("/proc", String.valueOf(pid), file));
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
