package routes.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.cli.CommandFailedException;
import routes.config.ConfigOptions;

/**
 * {@code bench}: the benchmarks behind the README's figures. Each sub-command prints one JSON document;
 * the service under test runs in its own JVM with the systemd unit's JVM options, on a dedicated database.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Measure ingest and sender throughput, latency and footprint (JSON out). Uses and EMPTIES its own database (--database).",
        subcommands = {
            BenchCommand.Ingest.class,
            BenchCommand.Sender.class,
            BenchCommand.Claim.class,
            BenchCommand.Health.class,
            BenchCommand.All.class,
            BenchCommand.Stores.class,
            BenchCommand.Delivery.class
        })
public class BenchCommand {

    /**
     * The JVM options of deploy/systemd/tattile-sender.service, besides its class-data archive (TATTILE_CDS_OPTIONS,
     * which {@code --cds} stands for).
     */
    public static final String UNIT_JVM_OPTIONS =
            "-Xms128m -Xmx256m -XX:+UseSerialGC -XX:+UnlockDiagnosticVMOptions -XX:GCLockerRetryAllocationCount=1000 -XX:+ExitOnOutOfMemoryError";
    /** {@link #UNIT_JVM_OPTIONS}, one option per element, for a process's command line. */
    public static List<String> unitJvmOptions() {
        return List.of(UNIT_JVM_OPTIONS.split(" "));
    }

    /** Environment the systemd unit gives the service (checked against the unit by a test), given to the service under test too. */
    public static final Map<String, String> UNIT_ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");

    /** The camera port of the service a benchmark starts. */
    static class CameraPort {
        @Option(
                names = "--port",
                defaultValue = "33434",
                description = "Camera port of the service the bench starts (default: ${DEFAULT-VALUE})")
        int port;
    }

    /** The port of the built-in Mossos sandbox a benchmark sends to. */
    static class SandboxPort {
        @Option(
                names = "--sandbox-port",
                defaultValue = "33435",
                description = "Port of the sandbox (default: ${DEFAULT-VALUE})")
        int port;
    }

    /** The warm-up after the warm-up, of the ingest and sender benchmarks: see {@link Settling}. */
    static class Settle {
        @Option(
                names = "--settle-max",
                defaultValue = "40000",
                description =
                        "After the warm-up, batches of up to 5,000 readings until the JIT compilers use under 5 percent of"
                                + " the service's CPU over one, at most this many readings; 0 = none (default: ${DEFAULT-VALUE})")
        int max;
    }

    /** Options every benchmark shares. */
    static class Common {
        @Mixin
        ConfigOptions config;

        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        @Option(
                names = "--database",
                defaultValue = "tattile_bench",
                description =
                        "Database the bench uses and empties; it refuses one holding other cameras (default: ${DEFAULT-VALUE})")
        String database;

        @Option(
                names = "--runs",
                defaultValue = "3",
                description = "Measured runs; figures are their median, min and max (default: ${DEFAULT-VALUE})")
        int runs;

        @Option(
                names = "--work-dir",
                description = "Images, certificates and service logs (default: <tmp>/tattile-bench)")
        Path workDir;

        @Option(
                names = "--jvm-opts",
                defaultValue = UNIT_JVM_OPTIONS,
                description = "JVM options of the service under test (default, as the systemd unit: ${DEFAULT-VALUE})")
        String jvmOptions;

        @Option(
                names = "--cds",
                defaultValue = "on",
                description = "Class-data archive, as deploy/setup.sh gives the installed service: on = one built for"
                        + " this jar by a training start of the service (sender off) in the work folder before the"
                        + " first measured start; off = none (default: ${DEFAULT-VALUE})")
        String cds;

        private boolean archiveCleared;

        @Option(
                names = "--set",
                paramLabel = "KEY=VALUE",
                description = "A setting of the service under test (repeatable)")
        Map<String, String> settings = new LinkedHashMap<>();

        @Option(names = "--out", description = "Also write the JSON to this file")
        Path out;

        BenchEnvironment environment() throws Exception {
            return environment(settings);
        }

        /** The bench's database and folders, its images where {@code service} (the service's settings) says. */
        BenchEnvironment environment(Map<String, String> service) throws Exception {
            if (runs < 1) {
                throw new CommandFailedException("--runs must be at least 1");
            }
            BenchEnvironment env = new BenchEnvironment(config.settings(), database, workDir(), service);
            spec.commandLine().getErr().println("[bench] uses and EMPTIES " + env.describe());
            return env;
        }

        private Path workDir() {
            return workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"), "tattile-bench");
        }

        /**
         * The service's JVM options: {@code --jvm-opts}, and with {@code --cds on} the archive, which the first
         * start of the service trains (one per bench command: an archive left by another jar would be refused).
         */
        List<String> jvm() throws IOException {
            List<String> options = new ArrayList<>();
            switch (cds) {
                case "on" -> {
                    Path archive = workDir().toAbsolutePath().resolve("tattile-sender.jsa");
                    if (!archiveCleared) {
                        Files.deleteIfExists(archive);
                        archiveCleared = true;
                    }
                    options.add(ServiceProcess.SHARED_ARCHIVE + archive);
                }
                case "off" -> {}
                default -> throw new CommandFailedException("--cds must be on or off");
            }
            if (!jvmOptions.isBlank()) {
                options.addAll(Arrays.asList(jvmOptions.trim().split("\\s+")));
            }
            return options;
        }

        int print(Map<String, Object> result) throws Exception {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("machine", machine());
            doc.putAll(result);
            String json = new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(doc);
            spec.commandLine().getOut().println(json);
            if (out != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
                Files.writeString(out, json + "\n");
            }
            return 0;
        }
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", Instant.now().toString());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("cpuModel", cpuModel());
        m.put(
                "memoryGb",
                Math.round(((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize()
                        / 1073741824.0));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        return m;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Command(
            name = "ingest",
            mixinStandardHelpOptions = true,
            description =
                    "Cameras on C persistent connections send N readings; readings stored per second (in the database), "
                            + "latency from last byte sent to the stored row, the service's CPU, RSS and bytes written per reading; "
                            + "readings/s over the database floor (reading + queue pairs/s on 16 connections), measured just "
                            + "before and after the runs.")
    static class Ingest implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(
                names = "--readings",
                defaultValue = "20000",
                description = "Readings per run (default: ${DEFAULT-VALUE})")
        int readings;

        @Option(
                names = "--warmup",
                defaultValue = "10000",
                description = "Readings sent first and reported apart (default: ${DEFAULT-VALUE})")
        int warmup;

        @Mixin
        Settle settle;

        @Option(
                names = "--connections",
                defaultValue = "50",
                description = "Camera connections (default: ${DEFAULT-VALUE})")
        int connections;

        @Option(
                names = "--rate",
                defaultValue = "0",
                description = "Readings per second over all connections; 0 = as fast as accepted")
        double rate;

        @Option(
                names = "--ocr-kb",
                defaultValue = "20",
                description = "OCR image size in KB (default: ${DEFAULT-VALUE})")
        int ocrKb;

        @Option(
                names = "--ctx-kb",
                defaultValue = "60",
                description = "Context image size in KB (default: ${DEFAULT-VALUE})")
        int ctxKb;

        @Mixin
        CameraPort camera;

        @Option(
                names = "--target",
                paramLabel = "HOST:PORT",
                description = "Send to a service already running (on --database) instead of starting one")
        String target;

        @Option(names = "--service-pid", description = "With --target: its process id, for CPU and memory")
        Long servicePid;

        @Option(
                names = "--images-dir",
                description = "With --target: its IMAGES_BASE_DIR, to count and remove the bench's images")
        Path imagesDir;

        @Override
        public Integer call() throws Exception {
            if (readings < 1 || connections < 1 || warmup < 0 || rate < 0 || settle.max < 0) {
                throw new CommandFailedException(
                        "--readings and --connections must be >= 1, --warmup, --settle-max and --rate >= 0");
            }
            try (BenchEnvironment env = common.environment()) {
                return common.print(
                        run(env, common, plan(), target, servicePid, imagesDir, camera.port, References.STANDARD));
            }
        }

        IngestBench.Plan plan() {
            return new IngestBench.Plan(readings, warmup, connections, rate, ocrKb, ctxKb, common.runs, settle.max);
        }

        static Map<String, Object> run(
                BenchEnvironment env,
                Common common,
                IngestBench.Plan plan,
                String target,
                Long pid,
                Path images,
                int port,
                Duration referenceWindow)
                throws Exception {
            BenchTarget where;
            if (target != null) {
                int colon = target.lastIndexOf(':');
                if (colon < 1) {
                    throw new CommandFailedException("--target must be HOST:PORT");
                }
                where = new BenchTarget.Running(
                        env, target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)), pid, images);
            } else {
                where = new BenchTarget.Started(env, common.jvm(), port, common.settings);
            }
            return new IngestBench(env, where, referenceWindow).run(plan);
        }
    }

    @Command(
            name = "sender",
            mixinStandardHelpOptions = true,
            description =
                    "A backlog of queued readings (with image files) drained by the sender into the built-in Mossos sandbox: "
                            + "signed sends per second and drain time, sandbox signature verification on and off; sends/s over "
                            + "one core's RSA-2048 signatures/s, measured before the service starts and after it stops.")
    static class Sender implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(
                names = "--readings",
                defaultValue = "5000",
                description = "Backlog per run (default: ${DEFAULT-VALUE})")
        int readings;

        @Option(
                names = "--warmup",
                defaultValue = "6000",
                description = "Readings sent first and reported apart (default: ${DEFAULT-VALUE})")
        int warmup;

        @Mixin
        Settle settle;

        @Option(
                names = "--latency-ms",
                defaultValue = "0",
                description = "Sandbox delay before each answer (default: ${DEFAULT-VALUE})")
        long latencyMs;

        @Option(
                names = "--verify",
                defaultValue = "both",
                description = "Sandbox signature verification: on, off or both (default: ${DEFAULT-VALUE})")
        String verify;

        @Option(
                names = "--concurrency",
                defaultValue = "128",
                description = "SENDER_CONCURRENCY of the service (default, the service's own: ${DEFAULT-VALUE})")
        int concurrency;

        @Option(
                names = "--ocr-kb",
                defaultValue = "20",
                description = "OCR image size in KB (default: ${DEFAULT-VALUE})")
        int ocrKb;

        @Option(
                names = "--ctx-kb",
                defaultValue = "60",
                description = "Context image size in KB (default: ${DEFAULT-VALUE})")
        int ctxKb;

        @Mixin
        SandboxPort sandbox;

        @Override
        public Integer call() throws Exception {
            try (BenchEnvironment env = common.environment()) {
                return common.print(
                        new SenderBench(env, common.jvm(), sandbox.port, common.settings, References.STANDARD)
                                .run(plan()));
            }
        }

        SenderBench.Plan plan() {
            if (readings < 1 || warmup < 0 || latencyMs < 0 || concurrency < 1 || settle.max < 0) {
                throw new CommandFailedException(
                        "--readings and --concurrency must be >= 1, --warmup, --settle-max and --latency-ms >= 0");
            }
            List<Boolean> modes = switch (verify) {
                case "on" -> List.of(true);
                case "off" -> List.of(false);
                case "both" -> List.of(false, true);
                default -> throw new CommandFailedException("--verify must be on, off or both");
            };
            return new SenderBench.Plan(
                    readings, warmup, latencyMs, modes, concurrency, ocrKb, ctxKb, common.runs, settle.max);
        }
    }

    @Command(
            name = "claim",
            mixinStandardHelpOptions = true,
            description = "The sender's claim statement timed with growing queues (10 k, 100 k, 1 M rows by default).")
    static class Claim implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(
                names = "--queued",
                split = ",",
                defaultValue = "10000,100000,1000000",
                description = "Queue sizes (default: ${DEFAULT-VALUE})")
        List<Integer> queued;

        @Option(
                names = "--claims",
                defaultValue = "40",
                description = "Claims timed per run (default: ${DEFAULT-VALUE})")
        int claims;

        @Override
        public Integer call() throws Exception {
            if (claims < 1 || queued.stream().anyMatch(q -> q < 1)) {
                throw new CommandFailedException("--claims and --queued must be >= 1");
            }
            try (BenchEnvironment env = common.environment()) {
                return common.print(new ClaimBench(env).run(new ClaimBench.Plan(queued, claims, common.runs)));
            }
        }
    }

    @Command(
            name = "health",
            mixinStandardHelpOptions = true,
            description =
                    "GET /health with a large queue (1 M rows by default, filled by SQL): latency percentiles, reports computed, "
                            + "one uncached computation against the old exact counts, and EXPLAIN of every statement it runs.")
    static class Health implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--rows", defaultValue = "1000000", description = "Queued readings (default: ${DEFAULT-VALUE})")
        int rows;

        @Option(
                names = "--requests",
                defaultValue = "3000",
                description = "Requests per run (default: ${DEFAULT-VALUE})")
        int requests;

        @Option(
                names = "--warmup",
                defaultValue = "300",
                description = "Requests sent first and reported apart (default: ${DEFAULT-VALUE})")
        int warmup;

        @Option(
                names = "--concurrency",
                defaultValue = "4",
                description = "Clients sending at once (default: ${DEFAULT-VALUE})")
        int concurrency;

        @Option(
                names = "--rate",
                defaultValue = "200",
                description =
                        "Requests per second over all clients, so that a run spans several cache periods; 0 = as fast as answered "
                                + "(default: ${DEFAULT-VALUE})")
        double rate;

        @Option(
                names = "--cache-seconds",
                defaultValue = "5",
                description = "API_HEALTH_CACHE_SECONDS of the service (default: ${DEFAULT-VALUE})")
        int cacheSeconds;

        @Option(
                names = "--timings",
                defaultValue = "7",
                description =
                        "Direct timings of one uncached computation and of the old count; figures are their median (default: ${DEFAULT-VALUE})")
        int timings;

        @Option(
                names = "--api-port",
                defaultValue = "33436",
                description = "API port of the service the bench starts (default: ${DEFAULT-VALUE})")
        int apiPort;

        @Override
        public Integer call() throws Exception {
            try (BenchEnvironment env = common.environment()) {
                return common.print(new HealthBench(env, common.jvm(), apiPort, common.settings).run(plan()));
            }
        }

        HealthBench.Plan plan() {
            if (rows < 1
                    || requests < 1
                    || concurrency < 1
                    || timings < 1
                    || warmup < 0
                    || rate < 0
                    || cacheSeconds < 1) {
                throw new CommandFailedException(
                        "--rows, --requests, --concurrency, --timings and --cache-seconds must be >= 1, "
                                + "--warmup and --rate >= 0");
            }
            return new HealthBench.Plan(rows, requests, warmup, concurrency, rate, cacheSeconds, timings, common.runs);
        }
    }

    @Command(
            name = "all",
            mixinStandardHelpOptions = true,
            description =
                    "The standard set behind the README table: ingest flat out and at 200/s, sender at 0 and 200 ms, claim scaling, "
                            + "/health with 1 M rows queued.")
    static class All implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(
                names = "--quick",
                description = "A few hundred readings per benchmark: checks the benchmarks run, not the figures")
        boolean quick;

        @Option(names = "--markdown", description = "Also write the README table (Markdown) to this file")
        Path markdown;

        @Mixin
        CameraPort camera;

        @Mixin
        SandboxPort sandbox;

        @Option(
                names = "--api-port",
                defaultValue = "33436",
                description = "API port of the service the health bench starts (default: ${DEFAULT-VALUE})")
        int apiPort;

        @Override
        public Integer call() throws Exception {
            int scale = quick ? 100 : 1;
            Duration references = quick ? References.QUICK : References.STANDARD;
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("benchmark", "all");
            try (BenchEnvironment env = common.environment()) {
                // Long warm-ups: C2 keeps compiling the ingest path for ~10,000 readings (measured run over run).
                result.put(
                        "ingestMax",
                        Ingest.run(
                                env,
                                common,
                                new IngestBench.Plan(
                                        20_000 / scale,
                                        10_000 / scale,
                                        quick ? 5 : 50,
                                        0,
                                        20,
                                        60,
                                        common.runs,
                                        40_000 / scale),
                                null,
                                null,
                                null,
                                camera.port,
                                references));
                result.put(
                        "ingestAt200",
                        Ingest.run(
                                env,
                                common,
                                new IngestBench.Plan(
                                        6000 / scale,
                                        10_000 / scale,
                                        quick ? 5 : 50,
                                        200,
                                        20,
                                        60,
                                        common.runs,
                                        40_000 / scale),
                                null,
                                null,
                                null,
                                camera.port,
                                references));
                // C2 keeps compiling the signing path for ~6,000 sends (the first run after a 3,000 warm-up was
                // a fifth slower than the next).
                var sender = new SenderBench(env, common.jvm(), sandbox.port, common.settings, references);
                result.put(
                        "sender0ms",
                        sender.run(new SenderBench.Plan(
                                5000 / scale,
                                6000 / scale,
                                0,
                                List.of(false, true),
                                128,
                                20,
                                60,
                                common.runs,
                                40_000 / scale)));
                result.put(
                        "sender200ms",
                        sender.run(new SenderBench.Plan(
                                5000 / scale,
                                6000 / scale,
                                200,
                                List.of(false, true),
                                128,
                                20,
                                60,
                                common.runs,
                                40_000 / scale)));
                result.put(
                        "claim",
                        new ClaimBench(env)
                                .run(new ClaimBench.Plan(
                                        quick ? List.of(1000, 5000) : List.of(10_000, 100_000, 1_000_000),
                                        quick ? 5 : 40,
                                        common.runs)));
                // One fill of 1 M rows (a few minutes); 3,000 requests at 200/s span three cache periods of 5 s.
                result.put(
                        "health",
                        new HealthBench(env, common.jvm(), apiPort, common.settings)
                                .run(new HealthBench.Plan(
                                        quick ? 3000 : 1_000_000,
                                        quick ? 300 : 3000,
                                        quick ? 30 : 300,
                                        4,
                                        quick ? 100 : 200,
                                        quick ? 1 : 5,
                                        quick ? 3 : 7,
                                        common.runs)));
            }
            if (markdown != null) {
                Files.createDirectories(markdown.toAbsolutePath().getParent());
                Files.writeString(markdown, BenchReport.markdown(machine(), result));
            }
            return common.print(result);
        }
    }

    @Command(
            name = "stores",
            mixinStandardHelpOptions = true,
            description =
                    "Ingest flat out and the sender (0 ms sandbox, verification off) with the image folder and with the "
                            + "S3 bucket the --set S3_* settings name, interleaved in one run: service CPU per reading and per send "
                            + "side by side (deploy/dev/bench-s3.sh starts a local S3Proxy and runs it).")
    static class Stores implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(
                names = "--readings",
                defaultValue = "10000",
                description = "Ingest readings per run (default: ${DEFAULT-VALUE})")
        int readings;

        @Option(
                names = "--sends",
                defaultValue = "3000",
                description = "Sender backlog per run (default: ${DEFAULT-VALUE})")
        int sends;

        @Option(
                names = "--quick",
                description =
                        "A few hundred readings and sends, short warm-ups: checks the benchmark runs, not the figures")
        boolean quick;

        @Option(names = "--markdown", description = "Also write the README table (Markdown) to this file")
        Path markdown;

        @Mixin
        CameraPort camera;

        @Mixin
        SandboxPort sandbox;

        @Override
        public Integer call() throws Exception {
            if (!"s3".equals(common.settings.get("IMAGE_STORE"))) {
                throw new CommandFailedException(
                        "bench stores compares the image folder with a bucket: name the bucket "
                                + "with --set IMAGE_STORE=s3 --set S3_ENDPOINT=... (deploy/dev/bench-s3.sh starts S3Proxy and does)");
            }
            if (readings < 1 || sends < 1) {
                throw new CommandFailedException("--readings and --sends must be >= 1");
            }
            Map<String, String> folder = new LinkedHashMap<>(common.settings);
            folder.keySet().removeIf(k -> k.equals("IMAGE_STORE") || k.startsWith("S3_"));
            Map<String, Map<String, String>> stores = new LinkedHashMap<>();
            stores.put("folder", folder);
            stores.put("s3", common.settings);
            int scale = quick ? 20 : 1;
            Duration references = quick ? References.QUICK : References.STANDARD;
            var ingest = new IngestBench.Plan(
                    readings / scale, 10_000 / scale, quick ? 5 : 50, 0, 20, 60, common.runs, 40_000 / scale);
            var send = new SenderBench.Plan(
                    sends / scale, 6000 / scale, 0, List.of(false), 16, 20, 60, common.runs, 40_000 / scale);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("benchmark", "stores");
            // One flow at a time, both stores back to back: the two figures of a flow share the machine's moment.
            for (var store : stores.entrySet()) {
                try (BenchEnvironment env = common.environment(store.getValue())) {
                    result.put(
                            "ingest-" + store.getKey(),
                            new IngestBench(
                                            env,
                                            new BenchTarget.Started(env, common.jvm(), camera.port, store.getValue()),
                                            references)
                                    .run(ingest));
                }
            }
            for (var store : stores.entrySet()) {
                try (BenchEnvironment env = common.environment(store.getValue())) {
                    result.put(
                            "sender-" + store.getKey(),
                            new SenderBench(env, common.jvm(), sandbox.port, store.getValue(), references).run(send));
                }
            }
            if (markdown != null) {
                Files.createDirectories(markdown.toAbsolutePath().getParent());
                Files.writeString(markdown, BenchReport.stores(machine(), result));
            }
            return common.print(result);
        }
    }

    @Command(
            name = "delivery",
            mixinStandardHelpOptions = true,
            description =
                    "Delivery latency: ingest and sender in one service against the 0 ms sandbox, cameras at a steady"
                            + " rate; the delay from each reading's reception to its delivery (p50, p95, p99), and how soon"
                            + " after start a reading already queued is sent.")
    static class Delivery implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(
                names = "--readings",
                defaultValue = "600",
                description = "Readings per measured run (default: ${DEFAULT-VALUE})")
        int readings;

        @Option(
                names = "--warmup",
                defaultValue = "600",
                description = "Readings sent first and reported apart (default: ${DEFAULT-VALUE})")
        int warmup;

        @Option(
                names = "--rate",
                defaultValue = "20",
                description = "Readings per second over all cameras (default: ${DEFAULT-VALUE})")
        double rate;

        @Option(
                names = "--connections",
                defaultValue = "4",
                description = "Cameras, one connection each (default: ${DEFAULT-VALUE})")
        int connections;

        @Mixin
        CameraPort camera;

        @Mixin
        SandboxPort sandbox;

        @Override
        public Integer call() throws Exception {
            if (readings < 1 || warmup < 0 || rate <= 0 || connections < 1) {
                throw new CommandFailedException(
                        "--readings and --connections must be >= 1, --warmup >= 0 and --rate > 0");
            }
            try (BenchEnvironment env = common.environment()) {
                return common.print(new DeliveryBench(env, common.jvm(), camera.port, sandbox.port, common.settings)
                        .run(new DeliveryBench.Plan(readings, warmup, rate, connections, 20, 60, common.runs)));
            }
        }
    }
}
