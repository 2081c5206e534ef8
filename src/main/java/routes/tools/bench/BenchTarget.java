package routes.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the ingest benchmark sends: a service it starts itself on the bench database (the default), or a
 * service already running ({@code --target}), whose bench cameras and readings are the only rows it touches.
 */
abstract class BenchTarget {

    protected final BenchEnvironment env;

    BenchTarget(BenchEnvironment env) {
        this.env = env;
    }

    /** Registers the bench municipality and cameras (and, for a started service, empties its database). */
    abstract void prepareIngest(int cameras) throws Exception;

    abstract ServiceUnderTest startIngest() throws Exception;

    /** Removes the bench readings and their images. */
    abstract void clearReadings() throws Exception;

    /** Bytes of the bench readings' image files. */
    abstract long imageBytes() throws Exception;

    /** Waits until {@code expected} bench readings are stored, or until none arrives for {@code quietMillis}. */
    long awaitStored(long expected, long quietMillis) throws Exception {
        long last = -1;
        long lastChange = System.currentTimeMillis();
        while (true) {
            long n = env.count("SELECT count(*) FROM alpr_readings WHERE device_sn LIKE '"
                    + BenchEnvironment.SERIAL_PREFIX + "%'");
            if (n >= expected) {
                return n;
            }
            if (n != last) {
                last = n;
                lastChange = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - lastChange > quietMillis) {
                return n;
            }
            Thread.sleep(20);
        }
    }

    /** A service this bench starts, in its own JVM, on the bench database. */
    static final class Started extends BenchTarget {
        private final List<String> jvmOptions;
        private final int port;
        private final Map<String, String> settings;

        Started(BenchEnvironment env, List<String> jvmOptions, int port, Map<String, String> settings) {
            super(env);
            this.jvmOptions = jvmOptions;
            this.port = port;
            this.settings = settings;
        }

        @Override
        void prepareIngest(int cameras) throws Exception {
            env.reset(cameras);
        }

        @Override
        ServiceUnderTest startIngest() throws Exception {
            return process(
                    ServiceProcess.start(
                            jvmOptions,
                            env.serviceEnvironment("ingest", port, settings),
                            env.workDir().resolve("service-ingest.log"),
                            port),
                    port);
        }

        @Override
        void clearReadings() throws Exception {
            env.clearReadings();
        }

        @Override
        long imageBytes() throws Exception {
            return env.imageBytes();
        }
    }

    /** A service already running ({@code --target host:port}), optionally with its pid for CPU and memory. */
    static final class Running extends BenchTarget {
        private final String host;
        private final int port;
        private final Long pid;
        private final Path imagesDir;

        Running(BenchEnvironment env, String host, int port, Long pid, Path imagesDir) {
            super(env);
            this.host = host;
            this.port = port;
            this.pid = pid;
            this.imagesDir = imagesDir;
        }

        @Override
        void prepareIngest(int cameras) throws Exception {
            env.ensureRegistry(cameras);
        }

        @Override
        ServiceUnderTest startIngest() {
            ProcessStats stats = pid == null ? null : new ProcessStats(pid);
            return new ServiceUnderTest() {
                public String host() {
                    return host;
                }

                public int port() {
                    return port;
                }

                public long startupMillis() {
                    return -1;
                }

                public void mark() {
                    if (stats != null) {
                        stats.mark();
                    }
                }

                public ProcessStats.Usage usage() {
                    return stats == null ? new ProcessStats.Usage(0, 0, 0, 0, 0, 0) : stats.sinceMark();
                }

                public void close() {
                    if (stats != null) {
                        stats.close();
                    }
                }
            };
        }

        @Override
        void clearReadings() throws SQLException, IOException {
            env.execute("DELETE FROM alpr_readings WHERE device_sn LIKE '" + BenchEnvironment.SERIAL_PREFIX + "%'");
            for (Path dir : benchImageDirs()) {
                BenchEnvironment.deleteTree(dir);
            }
        }

        @Override
        long imageBytes() throws Exception {
            long total = 0;
            for (Path dir : benchImageDirs()) {
                total += BenchEnvironment.treeBytes(dir);
            }
            return total;
        }

        private List<Path> benchImageDirs() throws IOException {
            if (imagesDir == null || !Files.isDirectory(imagesDir)) {
                return List.of();
            }
            try (Stream<Path> dirs = Files.list(imagesDir)) {
                return dirs.filter(d -> d.getFileName().toString().startsWith(BenchEnvironment.SERIAL_PREFIX))
                        .toList();
            }
        }
    }

    static ServiceUnderTest process(ServiceProcess p, int port) {
        return new ServiceUnderTest() {
            public String host() {
                return "127.0.0.1";
            }

            public int port() {
                return port;
            }

            public long startupMillis() {
                return p.startupMillis();
            }

            public void mark() {
                p.stats().mark();
            }

            public ProcessStats.Usage usage() {
                return p.stats().sinceMark();
            }

            public void close() throws Exception {
                p.close();
            }
        };
    }
}
