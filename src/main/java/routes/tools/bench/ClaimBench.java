package routes.tools.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Claim scaling: the sender's own claim statement (read from sender.yaml) timed with 10 k, 100 k and 1 M
 * readings queued. Each claim commits, as the sender's does, so successive claims see the rows it leased.
 */
final class ClaimBench {

    /** What to run. */
    record Plan(List<Integer> queued, int claims, int runs) {}

    private final BenchEnvironment env;

    ClaimBench(BenchEnvironment env) {
        this.env = env;
    }

    Map<String, Object> run(Plan plan) throws Exception {
        String claim = claimStatement(50, 120);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "claim");
        result.put("plan", plan);
        result.put("batchSize", 50);
        Map<String, Object> bySize = new LinkedHashMap<>();
        Double smallest = null;
        Double largest = null;
        for (int queued : plan.queued()) {
            List<Map<String, Object>> runs = new ArrayList<>();
            for (int r = 0; r < plan.runs(); r++) {
                fill(queued);
                runs.add(time(claim, plan.claims()));
            }
            Map<String, Object> size = new LinkedHashMap<>();
            size.put("runs", runs);
            var p50 = Stats.overRuns(
                    runs.stream().map(m -> (Double) m.get("p50Ms")).toList());
            size.put("claimP50Ms", p50);
            size.put(
                    "claimP95Ms",
                    Stats.overRuns(
                            runs.stream().map(m -> (Double) m.get("p95Ms")).toList()));
            bySize.put(String.valueOf(queued), size);
            if (smallest == null) {
                smallest = p50.get("median");
            }
            largest = p50.get("median");
        }
        result.put("queued", bySize);
        result.put(
                "largestOverSmallestP50", smallest == null || smallest == 0 ? null : Stats.round(largest / smallest));
        return result;
    }

    /** {@code queued} PENDING readings (rows only: a claim reads no file), due now, in a fresh database. */
    private void fill(int queued) throws Exception {
        env.reset(1);
        env.execute("""
                INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, has_image_ocr, has_image_ctx, camera_id)
                SELECT gen_random_uuid(), 'P' || g, now() - interval '1 day' + g * interval '1 millisecond', '%s', false, false,
                       (SELECT id FROM cameras WHERE serial_number = '%s')
                FROM generate_series(1, %d) g""".formatted(BenchEnvironment.serial(0), BenchEnvironment.serial(0), queued));
        env.execute("""
                INSERT INTO messages_queue (reading_id, status, next_attempt_at)
                SELECT id, 'PENDING', timestamp_utc FROM alpr_readings""");
        env.execute("VACUUM ANALYZE messages_queue");
        env.execute("VACUUM ANALYZE alpr_readings");
    }

    private Map<String, Object> time(String claim, int claims) throws Exception {
        double[] ms = new double[claims];
        int claimed = 0;
        try (Connection c = env.db().getConnection();
                PreparedStatement ps = c.prepareStatement(claim)) {
            c.setAutoCommit(true);
            for (int i = 0; i < claims; i++) {
                long t = System.nanoTime();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        claimed++;
                    }
                }
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        var p = Stats.percentiles(ms);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("claims", claims);
        m.put("rowsClaimed", claimed);
        m.put("p50Ms", p.get("p50"));
        m.put("p95Ms", p.get("p95"));
        m.put("maxMs", p.get("max"));
        return m;
    }

    /** The claim statement of sender.yaml's {@code claim-due-readings} step, with its placeholders filled in. */
    static String claimStatement(int batchSize, int leaseSeconds) throws IOException {
        String yaml;
        try (InputStream in = ClaimBench.class.getResourceAsStream("/camel/sender.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> lines = yaml.lines().toList();
        int step = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals("id: claim-due-readings")) {
                step = i;
                break;
            }
        }
        if (step < 0) {
            throw new IllegalStateException("sender.yaml has no claim-due-readings step");
        }
        StringBuilder sql = new StringBuilder();
        boolean inUri = false;
        for (int i = step + 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (!inUri) {
                inUri = line.startsWith("uri: >-");
                continue;
            }
            if (line.startsWith("parameters:")) {
                break;
            }
            sql.append(line).append('\n');
        }
        String text = sql.toString().strip();
        if (!text.startsWith("sql:")) {
            throw new IllegalStateException("claim-due-readings is not an sql: endpoint");
        }
        return text.substring(4)
                .replace("{{SENDER_MAX_BATCH_SIZE}}", String.valueOf(batchSize))
                .replace("{{SENDER_LEASE_SECONDS}}", String.valueOf(leaseSeconds))
                .replace(":#instance", "'bench'")
                .replace(":#claimLimit", String.valueOf(batchSize));
    }
}
