package routes.tools.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import routes.tools.MossosSandbox;
import routes.tools.SandboxCommand;
import routes.tools.SyntheticReadings;

/**
 * Sender: a backlog of Q queued readings (image files on disk) drained by the service's sender flow into the
 * built-in Mossos sandbox, with its signature verification on and off and an added answer latency.
 * Reports signed sends per second and the drain time; every reading must be delivered, none DEAD.
 */
final class SenderBench {

    /** What to run. */
    record Plan(
            int readings,
            int warmup,
            long latencyMs,
            List<Boolean> verify,
            int concurrency,
            int ocrKb,
            int ctxKb,
            int runs,
            int settleMax) {}

    private final BenchEnvironment env;
    private final List<String> jvmOptions;
    private final int sandboxPort;
    private final Map<String, String> settings;
    private final Duration referenceWindow;

    /** @param referenceWindow how long each reference is measured, before the service starts and after it stops */
    SenderBench(
            BenchEnvironment env,
            List<String> jvmOptions,
            int sandboxPort,
            Map<String, String> settings,
            Duration referenceWindow) {
        this.env = env;
        this.jvmOptions = jvmOptions;
        this.sandboxPort = sandboxPort;
        this.settings = settings;
        this.referenceWindow = referenceWindow;
    }

    Map<String, Object> run(Plan plan) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "sender");
        result.put("plan", plan);
        result.put("imageStore", env.imageStore());
        env.reset(10);
        env.certificate();
        var documents = new SyntheticReadings(7, plan.ocrKb() * 1024, plan.ctxKb() * 1024);
        byte[] ocr = documents.ocrJpeg();
        byte[] ctx = documents.ctxJpeg();
        // The references in the same window but not beside the service: its sender would claim the floor's PENDING
        // rows. Measured before it starts and after it stops.
        Map<String, Object> before = References.measure(env, referenceWindow);
        Map<String, Map<String, Object>> byMode = new LinkedHashMap<>();
        try (MossosSandbox sandbox = new MossosSandbox(sandboxPort, Math.max(64, plan.concurrency() * 2))) {
            sandbox.trust(SandboxCommand.trustedCertificates(env.certsDir())).latency(plan.latencyMs());
            Map<String, String> service = new LinkedHashMap<>(settings);
            service.put("MOSSOS_ENDPOINT_URL", sandbox.url());
            service.put("SENDER_CONCURRENCY", String.valueOf(plan.concurrency()));
            service.putIfAbsent("DB_POOL_SIZE", String.valueOf(Math.max(40, plan.concurrency() + 8)));
            try (ServiceProcess p = ServiceProcess.start(
                    jvmOptions,
                    env.serviceEnvironment("sender", 0, service),
                    env.workDir().resolve("service-sender.log"),
                    0)) {
                result.put("startupMillis", p.startupMillis());
                if (plan.warmup() > 0) {
                    sandbox.verify(plan.verify().get(0)).validate(plan.verify().get(0));
                    result.put("warmup", drain(p, sandbox, plan.warmup(), ocr, ctx, 1000));
                }
                result.put(
                        "settling",
                        Settling.run(
                                plan.settleMax(),
                                plan.warmup(),
                                (readings, seed) -> drain(p, sandbox, readings, ocr, ctx, seed),
                                2000));
                for (boolean verify : plan.verify()) {
                    // Schema validation goes with signature verification: "off" stays the sandbox's bare cost, as
                    // before it validated.
                    sandbox.verify(verify).validate(verify);
                    List<Map<String, Object>> runs = new ArrayList<>();
                    for (int r = 0; r < plan.runs(); r++) {
                        runs.add(drain(p, sandbox, plan.readings(), ocr, ctx, r + 1 + (verify ? 100 : 0)));
                    }
                    Map<String, Object> mode = new LinkedHashMap<>();
                    mode.put("runs", runs);
                    for (String figure : List.of(
                            "sendsPerSecond",
                            "drainSeconds",
                            "serviceCpuMsPerSend",
                            "servicePeakRssMb",
                            "serviceCompilerCpuShare")) {
                        mode.put(figure, Stats.figureOverRuns(runs, figure));
                    }
                    byMode.put(verify ? "verifyOn" : "verifyOff", mode);
                }
                result.put("sandboxVerification", byMode);
            }
        }
        Map<String, Object> references =
                References.around(before, References.measure(env, referenceWindow), referenceWindow);
        for (Map<String, Object> mode : byMode.values()) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> runs = (List<Map<String, Object>>) mode.get("runs");
            mode.put(
                    "sendsPerSigningCore",
                    Stats.ratioOverRuns(
                            runs.stream()
                                    .map(m -> (Double) m.get("sendsPerSecond"))
                                    .toList(),
                            (Double) references.get("rsaSignaturesPerSecond")));
        }
        result.put("references", references);
        return result;
    }

    private Map<String, Object> drain(
            ServiceProcess service, MossosSandbox sandbox, int readings, byte[] ocr, byte[] ctx, long seed)
            throws Exception {
        env.clearReadings();
        int before = sandbox.received().size();
        int rejectedBefore = sandbox.rejectedCount();
        env.preload(readings, ocr, ctx, seed);
        long t0 = System.nanoTime();
        service.stats().mark();
        long lastProgress = System.currentTimeMillis();
        long left = readings;
        while (left > 0) {
            Thread.sleep(20);
            long now = env.count("SELECT count(*) FROM messages_queue WHERE status <> 'DEAD'");
            if (now != left) {
                left = now;
                lastProgress = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - lastProgress > 60_000) {
                throw new IllegalStateException(
                        left + " readings still queued after a minute without progress; see " + service.log());
            }
            if (!service.isAlive()) {
                throw new IllegalStateException("The service stopped; see " + service.log());
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        var usage = service.stats().sinceMark();
        long dead = env.count("SELECT count(*) FROM messages_queue WHERE status = 'DEAD'");
        int delivered = sandbox.received().size() - before;
        if (dead > 0 || delivered < readings) {
            throw new IllegalStateException("Not every reading was delivered: " + delivered + " of " + readings
                    + " delivered, " + dead + " DEAD, " + (sandbox.rejectedCount() - rejectedBefore)
                    + " refused by the sandbox; see " + service.log());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("readings", readings);
        m.put("delivered", delivered);
        m.put("drainSeconds", Stats.round(seconds));
        m.put("sendsPerSecond", Stats.round(readings / seconds));
        m.put("serviceCpuCores", Stats.round(usage.cores()));
        m.put("serviceCpuMsPerSend", Stats.round(usage.cpuSeconds() * 1000 / readings));
        m.put(
                "serviceKernelCpuShare",
                Stats.round(usage.cpuSeconds() == 0 ? 0 : usage.systemCpuSeconds() / usage.cpuSeconds()));
        m.put("servicePeakRssMb", Stats.round(usage.peakRssBytes() / 1048576.0));
        m.put("serviceCompilerCpuShare", Stats.share(usage.compilerShare()));
        return m;
    }
}
