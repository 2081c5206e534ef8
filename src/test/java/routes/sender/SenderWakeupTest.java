package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.component.seda.SedaEndpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import routes.support.CameraClient;
import routes.support.GironaService;
import routes.support.InProcessService;
import routes.support.LogCapture;
import routes.support.TestDb;

/**
 * The sender is woken by the commit that queued a reading (PostgreSQL LISTEN/NOTIFY), not by its poll: with a poll
 * interval of an hour, readings are still delivered, including after the listening connection was killed (it
 * reconnects, and looks at the queue once on reconnecting). Real service, real PostgreSQL, real signed sends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SenderWakeupTest {

    @RegisterExtension
    final GironaService girona = new GironaService("wakeup", 25711, 25712, 25713);

    private final HikariDataSource db = girona.db();

    @BeforeEach
    void cleanSlate() throws Exception {
        girona.reset(null);
        girona.camera("WAKE01");
    }

    private Map<String, String> settings() {
        // An hour: only a notification (or the first round, at start) can start a round during the test.
        return girona.settings("wakeup", "SENDER_POLL_INTERVAL_SECONDS", "3600");
    }

    private String reading(String plate) {
        return girona.reading("WAKE01", plate);
    }

    @Test
    void aQueuedReadingWakesTheSenderLongBeforeItsPoll() throws Exception {
        try (InProcessService service = InProcessService.start(settings(), "ingest,sender");
                CameraClient camera = new CameraClient(girona.tcpPort())) {
            for (int i = 0; i < 3; i++) {
                camera.send(reading("500" + i + "WAK"));
                int expected = i + 1;
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> girona.sandbox().received().size() == expected);
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> TestDb.count(db, "SELECT count(*) FROM alpr_readings") == 0);
        }
    }

    @Test
    void theWorkersLookAtTheQueueWithinAQuarterOfASecondOfCamelsStart() throws Exception {
        // camel-seda's consumers sleep min(pollTimeout, 1 s) while Camel is starting: with the default, the readings
        // claimed by the first round, at start, waited a second before their send began.
        try (InProcessService service = InProcessService.start(settings(), "ingest,sender")) {
            SedaEndpoint workers =
                    (SedaEndpoint) service.context().getRoute("sender-workers").getEndpoint();
            assertThat(workers.getPollTimeout()).isLessThanOrEqualTo(250);
        }
    }

    @Test
    void aKilledListeningConnectionReconnectsAndLooksAtTheQueueOnce() throws Exception {
        try (InProcessService service = InProcessService.start(settings(), "ingest,sender");
                LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(girona.tcpPort())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> listeners() == 1);
            TestDb.execute(
                    db,
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            + " WHERE application_name = 'tattile-sender queue notifications'");
            // Queued while nobody listens: found by the look at the queue on reconnecting.
            camera.send(reading("6000KIL"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> girona.sandbox().received().size() == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> listeners() == 1);
            camera.send(reading("6001KIL"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> girona.sandbox().received().size() == 2);
            assertThat(logs.linesContaining("Sin avisos de lecturas nuevas")).hasSize(1);
        }
    }

    private long listeners() throws Exception {
        return TestDb.count(
                db,
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tattile-sender queue notifications'"
                        + " AND datname = current_database()");
    }
}
