package routes.tools.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import routes.config.Setting;
import routes.tools.MossosSandbox;
import routes.tools.SandboxCommand;
import routes.tools.SyntheticReadings;

/**
 * Delivery latency: one service with both flows (ingest and sender) against the 0 ms sandbox, cameras sending at a
 * steady, modest rate; how long each reading waits from its reception (the commit of its rows) to its delivery
 * ({@code delivery_log.delay_ms}, which the sender writes with the outcome), and how long the first send takes after
 * the service starts with a reading already queued.
 */
final class DeliveryBench {

    /** What to run. */
    record Plan(int readings, int warmup, double rate, int connections, int ocrKb, int ctxKb, int runs) {}

    private final BenchEnvironment env;
    private final List<String> jvmOptions;
    private final int port;
    private final int sandboxPort;
    private final Map<String, String> settings;

    DeliveryBench(
            BenchEnvironment env, List<String> jvmOptions, int port, int sandboxPort, Map<String, String> settings) {
        this.env = env;
        this.jvmOptions = jvmOptions;
        this.port = port;
        this.sandboxPort = sandboxPort;
        this.settings = settings;
    }

    Map<String, Object> run(Plan plan) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "delivery");
        result.put("plan", plan);
        result.put("imageStore", env.imageStore());
        env.reset(plan.connections());
        env.certificate();
        var documents = new SyntheticReadings(11, plan.ocrKb() * 1024, plan.ctxKb() * 1024);
        try (MossosSandbox sandbox = new MossosSandbox(sandboxPort, 64)) {
            sandbox.trust(SandboxCommand.trustedCertificates(env.certsDir()))
                    .latency(0)
                    .verify(false)
                    .validate(false);
            Map<String, String> service = new LinkedHashMap<>(settings);
            service.put("MOSSOS_ENDPOINT_URL", sandbox.url());
            service.put("AUDIT_ENABLED", "true");
            // One reading queued before the start: how soon after start is it sent?
            env.preload(1, documents.ocrJpeg(), documents.ctxJpeg(), 0);
            try (ServiceProcess p = ServiceProcess.start(
                    jvmOptions,
                    env.serviceEnvironment("ingest,sender", port, service),
                    env.workDir().resolve("service-delivery.log"),
                    port)) {
                awaitReceived(sandbox, 1, p);
                result.put("startupMillis", p.startupMillis());
                result.put("firstSendAfterStartMillis", (System.nanoTime() - p.launchedNanos()) / 1_000_000);
                var generator = new LoadGenerator(
                        "127.0.0.1", port, plan.connections(), documents, env.settingsZone(Setting.CAMERA_TIMEZONE));
                if (plan.warmup() > 0) {
                    result.put("warmup", measure(p, sandbox, generator, plan.warmup(), plan.rate(), 1000));
                }
                List<Map<String, Object>> runs = new ArrayList<>();
                for (int r = 0; r < plan.runs(); r++) {
                    runs.add(measure(p, sandbox, generator, plan.readings(), plan.rate(), r + 1));
                }
                result.put("runs", runs);
                Map<String, Object> summary = new LinkedHashMap<>();
                for (String q : List.of("p50", "p95", "p99", "max")) {
                    summary.put("delay" + q.toUpperCase() + "Ms", Stats.quantileOverRuns(runs, "delayMs", q));
                }
                result.put("summary", summary);
            }
        }
        return result;
    }

    private Map<String, Object> measure(
            ServiceProcess service,
            MossosSandbox sandbox,
            LoadGenerator generator,
            int readings,
            double rate,
            long seed)
            throws Exception {
        env.execute("TRUNCATE delivery_log");
        int before = sandbox.received().size();
        service.stats().mark();
        var sent = generator.run(readings, rate, seed);
        awaitReceived(sandbox, before + sent.count(), service);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (env.count("SELECT count(*) FROM delivery_log WHERE outcome = 'DELIVERED'") < sent.count()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Deliveries not all recorded in delivery_log; see " + service.log());
            }
            Thread.sleep(20);
        }
        var usage = service.stats().sinceMark();
        double[] delays = new double[sent.count()];
        int n = 0;
        try (Connection c = env.db().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT delay_ms FROM delivery_log WHERE outcome = 'DELIVERED' AND delay_ms IS NOT NULL")) {
            while (rs.next() && n < delays.length) {
                delays[n++] = rs.getLong(1);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("readings", sent.count());
        m.put("rate", rate);
        m.put("delayMs", Stats.percentiles(Arrays.copyOf(delays, n)));
        m.put("serviceCpuMsPerReading", Stats.round(usage.cpuSeconds() * 1000 / Math.max(1, sent.count())));
        m.put("servicePeakRssMb", Stats.round(usage.peakRssBytes() / 1048576.0));
        return m;
    }

    private static void awaitReceived(MossosSandbox sandbox, int count, ServiceProcess service) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (sandbox.received().size() < count) {
            if (!service.isAlive()) {
                throw new IllegalStateException("The service stopped; see " + service.log());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(sandbox.received().size() + " of " + count
                        + " readings delivered after two minutes; see " + service.log());
            }
            Thread.sleep(2);
        }
    }
}
