package routes.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL cluster of the test's own (initdb in a folder under /tmp, its own port, trust
 * authentication), so a test can stop and restart PostgreSQL without touching the shared server on
 * 5432. The binaries run as the {@code postgres} user ({@code runuser}), as initdb refuses root.
 * {@link #close()} stops the cluster and deletes its folder.
 */
public final class PrivatePostgres implements AutoCloseable {

    public static final Path BIN = Path.of(System.getenv().getOrDefault("PG_BIN", "/usr/lib/postgresql/15/bin"));

    private final int port;
    private final Path dir;
    private final Path data;
    private final Path log;

    private PrivatePostgres(int port) {
        this.port = port;
        this.dir = Path.of("/tmp/tattile-private-pg-" + port);
        this.data = dir.resolve("data");
        this.log = dir.resolve("server.log");
    }

    /**
     * Creates and starts a cluster on {@code port} with role {@code tattile} (password {@code tattile})
     * owning database {@code database}. Throws with the tool's output when anything fails.
     */
    public static PrivatePostgres start(int port, String database) throws Exception {
        return start(port, database, false);
    }

    /**
     * As {@link #start(int, String)}; with {@code passwords} every role but {@code postgres} must log in over TCP with its
     * password (SCRAM-SHA-256, as on a server), so a wrong one is refused. {@code postgres} stays trusted: the test's superuser.
     */
    public static PrivatePostgres start(int port, String database, boolean passwords) throws Exception {
        PrivatePostgres pg = new PrivatePostgres(port);
        try {
            pg.stopLeftover();
            TestFiles.deleteTree(pg.dir);
            Files.createDirectories(pg.dir);
            run(List.of("chown", "postgres", pg.dir.toString()));
            pg.asPostgres(
                    BIN.resolve("initdb").toString(),
                    "-D",
                    pg.data.toString(),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--no-sync");
            if (passwords) {
                Files.writeString(pg.data.resolve("pg_hba.conf"), """
                        local all all trust
                        host all postgres 127.0.0.1/32 trust
                        host all all 127.0.0.1/32 scram-sha-256
                        """);
            }
            pg.startServer();
            pg.psql("CREATE ROLE tattile LOGIN PASSWORD 'tattile'");
            pg.psql("CREATE DATABASE " + database + " OWNER tattile");
            return pg;
        } catch (Exception | Error e) {
            pg.close();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    /** JDBC URL of {@code database} in this cluster (over TCP, on 127.0.0.1). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Starts the (stopped) server and waits until it accepts connections. */
    public void startServer() throws Exception {
        asPostgres(
                BIN.resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-l",
                log.toString(),
                "-w",
                "-t",
                "60",
                "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
                "start");
    }

    /** Stops the server with {@code -m fast}: open sessions are terminated, as a systemd restart does. */
    public void stopServer() throws Exception {
        asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
    }

    /** The server log (for assertion messages). */
    public String serverLog() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private void psql(String sql) throws Exception {
        asPostgres(
                BIN.resolve("psql").toString(),
                "-h",
                dir.toString(),
                "-p",
                String.valueOf(port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
                "-c",
                sql);
    }

    private void stopLeftover() {
        if (Files.exists(data.resolve("postmaster.pid"))) {
            try {
                stopServer();
            } catch (Exception ignored) {
                // a dead leftover: its folder is deleted next
            }
        }
    }

    private void asPostgres(String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        cmd.addAll(List.of(command));
        run(cmd);
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("Timed out: " + String.join(" ", cmd) + "\n" + out);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("Private PostgreSQL cluster: '" + String.join(" ", cmd) + "' failed (exit "
                    + p.exitValue() + "); it needs root (runuser) and " + BIN + ":\n" + out);
        }
        return out;
    }

    /** Stops the server (if running) and deletes the cluster's folder. */
    @Override
    public void close() throws Exception {
        try {
            stopLeftover();
        } finally {
            TestFiles.deleteTree(dir);
        }
    }
}
