package routes.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import routes.support.CameraClient;
import routes.support.GironaService;
import routes.support.InProcessService;
import routes.support.TestDb;

/**
 * The shipped Grafana dashboard ({@code deploy/monitoring/tattile-dashboard.json}) is current Grafana's JSON (schema
 * version, datasource variable, every panel placed, titled and queried through that variable) and every query of it
 * asks for metrics the service really exports: the metric names of every panel and variable query are checked against
 * a scrape of a real service (ingest, sender, API) that stored, delivered and refused readings, with a watched silent
 * camera, a named endpoint, a certificate with an expiry and a DEAD row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardTest {

    static final Path DASHBOARD = Path.of("deploy/monitoring/tattile-dashboard.json");
    /** The scrape the names were checked against, kept for whoever reads a failure. */
    static final Path SCRAPE = Path.of("target/dashboard-scrape.txt");

    /** Grafana 11.0's schema; 11.x and 12.x import it (and migrate it forward when theirs is newer). */
    static final int MIN_SCHEMA_VERSION = 39;

    static final String DATASOURCE = "${datasource}";

    /** Where the metric names the dashboard may use come from: the service's own, Micrometer's JVM ones, Camel's. */
    static final Pattern METRIC_PREFIX = Pattern.compile("^(tattile_|jvm_|process_|system_|camel_)");

    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*[\\[{(])?");

    private final ObjectMapper json = new ObjectMapper();

    @RegisterExtension
    final GironaService girona = new GironaService("dashboard", 25850, 25851, 25852);

    private final HikariDataSource db = girona.db();

    @Test
    void theDashboardIsGrafanaJsonWithADatasourceVariableAndEveryPanelPlacedTitledAndQueried() throws Exception {
        JsonNode d = dashboard();
        assertThat(d.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(MIN_SCHEMA_VERSION);
        assertThat(d.path("description").asText())
                .as("the description states the schema version")
                .contains("schemaVersion " + d.path("schemaVersion").asInt());
        assertThat(d.path("uid").asText()).isEqualTo("tattile-sender");
        assertThat(d.path("title").asText()).isEqualTo("tattile-sender");
        assertThat(d.has("id") && !d.get("id").isNull())
                .as("no database id: Grafana assigns one on import")
                .isFalse();

        JsonNode datasource = variable(d, "datasource");
        assertThat(datasource.path("type").asText()).isEqualTo("datasource");
        assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
        JsonNode municipality = variable(d, "municipality");
        assertThat(municipality.path("type").asText()).isEqualTo("query");
        assertThat(variableQuery(municipality)).isEqualTo("label_values(tattile_camera_silent, municipality)");
        assertThat(municipality.path("multi").asBoolean()).isTrue();
        assertThat(municipality.path("includeAll").asBoolean()).isTrue();
        for (JsonNode v : d.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                assertThat(v.path("datasource").path("uid").asText())
                        .as("variable %s", v.path("name").asText())
                        .isEqualTo(DATASOURCE);
            }
        }

        List<JsonNode> panels = panels(d);
        assertThat(panels).hasSizeGreaterThan(15);
        Set<Integer> ids = new HashSet<>();
        for (JsonNode p : panels) {
            String title = p.path("title").asText();
            assertThat(title).as("every panel has a title: %s", p).isNotBlank();
            assertThat(ids.add(p.path("id").asInt(-1)))
                    .as("panel '%s' has an id no other panel has", title)
                    .isTrue();
            assertThat(p.path("id").isInt()).as("panel '%s' id", title).isTrue();
            JsonNode grid = p.path("gridPos");
            for (String field : List.of("x", "y", "w", "h")) {
                assertThat(grid.path(field).isInt())
                        .as("panel '%s' gridPos.%s", title, field)
                        .isTrue();
            }
            assertThat(grid.path("x").asInt() + grid.path("w").asInt())
                    .as("panel '%s' fits the 24 columns", title)
                    .isLessThanOrEqualTo(24);
            for (JsonNode other : panels) {
                assertThat(other != p && overlap(grid, other.path("gridPos")))
                        .as(
                                "panels '%s' and '%s' overlap",
                                title, other.path("title").asText())
                        .isFalse();
            }
            if (p.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(p.path("datasource").path("type").asText())
                    .as("panel '%s' datasource type", title)
                    .isEqualTo("prometheus");
            assertThat(p.path("datasource").path("uid").asText())
                    .as("panel '%s' datasource uid", title)
                    .isEqualTo(DATASOURCE);
            assertThat(p.path("targets").size())
                    .as("panel '%s' has queries", title)
                    .isPositive();
            for (JsonNode t : p.path("targets")) {
                assertThat(t.path("expr").asText())
                        .as("panel '%s' query %s", title, t.path("refId").asText())
                        .isNotBlank();
                assertThat(t.path("datasource").path("uid").asText())
                        .as(
                                "panel '%s' query %s datasource uid",
                                title, t.path("refId").asText())
                        .isEqualTo(DATASOURCE);
            }
        }
    }

    @Test
    void theMetricNameExtractionFindsNamesInSelectorsRangesAndBareInFunctionsButNotLabelsOrFunctions() {
        assertThat(metricNames("histogram_quantile(0.95, sum by (le) (rate(tattile_delivery_delay_seconds_bucket"
                        + "{municipality=~\"$municipality\"}[$__rate_interval])))"))
                .containsExactly("tattile_delivery_delay_seconds_bucket");
        assertThat(metricNames("max by (endpoint) (tattile_endpoint_breaker_state) * on(endpoint) group_left(name)"
                        + " topk by (endpoint) (1, tattile_endpoint_info) or label_replace(up{job=\"x\"}, \"name\", \"$1\","
                        + " \"endpoint\", \"(tattile_quoted_is_not_a_metric)\")"))
                .containsExactlyInAnyOrder("tattile_endpoint_breaker_state", "tattile_endpoint_info", "up");
        assertThat(metricNames("sum(rate(made_up_metric_total[5m])) / jvm_memory_used_bytes"))
                .as("any name used as a selector counts, whatever its prefix")
                .containsExactlyInAnyOrder("made_up_metric_total", "jvm_memory_used_bytes");
        assertThat(metricNames("label_values(tattile_camera_silent, municipality)"))
                .containsExactly("tattile_camera_silent");
    }

    @Test
    void everyPanelQueriesOnlyMetricsTheRunningServiceExports() throws Exception {
        Set<String> used = new TreeSet<>();
        for (String expr : queries(dashboard())) {
            used.addAll(metricNames(expr));
        }
        assertThat(used)
                .as("metric names found in the dashboard's queries (an extraction that finds nothing proves nothing)")
                .hasSizeGreaterThanOrEqualTo(12);

        Set<String> exported = exportedNames(busyScrape());
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported);
        assertThat(missing)
                .as("metrics the dashboard queries but the service does not export (scrape in %s)", SCRAPE)
                .isEmpty();
    }

    /**
     * The shipped alert rules, checked like the panels: every {@code tattile_*} metric their expressions read is one the
     * running service exports (node exporter's and Prometheus' own {@code up} come from elsewhere). A renamed metric
     * would leave an alert that can never fire, which promtool's unit tests cannot see: they feed the rules the names
     * the rules themselves use.
     */
    @Test
    void everyAlertRuleReadsOnlyTattileMetricsTheRunningServiceExports() throws Exception {
        Set<String> used = new TreeSet<>();
        for (Map<String, Object> rule : AlertRulesTest.alerts().values()) {
            metricNames(String.valueOf(rule.get("expr"))).stream()
                    .filter(name -> name.startsWith("tattile_"))
                    .forEach(used::add);
        }
        assertThat(used).as("tattile metrics found in the alert rules").hasSizeGreaterThanOrEqualTo(8);
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exportedNames(busyScrape()));
        assertThat(missing)
                .as("metrics the alert rules read but the service does not export (scrape in %s)", SCRAPE)
                .isEmpty();
    }

    private String busyScrape;

    /** {@link #scrapeOfABusyService()}, made once for the class's tests. */
    private String busyScrape() throws Exception {
        if (busyScrape == null) {
            busyScrape = scrapeOfABusyService();
        }
        return busyScrape;
    }

    /** A scrape of the service after it stored, delivered and refused readings, with every kind of gauge filled. */
    private String scrapeOfABusyService() throws Exception {
        girona.reset("mossos-sandbox");
        girona.cli()
                .ok(
                        "admin",
                        "camera",
                        "add",
                        "--serial",
                        "DASH01",
                        "--municipality",
                        "Girona",
                        "--expect-readings-within",
                        "1h");
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, municipality_id, expect_readings_within_seconds, last_reading_at)"
                        + " SELECT 'QUIET01', id, 3600, now() - interval '2 hours' FROM municipalities"
                        + " WHERE name = 'Girona'");
        TestDb.execute(
                db,
                "WITH r AS (INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, has_image_ocr,"
                        + " has_image_ctx, camera_id) SELECT gen_random_uuid(), 'DEAD1', now(), 'QUIET01', false,"
                        + " false, id FROM cameras WHERE serial_number = 'QUIET01' RETURNING id)"
                        + " INSERT INTO messages_queue (reading_id, status, last_error)"
                        + " SELECT id, 'DEAD', 'MAX_REINTENTOS_AGOTADOS' FROM r");

        try (InProcessService service = InProcessService.start(girona.settings("dashboard"), "ingest,sender,api");
                CameraClient camera = new CameraClient(girona.tcpPort())) {
            camera.send(girona.reading("DASH01", "5000DSH"));
            camera.send(girona.reading("NOBODY99", "5001DSH"));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> girona.sandbox().received().size() == 1);
            // The GC pause timer exists once the JVM reported a collection.
            System.gc();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                String m = girona.scrape();
                Files.createDirectories(SCRAPE.getParent());
                Files.writeString(SCRAPE, m);
                return m.contains("tattile_endpoint_sends_total{endpoint=\"mossos-sandbox\",municipality=\"Girona\","
                                + "outcome=\"DELIVERED\"} 1.0")
                        && m.contains("tattile_camera_readings_refused_total{municipality=\"none\","
                                + "reason=\"UNKNOWN_CAMERA\",serial=\"unregistered\"} 1.0")
                        && m.contains("tattile_delivery_delay_seconds_count{municipality=\"Girona\"} 1")
                        && m.contains("jvm_gc_pause_seconds_count");
            });
            String metrics = girona.scrape();
            Files.writeString(SCRAPE, metrics);
            return metrics;
        }
    }

    /** The metric names of a Prometheus text exposition: each sample line's name, before its labels or value. */
    static Set<String> exportedNames(String metrics) {
        Set<String> names = new HashSet<>();
        for (String line : metrics.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /**
     * The metric names a PromQL expression (or a Grafana {@code label_values(...)} query) selects. Strings and Grafana
     * variables are dropped first; then an identifier is a metric name when it is followed by a selector ({@code {}}
     * or a range {@code [..]}), whatever its name, or when it carries one of the exporters' prefixes (used bare, as in
     * {@code max(tattile_queue_depth)}). Functions, aggregations, keywords and label names are neither.
     */
    static Set<String> metricNames(String expr) {
        String code = VARIABLE.matcher(QUOTED.matcher(expr).replaceAll("\"\"")).replaceAll("0");
        // What stands between the braces of a selector is label matchers, not names: skipped once the name is taken.
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(code);
        int skipUntil = -1;
        while (m.find()) {
            if (m.start() < skipUntil) {
                continue;
            }
            String name = m.group(1);
            String next = m.group(2) == null ? "" : m.group(2).trim();
            if (next.equals("{")) {
                names.add(name);
                skipUntil = code.indexOf('}', m.end());
            } else if (next.equals("[")) {
                names.add(name);
            } else if (next.equals("(")) {
                continue; // a function, an aggregation, or a by/on/group_left label list
            } else if (METRIC_PREFIX.matcher(name).find()) {
                names.add(name);
            }
        }
        return names;
    }

    /** Whether two grid rectangles share a cell (Grafana would push one of them down). */
    private static boolean overlap(JsonNode a, JsonNode b) {
        return a.path("x").asInt() < b.path("x").asInt() + b.path("w").asInt()
                && b.path("x").asInt() < a.path("x").asInt() + a.path("w").asInt()
                && a.path("y").asInt() < b.path("y").asInt() + b.path("h").asInt()
                && b.path("y").asInt() < a.path("y").asInt() + a.path("h").asInt();
    }

    private JsonNode dashboard() throws Exception {
        return json.readTree(DASHBOARD.toFile());
    }

    /** Every panel, those nested in rows too. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            out.add(p);
            for (JsonNode nested : p.path("panels")) {
                out.add(nested);
            }
        }
        return out;
    }

    /** Every query of the dashboard: the panels' and the query variables'. */
    static List<String> queries(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : panels(dashboard)) {
            for (JsonNode t : p.path("targets")) {
                out.add(t.path("expr").asText());
            }
        }
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                out.add(variableQuery(v));
            }
        }
        return out;
    }

    private static JsonNode variable(JsonNode dashboard, String name) {
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no template variable " + name);
    }

    /** A query variable's query: a string in older dashboards, an object with {@code query} in current ones. */
    private static String variableQuery(JsonNode v) {
        JsonNode q = v.path("query");
        return q.isObject() ? q.path("query").asText() : q.asText();
    }
}
