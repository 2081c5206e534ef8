package routes.tools.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import routes.config.Setting;
import routes.tools.SyntheticReadings;

/**
 * Ingest: readings stored per second (counted in the database), latency from the last byte sent to the
 * reading's row (its transaction's timestamp), the service's CPU, RSS and bytes written per reading.
 */
final class IngestBench {

    /** What to run. */
    record Plan(
            int readings, int warmup, int connections, double rate, int ocrKb, int ctxKb, int runs, int settleMax) {}

    private final BenchEnvironment env;
    private final BenchTarget target;
    private final Duration referenceWindow;

    /** @param referenceWindow how long each reference is measured, before and after the measured runs */
    IngestBench(BenchEnvironment env, BenchTarget target, Duration referenceWindow) {
        this.env = env;
        this.target = target;
        this.referenceWindow = referenceWindow;
    }

    Map<String, Object> run(Plan plan) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "ingest");
        result.put("plan", plan);
        result.put("imageStore", env.imageStore());
        var documents = new SyntheticReadings(42, plan.ocrKb() * 1024, plan.ctxKb() * 1024);
        result.put(
                "documentBytes",
                Arrays.stream(documents.vegaParts("BENCH0001", "0000BBB", LocalDateTime.now()))
                        .mapToInt(p -> p.length)
                        .sum());
        target.prepareIngest(plan.connections());
        try (ServiceUnderTest service = target.startIngest()) {
            result.put("startupMillis", service.startupMillis());
            var generator = new LoadGenerator(
                    service.host(),
                    service.port(),
                    plan.connections(),
                    documents,
                    env.settingsZone(Setting.CAMERA_TIMEZONE));
            if (plan.warmup() > 0) {
                result.put("warmup", measure(service, generator, plan.warmup(), 0, 1000));
            }
            result.put(
                    "settling",
                    Settling.run(
                            plan.settleMax(),
                            plan.warmup(),
                            (readings, seed) -> measure(service, generator, readings, 0, seed),
                            2000));
            // The references in the same window, the service idle: right before the measured runs and right after.
            Map<String, Object> before = References.measure(env, referenceWindow);
            List<Map<String, Object>> runs = new ArrayList<>();
            for (int r = 0; r < plan.runs(); r++) {
                runs.add(measure(service, generator, plan.readings(), plan.rate(), r + 1));
            }
            Map<String, Object> references =
                    References.around(before, References.measure(env, referenceWindow), referenceWindow);
            result.put("runs", runs);
            Map<String, Object> summary = summary(runs);
            summary.put(
                    "ingestOverDatabaseFloor",
                    Stats.ratioOverRuns(
                            runs.stream()
                                    .map(r -> (Double) r.get("readingsPerSecond"))
                                    .toList(),
                            (Double) references.get("databaseFloorPairsPerSecond")));
            result.put("summary", summary);
            result.put("references", references);
        }
        return result;
    }

    private Map<String, Object> measure(
            ServiceUnderTest service, LoadGenerator generator, int readings, double rate, long seed) throws Exception {
        target.clearReadings();
        long walBefore = env.walPosition();
        service.mark();
        var sent = generator.run(readings, rate, seed);
        long stored = target.awaitStored(sent.count(), 120_000);
        var usage = service.usage();
        long walBytes = env.walPosition() - walBefore;

        Map<String, Integer> index = new HashMap<>(sent.count() * 2);
        for (int i = 0; i < sent.plates().length; i++) {
            if (sent.plates()[i] != null) {
                index.put(sent.plates()[i], i);
            }
        }
        double[] latencies = new double[(int) stored];
        long lastStored = 0;
        int n = 0;
        try (Connection c = env.db().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT plate, (extract(epoch FROM received_at) * 1000000)::bigint FROM alpr_readings "
                                + "WHERE device_sn LIKE '" + BenchEnvironment.SERIAL_PREFIX + "%'")) {
            while (rs.next()) {
                Integer i = index.get(rs.getString(1));
                long at = rs.getLong(2);
                lastStored = Math.max(lastStored, at);
                if (i != null && n < latencies.length) {
                    latencies[n++] = (at - sent.sentAtMicros()[i]) / 1000.0;
                }
            }
        }
        double seconds = (lastStored - sent.firstMicros()) / 1e6;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sent", sent.count());
        m.put("stored", stored);
        m.put("readingsPerSecond", Stats.round(stored / seconds));
        m.put("sendSeconds", Stats.round((sent.lastMicros() - sent.firstMicros()) / 1e6));
        m.put("latencyMs", Stats.percentiles(Arrays.copyOf(latencies, n)));
        m.put("serviceCpuCores", Stats.round(usage.cores()));
        m.put("serviceCpuMsPerReading", Stats.round(usage.cpuSeconds() * 1000 / Math.max(1, stored)));
        m.put(
                "serviceKernelCpuShare",
                Stats.round(usage.cpuSeconds() == 0 ? 0 : usage.systemCpuSeconds() / usage.cpuSeconds()));
        m.put("servicePeakRssMb", Stats.round(usage.peakRssBytes() / 1048576.0));
        m.put("serviceCompilerCpuShare", Stats.share(usage.compilerShare()));
        Map<String, Object> bytes = new LinkedHashMap<>();
        bytes.put("imageFiles", Math.round((double) target.imageBytes() / Math.max(1, stored)));
        bytes.put("postgresWal", Math.round((double) walBytes / Math.max(1, stored)));
        bytes.put("serviceProcessWrites", Math.round((double) usage.writtenBytes() / Math.max(1, stored)));
        m.put("bytesWrittenPerReading", bytes);
        return m;
    }

    private static Map<String, Object> summary(List<Map<String, Object>> runs) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("readingsPerSecond", Stats.figureOverRuns(runs, "readingsPerSecond"));
        for (String p : List.of("p50", "p95", "p99", "max")) {
            s.put("latency" + p.toUpperCase() + "Ms", Stats.quantileOverRuns(runs, "latencyMs", p));
        }
        for (String figure :
                List.of("serviceCpuMsPerReading", "serviceCpuCores", "servicePeakRssMb", "serviceCompilerCpuShare")) {
            s.put(figure, Stats.figureOverRuns(runs, figure));
        }
        return s;
    }
}
