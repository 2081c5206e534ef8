package routes.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.support.TestDb;

/**
 * /health's oldest PENDING reading is one index entry away, even when most of the queue is due FAILED rows queued
 * before it (after an incident in which most readings were refused once): through the PENDING/FAILED due index it
 * stepped over every one of them (880,000 rows read with 1 M queued, measured by {@code bench health}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueueOverviewPlanTest {

    private final HikariDataSource db = TestDb.open();

    @BeforeAll
    void fillTheQueue() throws Exception {
        TestDb.reset(db);
        TestDb.camera(db, "PLAN02", null);
        // 20,000 readings queued over the last 20,000 s: the older 18,000 refused once and due again, the newer 2,000
        // PENDING (the oldest of them queued 2,000 s ago).
        TestDb.execute(db, """
                INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, has_image_ocr, has_image_ctx, camera_id)
                SELECT gen_random_uuid(), 'P' || g, now() - g * interval '1 second', 'PLAN02', false, false,
                       (SELECT id FROM cameras WHERE serial_number = 'PLAN02')
                FROM generate_series(1, 20000) g;
                INSERT INTO messages_queue (reading_id, status, attempts, last_error, next_attempt_at, created_at)
                SELECT id, CASE WHEN timestamp_utc < now() - interval '2000.5 seconds' THEN 'FAILED' ELSE 'PENDING' END,
                       CASE WHEN timestamp_utc < now() - interval '2000.5 seconds' THEN 1 ELSE 0 END,
                       CASE WHEN timestamp_utc < now() - interval '2000.5 seconds' THEN 'HTTP_503' END, timestamp_utc, timestamp_utc
                FROM alpr_readings;
                -- An open breaker postpones PENDING rows: the oldest one's next attempt is an hour ahead.
                UPDATE messages_queue SET next_attempt_at = now() + interval '1 hour'
                WHERE id = (SELECT id FROM messages_queue WHERE status = 'PENDING' ORDER BY created_at LIMIT 1);
                ANALYZE messages_queue;
                """);
    }

    @AfterAll
    void cleanUp() throws Exception {
        TestDb.reset(db);
        db.close();
    }

    @Test
    void theOldestPendingReadingIsReadFromThePendingIndexAlone() throws Exception {
        String plan = TestDb.explainAnalyze(db, QueueAdminRepository.OLDEST_PENDING);
        assertThat(plan)
                .as(plan)
                .containsPattern(
                        "Index (Only )?Scan using messages_queue_pending.*\\(actual time=[0-9.]+\\.\\.[0-9.]+ rows=1 ")
                .doesNotContain("Rows Removed by Filter")
                .doesNotContain("Seq Scan");
    }

    @Test
    void theOverviewGivesTheAgeOfTheOldestPendingReadingSinceItWasQueuedNotOfTheRetriesAheadOfItNorItsNextAttempt()
            throws Exception {
        Long age = new QueueAdminRepository(db).overview().oldestPendingAgeSeconds();

        assertThat(age).isBetween(1999L, 2060L);
    }
}
