package routes.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU time, resident memory and bytes written of one Linux process, read from {@code /proc/<pid>}.
 * A sampler records the highest RSS seen between {@link #mark()} calls.
 */
final class ProcessStats implements AutoCloseable {

    /** Clock ticks per second of {@code /proc/<pid>/stat} (USER_HZ: 100 on every Linux/x86_64 kernel). */
    private static final double TICKS_PER_SECOND = 100.0;

    /** What a process used between two marks. */
    record Usage(double wallSeconds, double cpuSeconds, double systemCpuSeconds, long peakRssBytes, long writtenBytes) {
        double cores() {
            return wallSeconds <= 0 ? 0 : cpuSeconds / wallSeconds;
        }
    }

    private final long pid;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-rss-sampler");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong peakRss = new AtomicLong();
    private long markNanos;
    private double markCpu;
    private double markSystem;
    private long markWritten;

    ProcessStats(long pid) {
        this.pid = pid;
        sampler.scheduleAtFixedRate(
                () -> peakRss.accumulateAndGet(rssBytes(), Math::max), 0, 100, TimeUnit.MILLISECONDS);
        mark();
    }

    /** Starts a new measurement window. */
    synchronized void mark() {
        markNanos = System.nanoTime();
        markCpu = cpuSeconds();
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
                writtenBytes() - markWritten);
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

    private double ticks(int field) {
        String stat = String.join(" ", lines("stat"));
        int end = stat.lastIndexOf(')');
        if (end < 0) {
            return 0;
        }
        // After "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
        String[] f = stat.substring(end + 2).split(" ");
        return Long.parseLong(f[field]) / TICKS_PER_SECOND;
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
        try {
            return Files.readAllLines(Path.of("/proc", String.valueOf(pid), file));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
