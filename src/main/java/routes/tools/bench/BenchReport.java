package routes.tools.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The README's benchmark table, from the result of {@code bench all}. */
final class BenchReport {

    private BenchReport() {}

    private static final String JUDGE = " Beside each rate, the service's CPU per unit (from /proc) and the rate over a"
            + " reference measured in the same run, before and after the benchmark's measured runs (the mean of the two):"
            + " ingest ÷ the database floor, sends/s ÷ one core's RSA-2048 signatures/s. Judge a change on those, not on a"
            + " rate measured on another day.\n\n";

    private static final String HEADER =
            "| Figure | Target | Median | Min – max | Service CPU per unit (ms) | Rate ÷ reference |\n"
                    + "|---|---|---|---|---|---|\n";

    /** When and where, how to judge the figures, and the table's head. */
    private static StringBuilder header(Map<String, Object> machine, String onTheMachine) {
        return new StringBuilder()
                .append("Measured ")
                .append(machine.get("date"))
                .append(" on ")
                .append(machine.get("cpus"))
                .append(" CPUs (")
                .append(machine.get("cpuModel"))
                .append("), ")
                .append(machine.get("memoryGb"))
                .append(" GB, ")
                .append(machine.get("java"))
                .append("; ")
                .append(onTheMachine)
                .append(" on the same machine; median of the runs (min–max).")
                .append(JUDGE)
                .append(HEADER);
    }

    static String markdown(Map<String, Object> machine, Map<String, Object> all) {
        StringBuilder b = header(machine, "service and load generator");
        row(
                b,
                all,
                "Ingest, 50 connections, flat out (readings/s stored)",
                "≥ 1,500",
                "ingestMax.summary.readingsPerSecond",
                "ingestMax.summary.serviceCpuMsPerReading",
                "ingestMax.summary.ingestOverDatabaseFloor");
        row(
                b,
                all,
                "Ingest flat out: service CPU per reading (ms)",
                "≤ 0.8",
                "ingestMax.summary.serviceCpuMsPerReading");
        row(b, all, "Ingest flat out: latency p99 (ms)", "", "ingestMax.summary.latencyP99Ms");
        row(b, all, "Ingest flat out: service CPU (cores)", "", "ingestMax.summary.serviceCpuCores");
        row(b, all, "Ingest flat out: service peak RSS (MB)", "< 384", "ingestMax.summary.servicePeakRssMb");
        row(
                b,
                all,
                "Ingest flat out: JIT compilers' share of service CPU",
                "< 0.05",
                "ingestMax.summary.serviceCompilerCpuShare");
        row(
                b,
                all,
                "Ingest: compilers under 5 % of CPU after (readings since start)",
                "",
                "ingestMax.settling.settledAfter");
        row(b, all, "Ingest at 200 readings/s: latency p50 (ms)", "", "ingestAt200.summary.latencyP50Ms");
        row(b, all, "Ingest at 200 readings/s: latency p99 (ms)", "< 20", "ingestAt200.summary.latencyP99Ms");
        row(b, all, "Ingest at 200 readings/s: latency max (ms)", "", "ingestAt200.summary.latencyMAXMs");
        row(
                b,
                all,
                "Sender, 0 ms sandbox, verification off (sends/s)",
                "≥ 600",
                "sender0ms.sandboxVerification.verifyOff.sendsPerSecond",
                "sender0ms.sandboxVerification.verifyOff.serviceCpuMsPerSend",
                "sender0ms.sandboxVerification.verifyOff.sendsPerSigningCore");
        row(
                b,
                all,
                "Sender, 0 ms sandbox, verification on (sends/s)",
                "",
                "sender0ms.sandboxVerification.verifyOn.sendsPerSecond",
                "sender0ms.sandboxVerification.verifyOn.serviceCpuMsPerSend",
                "sender0ms.sandboxVerification.verifyOn.sendsPerSigningCore");
        row(
                b,
                all,
                "Sender CPU per signed send, verification off (ms)",
                "≤ 2.0",
                "sender0ms.sandboxVerification.verifyOff.serviceCpuMsPerSend");
        row(
                b,
                all,
                "Sender, 200 ms sandbox, SENDER_CONCURRENCY=128, verification off (sends/s)",
                "≥ 450",
                "sender200ms.sandboxVerification.verifyOff.sendsPerSecond",
                "sender200ms.sandboxVerification.verifyOff.serviceCpuMsPerSend",
                "sender200ms.sandboxVerification.verifyOff.sendsPerSigningCore");
        row(
                b,
                all,
                "Sender, 200 ms sandbox, SENDER_CONCURRENCY=128, verification on (sends/s)",
                "",
                "sender200ms.sandboxVerification.verifyOn.sendsPerSecond",
                "sender200ms.sandboxVerification.verifyOn.serviceCpuMsPerSend",
                "sender200ms.sandboxVerification.verifyOn.sendsPerSigningCore");
        row(
                b,
                all,
                "Sender, 0 ms, verification off: JIT compilers' share of service CPU",
                "< 0.05",
                "sender0ms.sandboxVerification.verifyOff.serviceCompilerCpuShare");
        row(
                b,
                all,
                "Sender: compilers under 5 % of CPU after (sends since start)",
                "",
                "sender0ms.settling.settledAfter");
        row(
                b,
                all,
                "Sender: drain of the backlog, 0 ms, verification off (s)",
                "",
                "sender0ms.sandboxVerification.verifyOff.drainSeconds");
        row(
                b,
                all,
                "Sender: service peak RSS (MB)",
                "< 384",
                "sender200ms.sandboxVerification.verifyOn.servicePeakRssMb");
        @SuppressWarnings("unchecked")
        Map<String, Object> queued = (Map<String, Object>) get(all, "claim.queued");
        if (queued != null) {
            for (String size : queued.keySet()) {
                row(
                        b,
                        all,
                        "Claim of 50 with " + size + " rows queued: p50 (ms)",
                        "",
                        "claim.queued." + size + ".claimP50Ms");
            }
        }
        Object ratio = get(all, "claim.largestOverSmallestP50");
        b.append("| Claim p50, largest queue ÷ smallest | ≤ 2 | ").append(ratio).append(" | | | |\n");
        health(b, all);
        b.append("| Start-up to listening (ms) | < 2,000 | ")
                .append(get(all, "ingestMax.startupMillis"))
                .append(" | | | |\n");
        b.append("| Bytes written per reading: images / PostgreSQL WAL / service process | | ")
                .append(first(all, "ingestMax.runs", "bytesWrittenPerReading.imageFiles"))
                .append(" / ")
                .append(first(all, "ingestMax.runs", "bytesWrittenPerReading.postgresWal"))
                .append(" / ")
                .append(first(all, "ingestMax.runs", "bytesWrittenPerReading.serviceProcessWrites"))
                .append(" | | | |\n");
        databaseFloor(b, all, "ingestMax", "ingest flat out");
        signing(b, all, "sender0ms", "sender, 0 ms sandbox");
        signing(b, all, "sender200ms", "sender, 200 ms sandbox");
        return b.toString();
    }

    /** The table of {@code bench stores}: each flow with the image folder and with the bucket, measured in one run. */
    static String stores(Map<String, Object> machine, Map<String, Object> result) {
        StringBuilder b = header(machine, "service, S3Proxy and load generator");
        for (String store : List.of("folder", "s3")) {
            String name = store.equals("s3") ? "S3 bucket" : "folder";
            row(
                    b,
                    result,
                    "Ingest flat out, " + name + " (readings/s)",
                    "",
                    "ingest-" + store + ".summary.readingsPerSecond",
                    "ingest-" + store + ".summary.serviceCpuMsPerReading",
                    "ingest-" + store + ".summary.ingestOverDatabaseFloor");
            row(
                    b,
                    result,
                    "Ingest flat out, " + name + ": service CPU per reading (ms)",
                    "",
                    "ingest-" + store + ".summary.serviceCpuMsPerReading");
            row(
                    b,
                    result,
                    "Ingest flat out, " + name + ": service peak RSS (MB)",
                    "",
                    "ingest-" + store + ".summary.servicePeakRssMb");
        }
        for (String store : List.of("folder", "s3")) {
            String name = store.equals("s3") ? "S3 bucket" : "folder";
            String mode = "sender-" + store + ".sandboxVerification.verifyOff.";
            row(
                    b,
                    result,
                    "Sender, 0 ms sandbox, " + name + " (sends/s)",
                    "",
                    mode + "sendsPerSecond",
                    mode + "serviceCpuMsPerSend",
                    mode + "sendsPerSigningCore");
            row(b, result, "Sender, " + name + ": service CPU per send (ms)", "", mode + "serviceCpuMsPerSend");
            row(b, result, "Sender, " + name + ": service peak RSS (MB)", "", mode + "servicePeakRssMb");
        }
        for (String store : List.of("folder", "s3")) {
            databaseFloor(b, result, "ingest-" + store, "ingest, " + (store.equals("s3") ? "S3 bucket" : "folder"));
        }
        for (String store : List.of("folder", "s3")) {
            signing(b, result, "sender-" + store, "sender, " + (store.equals("s3") ? "S3 bucket" : "folder"));
        }
        return b.toString();
    }

    /** The /health rows: latency through the cache, then one uncached computation against the old exact counts. */
    private static void health(StringBuilder b, Map<String, Object> all) {
        if (!(get(all, "health.plan") instanceof HealthBench.Plan plan)) {
            return;
        }
        String load = String.format(
                Locale.ROOT,
                "/health with %,d rows queued, %d clients at %s requests/s, cache %d s",
                plan.rows(),
                plan.concurrency(),
                plan.rate() == 0 ? "as many" : String.format(Locale.ROOT, "%,.0f", plan.rate()),
                plan.cacheSeconds());
        row(b, all, load + ": latency p50 (ms)", "", "health.summary.latencyP50Ms");
        row(b, all, load + ": latency p99 (ms)", "", "health.summary.latencyP99Ms");
        row(b, all, load + ": latency max (ms)", "", "health.summary.latencyMAXMs");
        row(
                b,
                all,
                String.format(Locale.ROOT, "/health: reports computed in %,d requests", plan.requests()),
                "",
                "health.summary.computations");
        row(
                b,
                all,
                "/health: one uncached computation, QueueAdminRepository.overview() (ms)",
                "",
                "health.overview.uncachedOverviewMs");
        row(b, all, "/health before: exact counts by status and of readings (ms)", "", "health.overview.oldCountMs");
        row(
                b,
                all,
                "/health: one uncached computation, older 90 % of PENDING turned into due retries (ms)",
                "",
                "health.retriesAhead.uncachedOverviewMs");
        Object scans = get(all, "health.overview.overviewFullScans");
        b.append(
                        "| /health: overview statements reading most of messages_queue or alpr_readings | 0 above 100,000 rows | ")
                .append(scans instanceof List<?> l ? l.size() : null)
                .append(" | | | |\n");
    }

    private static void row(StringBuilder b, Map<String, Object> all, String label, String target, String path) {
        row(b, all, label, target, path, null, null);
    }

    /** One figure: median and min – max, then (for a rate) the service's CPU per unit and the rate ÷ its reference. */
    private static void row(
            StringBuilder b,
            Map<String, Object> all,
            String label,
            String target,
            String path,
            String cpuPath,
            String ratioPath) {
        Object v = get(all, path);
        b.append("| ").append(label).append(" | ").append(target).append(" | ");
        if (v instanceof Map<?, ?> m) {
            b.append(m.get("median"))
                    .append(" | ")
                    .append(m.get("min"))
                    .append(" – ")
                    .append(m.get("max"));
        } else {
            b.append(v).append(" | ");
        }
        b.append(" | ")
                .append(cell(cpuPath == null ? null : get(all, cpuPath)))
                .append(" | ")
                .append(cell(ratioPath == null ? null : get(all, ratioPath)))
                .append(" |\n");
    }

    /** A median with its min – max in brackets, or nothing. */
    private static String cell(Object v) {
        if (v instanceof Map<?, ?> m) {
            return m.get("median") + " (" + m.get("min") + " – " + m.get("max") + ")";
        }
        return v == null ? "" : String.valueOf(v);
    }

    private static void databaseFloor(StringBuilder b, Map<String, Object> all, String part, String around) {
        reference(
                b,
                all,
                part,
                "databaseFloorPairsPerSecond",
                "Reference around " + around
                        + ": database floor, reading + queue row pairs/s (16 JDBC connections, no images)");
    }

    private static void signing(StringBuilder b, Map<String, Object> all, String part, String around) {
        reference(
                b,
                all,
                part,
                "rsaSignaturesPerSecond",
                "Reference around " + around + ": RSA-2048 signatures/s on one core ("
                        + get(all, part + ".references.cryptoProvider") + ")");
    }

    /** A reference: the mean of its two measurements, and the two as min – max. */
    private static void reference(StringBuilder b, Map<String, Object> all, String part, String figure, String label) {
        if (!(get(all, part + ".references." + figure) instanceof Double mean)) {
            return;
        }
        double before = (Double) get(all, part + ".references.before." + figure);
        double after = (Double) get(all, part + ".references.after." + figure);
        b.append("| ")
                .append(label)
                .append(" |  | ")
                .append(mean)
                .append(" | ")
                .append(Math.min(before, after))
                .append(" – ")
                .append(Math.max(before, after))
                .append(" | | |\n");
    }

    private static Object first(Map<String, Object> all, String listPath, String path) {
        Object list = get(all, listPath);
        if (list instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> run = (Map<String, Object>) m;
            return get(run, path);
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    static Object get(Map<String, Object> root, String path) {
        Object node = root;
        for (String key : path.split("\\.")) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = ((Map<String, Object>) m).get(key);
        }
        return node;
    }
}
