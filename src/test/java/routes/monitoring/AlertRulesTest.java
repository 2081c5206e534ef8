package routes.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The Prometheus alert rules shipped in {@code deploy/monitoring}: promtool accepts the rule file and its unit tests
 * pass (each alert fires on its cause and stays quiet otherwise), every alert carries what the operator reads (severity,
 * English and Spanish summary, description, the README section of its runbook), and the rules use only metric names
 * of the metrics contract. promtool comes from the Debian package {@code prometheus}, which {@code deploy/dev/test.sh}
 * installs: without it this test fails, it does not skip.
 */
class AlertRulesTest {

    private static final Path RULES = Path.of("deploy/monitoring/tattile-alerts.yml");
    private static final Path RULE_TESTS = Path.of("deploy/monitoring/tattile-alerts-test.yml");
    private static final Duration PROMTOOL_TIMEOUT = Duration.ofMinutes(2);

    /**
     * The service's metric names, as the metrics contract of issue 16 spells them (GET /metrics, README "Metrics"),
     * with what it says of the implementation: tattile_endpoint_name, and the delivery delay histogram's _max.
     */
    private static final Set<String> CONTRACT_METRICS = Set.of(
            "tattile_readings_received_total",
            "tattile_readings_duplicate_total",
            "tattile_readings_rejected_total",
            "tattile_queue_depth",
            "tattile_sends_total",
            "tattile_send_latency_seconds_bucket",
            "tattile_send_latency_seconds_sum",
            "tattile_send_latency_seconds_count",
            "tattile_endpoint_breaker_state",
            "tattile_api_errors_total",
            "tattile_camera_last_reading_timestamp_seconds",
            "tattile_camera_silent",
            "tattile_camera_expected_interval_seconds",
            "tattile_camera_readings_stored_total",
            "tattile_camera_readings_refused_total",
            "tattile_delivery_delay_seconds_bucket",
            "tattile_delivery_delay_seconds_sum",
            "tattile_delivery_delay_seconds_count",
            "tattile_delivery_delay_seconds_max",
            "tattile_queue_oldest_pending_age_seconds",
            "tattile_queue_dead",
            "tattile_endpoint_sends_total",
            "tattile_endpoint_name",
            "tattile_certificate_expiry_timestamp_seconds");

    private static final Pattern TATTILE_METRIC = Pattern.compile("\\btattile_[a-z0-9_]*[a-z0-9]");
    private static final Set<String> SEVERITIES = Set.of("warning", "critical");
    private static final String RUNBOOK_PREFIX = "README.md#alert-";

    @Test
    void promtoolAcceptsTheRuleFile() throws Exception {
        assertPromtoolSucceeds("check", "rules", RULES.toString());
    }

    @Test
    void everyAlertFiresOnItsCauseAndStaysQuietOtherwise() throws Exception {
        assertPromtoolSucceeds("test", "rules", RULE_TESTS.toString());
    }

    @Test
    void everyAlertTellsItsSeverityBothSummariesADescriptionAndItsReadmeRunbook() throws IOException {
        Map<String, Map<String, Object>> alerts = alerts();
        assertThat(alerts).isNotEmpty();
        List<String> problems = new ArrayList<>();
        alerts.forEach((name, rule) -> {
            if (!name.matches("Tattile[A-Z][A-Za-z0-9]*")) {
                problems.add(name + ": not a CamelCase name starting with Tattile");
            }
            Map<String, Object> labels = map(rule.get("labels"));
            if (!SEVERITIES.contains(String.valueOf(labels.get("severity")))) {
                problems.add(name + ": severity " + labels.get("severity") + " is not one of " + SEVERITIES);
            }
            Map<String, Object> annotations = map(rule.get("annotations"));
            for (String key : List.of("summary", "summary_es", "description")) {
                if (annotations.get(key) == null
                        || String.valueOf(annotations.get(key)).isBlank()) {
                    problems.add(name + ": no " + key);
                }
            }
            String runbook = RUNBOOK_PREFIX + name.toLowerCase(Locale.ROOT);
            if (!runbook.equals(annotations.get("runbook"))) {
                problems.add(name + ": runbook is " + annotations.get("runbook") + ", not " + runbook
                        + " (the anchor of the README heading \"#### Alert: " + name + "\")");
            }
        });
        assertThat(problems).as("alerts of %s", RULES).isEmpty();
    }

    @Test
    void theRulesUseOnlyMetricNamesOfTheContract() throws IOException {
        Set<String> used = new TreeSet<>();
        for (Map<String, Object> rule : alerts().values()) {
            Matcher m = TATTILE_METRIC.matcher(String.valueOf(rule.get("expr")));
            while (m.find()) {
                used.add(m.group());
            }
        }
        assertThat(used).as("tattile_* metrics in the expressions of %s", RULES).isNotEmpty();
        assertThat(used)
                .as("tattile_* metrics in %s that the metrics contract does not export", RULES)
                .isSubsetOf(CONTRACT_METRICS);
    }

    @Test
    void everyAlertHasAPromtoolCaseWhereItFiresAndOneWhereItStaysQuiet() throws IOException {
        Set<String> firing = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (Object test : list(map(yaml(RULE_TESTS)).get("tests"))) {
            for (Object check : list(map(test).get("alert_rule_test"))) {
                Map<String, Object> c = map(check);
                String alertname = String.valueOf(c.get("alertname"));
                (list(c.get("exp_alerts")).isEmpty() ? quiet : firing).add(alertname);
            }
        }
        Set<String> names = alerts().keySet();
        assertThat(names)
                .as("alerts of %s without a case where they fire", RULES)
                .allMatch(firing::contains);
        assertThat(names)
                .as("alerts of %s without a case where they stay quiet", RULES)
                .allMatch(quiet::contains);
        Set<String> tested = new TreeSet<>(firing);
        tested.addAll(quiet);
        assertThat(tested)
                .as("alert names in %s (a misspelt one passes as quiet)", RULE_TESTS)
                .isSubsetOf(names);
    }

    /** Runs promtool in the project directory and asserts it exits with 0, with its output in the message. */
    private static void assertPromtoolSucceeds(String... arguments) throws IOException, InterruptedException {
        Path promtool = promtool();
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(arguments));
        Path output = Files.createTempFile("promtool", ".txt");
        try {
            Process process = new ProcessBuilder(command)
                    .directory(new File(System.getProperty("user.dir")))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(PROMTOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("%s did not finish within %s:%n%s", command, PROMTOOL_TIMEOUT, read(output));
            }
            assertThat(process.exitValue())
                    .as("exit code of %s, which printed:%n%s", String.join(" ", command), read(output))
                    .isZero();
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** promtool from the PATH; fails the test (never skips it) where it is missing. */
    private static Path promtool() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, "promtool");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail(
                "promtool is not installed (not on the PATH %s): deploy/dev/test.sh installs it (Debian package"
                        + " prometheus)",
                path);
    }

    /** The alerting rules of the rule file's groups, by alert name, in file order. */
    static Map<String, Map<String, Object>> alerts() throws IOException {
        Map<String, Map<String, Object>> alerts = new LinkedHashMap<>();
        for (Object group : list(map(yaml(RULES)).get("groups"))) {
            for (Object rule : list(map(group).get("rules"))) {
                Map<String, Object> r = map(rule);
                if (r.containsKey("alert")) {
                    String name = String.valueOf(r.get("alert"));
                    assertThat(alerts.put(name, r))
                            .as("alert %s defined twice", name)
                            .isNull();
                }
            }
        }
        return alerts;
    }

    private static Object yaml(Path file) throws IOException {
        return new Load(LoadSettings.builder().build()).loadFromString(read(file));
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return node == null ? Map.of() : (Map<String, Object>) node;
    }

    private static List<?> list(Object node) {
        return node == null ? List.of() : (List<?>) node;
    }
}
