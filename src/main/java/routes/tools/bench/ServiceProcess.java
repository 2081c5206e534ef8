package routes.tools.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service under test in its own JVM, started as operators start it (this jar's main class, the
 * systemd unit's JVM options, configuration by environment), with its CPU and memory read from /proc.
 */
final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final ProcessStats stats;
    private final long startupMillis;
    private final long launchedNanos;

    private ServiceProcess(Process process, Path log, long launchedNanos, long startupMillis) {
        this.process = process;
        this.log = log;
        this.launchedNanos = launchedNanos;
        this.startupMillis = startupMillis;
        this.stats = new ProcessStats(process.pid());
    }

    /** The JVM option naming a class-data archive; one that names a missing file has it trained first. */
    static final String SHARED_ARCHIVE = "-XX:SharedArchiveFile=";

    /**
     * Starts the service and waits until Camel has started and, when {@code listenPort} > 0, the port accepts
     * connections. When the options name a class-data archive that does not exist yet, a training start comes first,
     * as deploy/setup.sh makes it: the service with the sender off and {@code -XX:ArchiveClassesAtExit}, stopped once
     * started (the JVM writes the archive as it exits); not counted in {@link #startupMillis}.
     */
    static ServiceProcess start(List<String> jvmOptions, Map<String, String> environment, Path log, int listenPort)
            throws Exception {
        for (String option : jvmOptions) {
            Path archive =
                    option.startsWith(SHARED_ARCHIVE) ? Path.of(option.substring(SHARED_ARCHIVE.length())) : null;
            if (archive != null && !Files.exists(archive)) {
                train(archive, jvmOptions, environment, log.resolveSibling("service-cds-training.log"), listenPort);
            }
        }
        return launch(jvmOptions, environment, log, listenPort);
    }

    private static void train(
            Path archive, List<String> jvmOptions, Map<String, String> environment, Path log, int listenPort)
            throws Exception {
        List<String> options = jvmOptions.stream()
                .map(o -> o.startsWith(SHARED_ARCHIVE) ? "-XX:ArchiveClassesAtExit=" + archive : o)
                .toList();
        Map<String, String> training = new HashMap<>(environment);
        training.put("SENDER_ENABLED", "false");
        training.put("JOLOKIA_PORT", "0");
        launch(options, training, log, listenPort).close();
        if (!Files.exists(archive)) {
            throw new IllegalStateException(
                    "The class-data archive was not written by the training start; see " + log + ":\n" + tail(log));
        }
    }

    private static ServiceProcess launch(
            List<String> jvmOptions, Map<String, String> environment, Path log, int listenPort) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "routes.Application"));
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(BenchCommand.UNIT_ENVIRONMENT);
        pb.environment().putAll(environment);
        long t0 = System.nanoTime();
        Process p = pb.start();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
        while (!(started(log) && (listenPort <= 0 || accepts(listenPort)))) {
            if (!p.isAlive()) {
                throw new IllegalStateException("The service stopped during start-up (exit " + p.exitValue() + "); see "
                        + log + ":\n" + tail(log));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        "The service did not start within 60 s; see " + log + ":\n" + tail(log));
            }
            Thread.sleep(10);
        }
        return new ServiceProcess(p, log, t0, (System.nanoTime() - t0) / 1_000_000);
    }

    /** From process start to Camel started and the port listening. */
    long startupMillis() {
        return startupMillis;
    }

    /** {@link System#nanoTime} when this process was launched (after any training start). */
    long launchedNanos() {
        return launchedNanos;
    }

    ProcessStats stats() {
        return stats;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    private static boolean started(Path log) {
        try {
            return Files.exists(log)
                    && Files.readString(log, StandardCharsets.UTF_8).contains(") started in ");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() throws InterruptedException {
        stats.close();
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
