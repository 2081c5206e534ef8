package routes.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README tables put each rate beside the service's CPU per unit and its ratio to a reference of the same run. */
class BenchReportTest {

    private static final Map<String, Object> MACHINE = Map.of(
            "date", "2026-11-30T04:00:00Z", "cpus", 2, "cpuModel", "Test CPU", "memoryGb", 4, "java", "OpenJDK 17");

    private static Map<String, Double> runs(double median, double min, double max) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("median", median);
        m.put("min", min);
        m.put("max", max);
        return m;
    }

    private static Map<String, Object> references(double rsa, double floor) {
        Map<String, Object> one =
                Map.of("rsaSignaturesPerSecond", rsa, "cryptoProvider", "P 1", "databaseFloorPairsPerSecond", floor);
        Map<String, Object> other = Map.of(
                "rsaSignaturesPerSecond",
                rsa + 100,
                "cryptoProvider",
                "P 1",
                "databaseFloorPairsPerSecond",
                floor - 1000);
        return References.around(one, other, References.QUICK);
    }

    private static Map<String, Object> ingest() {
        return Map.of(
                "summary",
                Map.of(
                        "readingsPerSecond", runs(500, 450, 550),
                        "serviceCpuMsPerReading", runs(1.9, 1.8, 2.0),
                        "ingestOverDatabaseFloor", runs(0.1, 0.09, 0.11),
                        "serviceCompilerCpuShare", runs(0.021, 0.012, 0.034)),
                "settling",
                Map.of("settledAfter", 25000),
                "references",
                references(2000, 5000));
    }

    private static Map<String, Object> sender() {
        Map<String, Object> off = Map.of(
                "sendsPerSecond", runs(150, 140, 160),
                "serviceCpuMsPerSend", runs(6.3, 6.1, 6.5),
                "sendsPerSigningCore", runs(0.075, 0.07, 0.08),
                "serviceCompilerCpuShare", runs(0.018, 0.011, 0.031));
        return Map.of(
                "sandboxVerification",
                Map.of("verifyOff", off, "verifyOn", off),
                "settling",
                Map.of("settledAfter", 31000),
                "references",
                references(2000, 5000));
    }

    @Test
    void theStandardTableShowsCpuPerUnitRatiosAndTheReferences() {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("ingestMax", ingest());
        all.put("sender0ms", sender());
        all.put("sender200ms", sender());

        String table = BenchReport.markdown(MACHINE, all);

        assertThat(table)
                .contains(
                        "Measured 2026-11-30T04:00:00Z on 2 CPUs (Test CPU)",
                        "| Figure | Target | Median | Min – max | Service CPU per unit (ms) | Rate ÷ reference |",
                        "| Ingest, 50 connections, flat out (readings/s stored) | ≥ 1,500 | 500.0 | 450.0 – 550.0 |"
                                + " 1.9 (1.8 – 2.0) | 0.1 (0.09 – 0.11) |",
                        "| Sender, 0 ms sandbox, verification off (sends/s) | ≥ 600 | 150.0 | 140.0 – 160.0 |"
                                + " 6.3 (6.1 – 6.5) | 0.075 (0.07 – 0.08) |",
                        "| Ingest flat out: JIT compilers' share of service CPU | < 0.05 | 0.021 | 0.012 – 0.034 |",
                        "| Ingest: compilers under 5 % of CPU after (readings since start) |  | 25000 |",
                        "| Sender, 0 ms, verification off: JIT compilers' share of service CPU | < 0.05 | 0.018 |"
                                + " 0.011 – 0.031 |",
                        "| Sender: compilers under 5 % of CPU after (sends since start) |  | 31000 |",
                        "| Reference around ingest flat out: database floor, reading + queue row pairs/s"
                                + " (16 JDBC connections, no images) |  | 4500.0 | 4000.0 – 5000.0 | | |",
                        "| Reference around sender, 0 ms sandbox: RSA-2048 signatures/s on one core (P 1) |  | 2050.0 |"
                                + " 2000.0 – 2100.0 | | |");
        for (String line : table.lines().filter(l -> l.startsWith("|")).toList()) {
            assertThat(line.split("\\|", -1)).as(line).hasSize(8);
        }
    }

    @Test
    void theStoresTableShowsBothStoresWithTheirReferences() {
        Map<String, Object> result = new LinkedHashMap<>();
        for (String store : List.of("folder", "s3")) {
            result.put("ingest-" + store, ingest());
            result.put("sender-" + store, sender());
        }

        String table = BenchReport.stores(MACHINE, result);

        assertThat(table)
                .contains(
                        "| Ingest flat out, S3 bucket (readings/s) |  | 500.0 | 450.0 – 550.0 | 1.9 (1.8 – 2.0) |"
                                + " 0.1 (0.09 – 0.11) |",
                        "| Sender, 0 ms sandbox, folder (sends/s) |  | 150.0 | 140.0 – 160.0 | 6.3 (6.1 – 6.5) |"
                                + " 0.075 (0.07 – 0.08) |",
                        "| Reference around ingest, S3 bucket: database floor",
                        "| Reference around sender, folder: RSA-2048 signatures/s on one core (P 1) |");
    }
}
