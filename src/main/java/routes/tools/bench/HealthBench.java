package routes.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import routes.store.ApiKeyRepository;
import routes.store.QueueAdminRepository;

/**
 * {@code GET /health} with a large queue: the bench database filled with R queued readings (SQL only, no image
 * files) in a realistic mix of statuses, the service started with the api flow alone, and N requests from C
 * clients with a READ_ONLY key. Reports the latency percentiles, how many distinct reports were computed (each
 * carries {@code computed_at}), the cost of one uncached computation ({@link QueueAdminRepository#overview()}
 * timed against the database) next to the old way (exact counts), and EXPLAIN (ANALYZE, BUFFERS) of every
 * statement the overview runs, flagging any that reads most of {@code messages_queue} or {@code alpr_readings}.
 * Last, the same overview figures with "retries ahead": the older PENDING rows turned into due FAILED rows, as
 * after an incident in which every reading was refused once and the sender is behind.
 */
final class HealthBench {

    /** What to run. */
    record Plan(
            int rows,
            int requests,
            int warmup,
            int concurrency,
            double rate,
            int cacheSeconds,
            int timings,
            int runs) {}

    /** One statement as the code under test prepared it, with the parameters it set. */
    record Recorded(String sql, Map<Integer, Object> parameters) {}

    /** The old /health: an exact count by status and of the readings, on every call. */
    static final List<String> OLD_COUNT = List.of(
            "SELECT status, count(*) FROM messages_queue GROUP BY status", "SELECT count(*) FROM alpr_readings");

    /** Tables a health check must never read whole at this size. */
    private static final List<String> LARGE_TABLES = List.of("messages_queue", "alpr_readings");

    /** Share of a table's rows read by one statement from which it counts as a full scan. */
    private static final double FULL_SCAN_SHARE = 0.5;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchEnvironment env;
    private final List<String> jvmOptions;
    private final int apiPort;
    private final Map<String, String> settings;

    HealthBench(BenchEnvironment env, List<String> jvmOptions, int apiPort, Map<String, String> settings) {
        this.env = env;
        this.jvmOptions = jvmOptions;
        this.apiPort = apiPort;
        this.settings = settings;
    }

    Map<String, Object> run(Plan plan) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "health");
        result.put("plan", plan);
        result.put("loadAverageAtStart", loadAverage());
        result.put("fill", fill(plan.rows()));
        QueueAdminRepository repo = new QueueAdminRepository(env.db());
        result.put("overview", overviewFigures(repo, plan.timings(), true));

        env.execute("DELETE FROM api_keys WHERE name LIKE 'bench-%'");
        String key = new ApiKeyRepository(env.db()).create("bench-health-" + System.currentTimeMillis(), "READ_ONLY");
        Map<String, String> service = new LinkedHashMap<>(settings);
        service.putIfAbsent("API_PORT", String.valueOf(apiPort));
        service.putIfAbsent("API_BIND_HOST", "127.0.0.1");
        service.putIfAbsent("API_HEALTH_CACHE_SECONDS", String.valueOf(plan.cacheSeconds()));
        // The bench measures /health, not the per-key and per-address limits (600 and 1,200 a minute by default).
        service.putIfAbsent("API_RATE_LIMIT_PER_MINUTE", "10000000");
        service.putIfAbsent("API_IP_RATE_LIMIT_PER_MINUTE", "10000000");
        service.putIfAbsent("SENDER_ENABLED", "false");
        try (ServiceProcess p = ServiceProcess.start(
                jvmOptions,
                env.serviceEnvironment("api", 0, service),
                env.workDir().resolve("service-api.log"),
                apiPort)) {
            result.put("startupMillis", p.startupMillis());
            HttpClient client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/health"))
                    .header("X-API-Key", key)
                    .timeout(Duration.ofSeconds(30))
                    .GET()
                    .build();
            if (plan.warmup() > 0) {
                result.put("warmup", measure(client, request, p, plan.warmup(), plan));
            }
            List<Map<String, Object>> runs = new ArrayList<>();
            for (int r = 0; r < plan.runs(); r++) {
                runs.add(measure(client, request, p, plan.requests(), plan));
            }
            result.put("runs", runs);
            result.put("summary", summary(runs));
            result.put("loadAverageAfterRuns", loadAverage());
        }
        result.put("retriesAhead", retriesAhead(repo, plan));
        // 1.3 GB at 1 M rows: not left behind for the next benchmark or the next bench.sh.
        env.clearReadings();
        env.execute("DELETE FROM api_keys WHERE name LIKE 'bench-%'");
        return result;
    }

    /**
     * {@code rows} readings of the ten bench cameras over the last day, each queued: 2 % DEAD, 5 % FAILED (due
     * again 10–30 minutes after they were queued), 0.1 % SENDING (leased now), the rest PENDING (due since they
     * were queued). The state follows the reading's rank, spread by a step coprime with 1000, so each block of 1,000
     * readings holds exactly those shares (a hash of the random id left 3,000 rows without a SENDING row 1 run in 20).
     * Rows only: nothing here reads an image. Then VACUUM ANALYZE, which autovacuum would do.
     */
    private Map<String, Object> fill(int rows) throws Exception {
        long t0 = System.nanoTime();
        env.reset(10);
        env.execute("""
                INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, device_name, direction, lane_id, lane_descr, ocr_score,
                    country_code, country, bbox_min_x, bbox_min_y, bbox_max_x, bbox_max_y, char_height, has_image_ocr, has_image_ctx,
                    image_ocr_path, image_ctx_path, raw_xml, camera_id, received_at)
                SELECT gen_random_uuid(), p.plate, t.at, c.serial_number, 'Acceso Norte', 'APPROACH', 1, 'Carril derecho', 91.5, 'ESP',
                    'España', 812, 640, 1010, 688, 31, true, true,
                    c.serial_number || '/' || p.plate || '/' || g || '-ocr.jpg', c.serial_number || '/' || p.plate || '/' || g || '-ctx.jpg',
                    '<?xml version=''1.0'' encoding=''UTF-8'' standalone=''no''?>' || chr(10) || '<root>' || chr(10) || '<ID>' || g
                      || '</ID>' || chr(10) || '<PLATE_STRING>' || p.plate || '</PLATE_STRING>' || chr(10)
                      || '<PLATE_COUNTRY_CODE>ESP</PLATE_COUNTRY_CODE>' || chr(10) || '<PLATE_COUNTRY>España</PLATE_COUNTRY>' || chr(10)
                      || '<OCRSCORE>91</OCRSCORE>' || chr(10) || '<DATE>' || to_char(t.at, 'YYYY-MM-DD') || '</DATE>' || chr(10)
                      || '<TIME>' || to_char(t.at, 'HH24-MI-SS-MS') || '</TIME>' || chr(10) || '<DEVICE_SN>' || c.serial_number
                      || '</DEVICE_SN>' || chr(10) || '<DEVICE_NAME>Acceso Norte</DEVICE_NAME>' || chr(10)
                      || '<DIRECTION>APPROACH</DIRECTION>' || chr(10) || '<LANE_ID>1</LANE_ID>' || chr(10)
                      || '<LANE_DESCR>Carril derecho</LANE_DESCR>' || chr(10) || '<ORIG_PLATE_MIN_X>812</ORIG_PLATE_MIN_X>' || chr(10)
                      || '<ORIG_PLATE_MIN_Y>640</ORIG_PLATE_MIN_Y>' || chr(10) || '<ORIG_PLATE_MAX_X>1010</ORIG_PLATE_MAX_X>' || chr(10)
                      || '<ORIG_PLATE_MAX_Y>688</ORIG_PLATE_MAX_Y>' || chr(10) || '<PLATE_CHAR_HEIGHT>31</PLATE_CHAR_HEIGHT>' || chr(10)
                      || '<IMAGE_OCR>20480</IMAGE_OCR>' || chr(10) || '<IMAGE_CTX>61440</IMAGE_CTX>' || chr(10) || '</root>',
                    c.id, t.at + interval '150 milliseconds'
                FROM generate_series(1, %d) g
                  CROSS JOIN LATERAL (SELECT now() - interval '1 day' + g * (interval '1 day' / %d) AS at) t
                  CROSS JOIN LATERAL (SELECT lpad((g %% 10000)::text, 4, '0') || chr(66 + (g / 10000) %% 20)
                                             || chr(66 + (g / 200000) %% 20) || 'Z' AS plate) p
                  JOIN (SELECT id, serial_number, row_number() OVER (ORDER BY serial_number) - 1 AS n FROM cameras) c ON c.n = g %% 10
                """.formatted(rows, rows));
        long t1 = System.nanoTime();
        env.execute("""
                INSERT INTO messages_queue (reading_id, status, attempts, last_error, next_attempt_at, locked_until, locked_by,
                    created_at, updated_at)
                SELECT r.id, s.status,
                       CASE s.status WHEN 'FAILED' THEN 1 + s.k % 3 WHEN 'DEAD' THEN 5 ELSE 0 END,
                       CASE s.status WHEN 'FAILED' THEN 'HTTP_503' WHEN 'DEAD' THEN 'CODI_RETORN_2' END,
                       CASE s.status WHEN 'FAILED' THEN r.received_at + (1 + s.k % 3) * interval '10 minutes' ELSE r.received_at END,
                       CASE s.status WHEN 'SENDING' THEN now() + interval '120 seconds' END,
                       CASE s.status WHEN 'SENDING' THEN 'bench' END,
                       r.received_at,
                       CASE s.status WHEN 'PENDING' THEN r.received_at ELSE r.received_at + interval '1 minute' END
                FROM (SELECT a.id, a.received_at, row_number() OVER (ORDER BY a.received_at, a.id) AS n FROM alpr_readings a) r
                  CROSS JOIN LATERAL (SELECT (r.n * 389) % 1000 AS k) h
                  CROSS JOIN LATERAL (SELECT h.k AS k, CASE WHEN h.k < 20 THEN 'DEAD' WHEN h.k < 70 THEN 'FAILED'
                                                            WHEN h.k < 71 THEN 'SENDING' ELSE 'PENDING' END AS status) s
                ORDER BY r.received_at""");
        long t2 = System.nanoTime();
        env.execute("VACUUM ANALYZE alpr_readings");
        env.execute("VACUUM ANALYZE messages_queue");
        long t3 = System.nanoTime();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", rows);
        m.put("byStatus", new QueueAdminRepository(env.db()).countsByStatus());
        m.put("readingsSeconds", Stats.round((t1 - t0) / 1e9));
        m.put("queueSeconds", Stats.round((t2 - t1) / 1e9));
        m.put("vacuumAnalyzeSeconds", Stats.round((t3 - t2) / 1e9));
        m.put("totalSeconds", Stats.round((t3 - t0) / 1e9));
        m.put(
                "tableMb",
                Map.of("alpr_readings", megabytes("alpr_readings"), "messages_queue", megabytes("messages_queue")));
        return m;
    }

    private double megabytes(String table) throws Exception {
        return Stats.round(env.count("SELECT pg_total_relation_size('" + table + "')") / 1048576.0);
    }

    /**
     * One uncached computation ({@code overview()}, as /health makes it once per cache period) and the old exact
     * counts, each timed {@code timings} times in turn after one untimed call, with its own pool connection; and
     * EXPLAIN of every statement of each.
     */
    private Map<String, Object> overviewFigures(QueueAdminRepository repo, int timings, boolean withOldCount)
            throws Exception {
        repo.overview();
        if (withOldCount) {
            oldCount();
        }
        List<Double> overview = new ArrayList<>();
        List<Double> old = new ArrayList<>();
        for (int i = 0; i < timings; i++) {
            long t = System.nanoTime();
            repo.overview();
            overview.add((System.nanoTime() - t) / 1e6);
            if (withOldCount) {
                t = System.nanoTime();
                oldCount();
                old.add((System.nanoTime() - t) / 1e6);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uncachedOverviewMs", Stats.overRuns(overview));
        List<Map<String, Object>> plans = explain(recordOverview());
        m.put("overviewStatements", plans);
        m.put("overviewFullScans", fullScans(plans));
        if (withOldCount) {
            Map<String, Double> oldMs = Stats.overRuns(old);
            m.put("oldCountMs", oldMs);
            m.put(
                    "oldCountOverOverview",
                    Stats.round(oldMs.get("median") / Stats.overRuns(overview).get("median")));
            List<Map<String, Object>> oldPlans = explain(
                    OLD_COUNT.stream().map(s -> new Recorded(s, Map.of())).toList());
            m.put("oldCountStatements", oldPlans);
            m.put("oldCountFullScans", fullScans(oldPlans));
        }
        return m;
    }

    private void oldCount() throws Exception {
        try (Connection c = env.db().getConnection();
                Statement s = c.createStatement()) {
            for (String sql : OLD_COUNT) {
                try (ResultSet rs = s.executeQuery(sql)) {
                    while (rs.next()) {
                        rs.getLong(rs.getMetaData().getColumnCount());
                    }
                }
            }
        }
    }

    /** The statements {@code overview()} prepares now, recorded through a proxy of the pool. */
    private List<Recorded> recordOverview() throws Exception {
        List<Recorded> out = new ArrayList<>();
        new QueueAdminRepository(recording(env.db(), out)).overview();
        return out;
    }

    /** EXPLAIN (ANALYZE, BUFFERS) of each statement: time, buffers, and the rows it read of each large table. */
    private List<Map<String, Object>> explain(List<Recorded> statements) throws Exception {
        Map<String, Long> tableRows = new LinkedHashMap<>();
        for (String t : LARGE_TABLES) {
            tableRows.put(
                    t,
                    env.count("SELECT coalesce(max(n_live_tup), 0) FROM pg_stat_user_tables WHERE relname = '" + t
                            + "' AND schemaname = current_schema()"));
        }
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = env.db().getConnection()) {
            for (Recorded st : statements) {
                JsonNode plan;
                try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + st.sql())) {
                    for (var p : st.parameters().entrySet()) {
                        ps.setObject(p.getKey(), p.getValue());
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        plan = JSON.readTree(rs.getString(1)).get(0);
                    }
                }
                JsonNode root = plan.path("Plan");
                Map<String, Long> read = new TreeMap<>();
                Map<String, List<String>> nodes = new TreeMap<>();
                walk(root, read, nodes);
                boolean full = false;
                for (var e : read.entrySet()) {
                    long rows = tableRows.getOrDefault(e.getKey(), 0L);
                    full |= rows > 0 && e.getValue() >= FULL_SCAN_SHARE * rows;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("statement", st.sql().strip().replaceAll("\\s+", " "));
                m.put("executionMs", Stats.round(plan.path("Execution Time").asDouble()));
                m.put(
                        "sharedBuffers",
                        root.path("Shared Hit Blocks").asLong()
                                + root.path("Shared Read Blocks").asLong());
                m.put("rowsRead", read);
                m.put("scans", nodes);
                m.put("fullScan", full);
                out.add(m);
            }
        }
        return out;
    }

    /** Rows each node on a large table read (returned plus filtered out, over all loops and workers) and its node type. */
    private static void walk(JsonNode node, Map<String, Long> read, Map<String, List<String>> nodes) {
        String relation = node.path("Relation Name").asText("");
        if (LARGE_TABLES.contains(relation)) {
            double perLoop = node.path("Actual Rows").asDouble()
                    + node.path("Rows Removed by Filter").asDouble()
                    + node.path("Rows Removed by Index Recheck").asDouble();
            read.merge(
                    relation,
                    Math.round(perLoop * Math.max(1, node.path("Actual Loops").asDouble())),
                    Long::sum);
            String type = node.path("Node Type").asText()
                    + (node.has("Index Name")
                            ? " using " + node.path("Index Name").asText()
                            : "");
            nodes.computeIfAbsent(relation, k -> new ArrayList<>()).add(type);
        }
        for (JsonNode child : node.path("Plans")) {
            walk(child, read, nodes);
        }
    }

    private static List<String> fullScans(List<Map<String, Object>> plans) {
        return plans.stream()
                .filter(p -> Boolean.TRUE.equals(p.get("fullScan")))
                .map(p -> (String) p.get("statement"))
                .toList();
    }

    /**
     * The overview again after an incident: the older 90 % of the PENDING rows were tried once, refused and are due
     * again (FAILED, due when they were queued), so they sit ahead of every PENDING row in the due index.
     */
    private Map<String, Object> retriesAhead(QueueAdminRepository repo, Plan plan) throws Exception {
        long pending = env.count("SELECT count(*) FROM messages_queue WHERE status = 'PENDING'");
        long t0 = System.nanoTime();
        env.execute("""
                UPDATE messages_queue SET status = 'FAILED', attempts = 1, last_error = 'HTTP_503', updated_at = now()
                WHERE status = 'PENDING' AND next_attempt_at < (
                    SELECT percentile_disc(0.9) WITHIN GROUP (ORDER BY next_attempt_at) FROM messages_queue WHERE status = 'PENDING')""");
        env.execute("VACUUM ANALYZE messages_queue");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pendingBefore", pending);
        m.put("byStatus", repo.countsByStatus());
        m.put("updateSeconds", Stats.round((System.nanoTime() - t0) / 1e9));
        m.putAll(overviewFigures(repo, plan.timings(), false));
        return m;
    }

    /** The machine's 1, 5 and 15 minute load averages: the service, PostgreSQL and the clients share its cores. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** {@code requests} GETs from {@code concurrency} clients, paced at {@code rate} a second in all (0: as fast as answered). */
    private Map<String, Object> measure(
            HttpClient client, HttpRequest request, ServiceProcess service, int requests, Plan plan) throws Exception {
        double[] ms = new double[requests];
        int[] status = new int[requests];
        String[] computedAt = new String[requests];
        AtomicInteger next = new AtomicInteger();
        service.stats().mark();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(plan.concurrency());
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < plan.concurrency(); w++) {
                workers.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < requests) {
                        if (plan.rate() > 0) {
                            long wait = start + (long) (i * 1e9 / plan.rate()) - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            }
                        }
                        long t = System.nanoTime();
                        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        ms[i] = (System.nanoTime() - t) / 1e6;
                        status[i] = response.statusCode();
                        if (response.statusCode() == 200) {
                            computedAt[i] = JSON.readTree(response.body())
                                    .path("computed_at")
                                    .asText(null);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        var usage = service.stats().sinceMark();
        Map<Integer, Integer> byStatus = new TreeMap<>();
        Arrays.stream(status).forEach(s -> byStatus.merge(s, 1, Integer::sum));
        TreeSet<Instant> computations = new TreeSet<>();
        Arrays.stream(computedAt).filter(a -> a != null).forEach(a -> computations.add(Instant.parse(a)));
        Double minGap = null;
        Instant previous = null;
        for (Instant at : computations) {
            if (previous != null) {
                double gap = Duration.between(previous, at).toNanos() / 1e9;
                minGap = minGap == null ? gap : Math.min(minGap, gap);
            }
            previous = at;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        Map<String, Double> latency = new LinkedHashMap<>();
        latency.put("p50", Stats.round(Stats.rank(sorted, 0.50)));
        latency.put("p90", Stats.round(Stats.rank(sorted, 0.90)));
        latency.put("p99", Stats.round(Stats.rank(sorted, 0.99)));
        latency.put("max", Stats.round(sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", requests);
        m.put("byHttpStatus", byStatus);
        m.put("seconds", Stats.round(seconds));
        m.put("requestsPerSecond", Stats.round(requests / seconds));
        m.put("latencyMs", latency);
        m.put("computations", computations.size());
        m.put("minSecondsBetweenComputations", minGap == null ? null : Stats.round(minGap));
        m.put("cacheSeconds", plan.cacheSeconds());
        m.put("serviceCpuCores", Stats.round(usage.cores()));
        m.put("serviceCpuMsPerRequest", Stats.round(usage.cpuSeconds() * 1000 / requests));
        m.put("servicePeakRssMb", Stats.round(usage.peakRssBytes() / 1048576.0));
        return m;
    }

    private static Map<String, Object> summary(List<Map<String, Object>> runs) {
        Map<String, Object> s = new LinkedHashMap<>();
        for (String p : List.of("p50", "p90", "p99", "max")) {
            s.put("latency" + p.toUpperCase() + "Ms", Stats.quantileOverRuns(runs, "latencyMs", p));
        }
        s.put("computations", Stats.figureOverRuns(runs, "computations"));
        s.put("serviceCpuMsPerRequest", Stats.figureOverRuns(runs, "serviceCpuMsPerRequest"));
        return s;
    }

    /** The pool, recording each statement prepared on its connections and the parameters then set on it. */
    static DataSource recording(DataSource target, List<Recorded> out) {
        return proxy(
                DataSource.class,
                target,
                (method, args, result) -> method.getName().equals("getConnection")
                        ? proxy(Connection.class, (Connection) result, (m, a, r) -> {
                            if (m.getName().equals("prepareStatement") && r instanceof PreparedStatement ps) {
                                Recorded st = new Recorded((String) a[0], new TreeMap<>());
                                out.add(st);
                                return proxy(PreparedStatement.class, ps, (pm, pa, pr) -> {
                                    if (pm.getName().startsWith("set")
                                            && pa != null
                                            && pa.length >= 2
                                            && pa[0] instanceof Integer i) {
                                        st.parameters().put(i, pa[1]);
                                    }
                                    return pr;
                                });
                            }
                            return r;
                        })
                        : result);
    }

    /** What a proxy does with each call's result. */
    private interface After {
        Object apply(Method method, Object[] args, Object result) throws Exception;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T target, After after) {
        return (T) Proxy.newProxyInstance(
                HealthBench.class.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    return after.apply(method, args, result);
                });
    }
}
