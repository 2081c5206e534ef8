package routes.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import routes.config.Setting;
import routes.support.TestDb;
import routes.tools.bench.BenchCommand;

/**
 * The packaged jar run as the service in its own JVM with the systemd unit's options, as operators run it, for fault
 * tests that kill it.
 */
final class JarService implements AutoCloseable {

    static final Path JAR = Path.of("target/tattile-sender.jar");

    private final Process process;
    private final Path log;

    private JarService(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The service on the test database, no .env, no Jolokia, plus {@code settings}. */
    static JarService start(Path log, Map<String, String> settings) throws IOException {
        var s = TestDb.settings();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DB_NAME", TestDb.NAME);
        env.put("DB_HOST", s.text(Setting.DB_HOST));
        env.put("DB_PORT", s.text(Setting.DB_PORT));
        env.put("TATTILE_ENV_FILE", "/dev/null");
        env.put("JOLOKIA_PORT", "0");
        env.putAll(settings);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(BenchCommand.unitJvmOptions());
        command.addAll(List.of("-jar", JAR.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Files.createDirectories(log.toAbsolutePath().getParent());
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new JarService(pb.start(), log);
    }

    /** Waits until the camera port accepts connections (or the sender has logged its start). */
    JarService awaitStarted(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "service exited " + process.exitValue() + ":\n" + Files.readString(log));
            }
            if (port > 0 ? listening(port) : Files.readString(log).contains(") started in ")) {
                return this;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("service did not start:\n" + Files.readString(log));
    }

    /** SIGKILL: no shutdown hook, no graceful stop, as a power cut or the OOM killer. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
