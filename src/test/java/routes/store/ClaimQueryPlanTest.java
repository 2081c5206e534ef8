package routes.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import routes.config.Setting;
import routes.support.TestDb;

/**
 * The sender's claim reads due rows through the partial index, not by scanning the queue: its cost
 * stays flat as the queue grows (the benchmark measures it at 10 k, 100 k and 1 M rows).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClaimQueryPlanTest {

    private static final Path SENDER_ROUTES = Path.of("src/main/resources/camel/sender.yaml");
    private static final String CLAIM_STEP = "claim-due-readings";

    private final HikariDataSource db = TestDb.open();

    @BeforeAll
    void fillTheQueue() throws Exception {
        TestDb.reset(db);
        TestDb.camera(db, "PLAN01", null);
        // 100,000 readings: most already DEAD or waiting for a later retry, some due now.
        TestDb.execute(db, """
                INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, has_image_ocr, has_image_ctx, camera_id)
                SELECT gen_random_uuid(), 'P' || g, timestamp '2026-01-01' + g * interval '1 second', 'PLAN01', false, false,
                       (SELECT id FROM cameras WHERE serial_number = 'PLAN01')
                FROM generate_series(1, 100000) g;
                INSERT INTO messages_queue (reading_id, status, next_attempt_at)
                SELECT id, CASE WHEN random() < 0.6 THEN 'DEAD' WHEN random() < 0.5 THEN 'FAILED' ELSE 'PENDING' END,
                       now() + (random() * 2 - 1) * interval '1 day'
                FROM alpr_readings;
                ANALYZE messages_queue;
                """);
    }

    @AfterAll
    void cleanUp() throws Exception {
        TestDb.reset(db);
        db.close();
    }

    @Test
    void theClaimUsesThePartialIndexAndReadsOnlyWhatItReturns() throws Exception {
        String selection = claimSelection(Files.readString(SENDER_ROUTES));
        String plan = TestDb.explainAnalyze(db, selection);
        assertThat(plan)
                .as(selection + "\n" + plan)
                .contains("Index Scan using messages_queue_due")
                .doesNotContain("Seq Scan");
        assertThat(plan)
                .containsPattern("Index Scan using messages_queue_due.*\\(actual time=[0-9.]+\\.\\.[0-9.]+ rows=50 ");
    }

    /** The statement read is the one Camel runs: the same text as the endpoint URI of the route Camel loads. */
    @Test
    void theStatementReadIsTheOneCamelLoadsFromTheRoute() throws Exception {
        String uri = claimUri(Files.readString(SENDER_ROUTES));
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            PluginHelper.getRoutesLoader(camel)
                    .loadRoutes(ResourceHelper.resolveResource(camel, "file:" + SENDER_ROUTES));
            var step = ((ModelCamelContext) camel).getProcessorDefinition(CLAIM_STEP);
            assertThat(step).isInstanceOf(ToDefinition.class);
            // Camel appends the step's parameters (dataSource, outputType) as the URI's query.
            String loaded = ((ToDefinition) step).getUri();
            assertThat(loaded).contains("?dataSource=");
            assertThat(loaded.substring(0, loaded.lastIndexOf('?'))).isEqualTo(uri);
        }
        assertThat(claimSelection(Files.readString(SENDER_ROUTES)))
                .startsWith("SELECT id FROM messages_queue")
                .contains("LIMIT " + Setting.SENDER_MAX_BATCH_SIZE.defaultValue())
                .doesNotContain(":#", "{{");
    }

    /** An edit of the route's statement is what the plan test then checks (so this test cannot go stale). */
    @Test
    void anEditedStatementInTheRouteIsWhatGetsChecked() throws Exception {
        String routes = Files.readString(SENDER_ROUTES);
        assertThat(routes).contains("ORDER BY next_attempt_at LIMIT");
        String edited = routes.replace("ORDER BY next_attempt_at LIMIT", "ORDER BY created_at LIMIT");
        assertThat(claimSelection(edited)).contains("ORDER BY created_at").isNotEqualTo(claimSelection(routes));
        assertThat(claimSelection(routes.replace("LIMIT :#claimLimit", "LIMIT {{SENDER_LEASE_SECONDS}}")))
                .contains("LIMIT " + Setting.SENDER_LEASE_SECONDS.defaultValue());
    }

    /**
     * The claim's row selection — the sub-select of {@code WHERE q.id IN (...)} — with its parameters as the
     * route runs it by default: {@code :#claimLimit} is at most SENDER_MAX_BATCH_SIZE, {@code {{KEY}}} its default.
     */
    static String claimSelection(String senderYaml) {
        String uri = claimUri(senderYaml);
        int open = uri.indexOf("WHERE q.id IN (");
        assertThat(open)
                .as("the claim selects its rows in WHERE q.id IN (...): %s", uri)
                .isNotNegative();
        int start = open + "WHERE q.id IN (".length();
        int depth = 1;
        int end = start;
        for (; depth > 0; end++) {
            assertThat(end).as("unbalanced parentheses in %s", uri).isLessThan(uri.length());
            char c = uri.charAt(end);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        }
        String selection = uri.substring(start, end - 1)
                .strip()
                .replace(":#claimLimit", Setting.SENDER_MAX_BATCH_SIZE.defaultValue());
        Matcher placeholder = Pattern.compile("\\{\\{([A-Z0-9_]+)}}").matcher(selection);
        selection = placeholder.replaceAll(
                m -> Matcher.quoteReplacement(Setting.valueOf(m.group(1)).defaultValue()));
        assertThat(selection).as("parameters left unresolved").doesNotContain(":#", "{{");
        return selection;
    }

    /** The URI of the step with id claim-due-readings, as written in the route. */
    static String claimUri(String senderYaml) {
        Object routes = new Load(LoadSettings.builder().build()).loadFromString(senderYaml);
        Map<?, ?> step = find(routes)
                .orElseThrow(() -> new AssertionError("no step with id " + CLAIM_STEP + " in " + SENDER_ROUTES));
        String uri = (String) step.get("uri");
        assertThat(uri).startsWith("sql:");
        return uri;
    }

    private static Optional<Map<?, ?>> find(Object node) {
        if (node instanceof Map<?, ?> map) {
            if (CLAIM_STEP.equals(map.get("id"))) {
                return Optional.of(map);
            }
            return map.values().stream()
                    .map(ClaimQueryPlanTest::find)
                    .flatMap(Optional::stream)
                    .findFirst();
        }
        if (node instanceof List<?> list) {
            return list.stream()
                    .map(ClaimQueryPlanTest::find)
                    .flatMap(Optional::stream)
                    .findFirst();
        }
        return Optional.empty();
    }
}
