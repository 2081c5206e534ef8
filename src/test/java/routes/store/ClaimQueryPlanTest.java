package routes.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.support.TestDb;

/**
 * The sender's claim reads due rows through the partial index, not by scanning the queue: its cost
 * stays flat as the queue grows (the benchmark measures it at 10 k, 100 k and 1 M rows).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClaimQueryPlanTest {

    /** The row selection of the claim statement in sender.yaml (claim-due-readings). */
    private static final String CLAIM_SELECTION = """
            SELECT id FROM messages_queue
            WHERE status IN ('PENDING', 'FAILED') AND next_attempt_at <= now()
            ORDER BY next_attempt_at LIMIT 50
            FOR UPDATE SKIP LOCKED""";

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
        String plan = TestDb.explainAnalyze(db, CLAIM_SELECTION);
        assertThat(plan).as(plan).contains("Index Scan using messages_queue_due").doesNotContain("Seq Scan");
        assertThat(plan).containsPattern("Index Scan using messages_queue_due.*\\(actual time=[0-9.]+\\.\\.[0-9.]+ rows=50 ");
    }
}
