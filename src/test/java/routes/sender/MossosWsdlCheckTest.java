package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
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
 * The sender's CXF client is made at its first send, so the camera port listens sooner; the WSDL is read once as soon
 * as Camel has started. An unusable MOSSOS_WSDL_URL is one clear line at start, and the service keeps storing readings
 * and retrying their sends (it used to stop the whole service, ingest included, at start).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MossosWsdlCheckTest {

    /** Nothing listens on port 1; the URL's password must not reach the log. */
    private static final String MISSING_WSDL = "http://tattile:s3cret@127.0.0.1:1/matricules.wsdl";

    @RegisterExtension
    final GironaService girona = new GironaService("wsdl", 25861, 25862, 25863);

    private final HikariDataSource db = girona.db();

    @BeforeEach
    void cleanSlate() throws Exception {
        girona.reset(null);
        girona.camera("WSDL01");
    }

    @Test
    void anUnusableWsdlIsOneClearLineAtStartAndReadingsAreStoredAndRetriedNotLost() throws Exception {
        try (LogCapture logs = new LogCapture();
                InProcessService service = InProcessService.start(
                        girona.settings("wsdl", "MOSSOS_WSDL_URL", MISSING_WSDL), "ingest,sender");
                CameraClient camera = new CameraClient(girona.tcpPort())) {
            String line = "[SENDER] El WSDL de Mossos (http://***@127.0.0.1:1/matricules.wsdl) no se puede usar";
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !logs.linesContaining(line).isEmpty());

            camera.send(girona.reading("WSDL01", "7001WSD"));

            // Its send failed on the WSDL and is due again: FAILED, not DEAD, nothing delivered, the reading kept.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> TestDb.count(db, "SELECT count(*) FROM messages_queue WHERE status = 'FAILED'") == 1);
            assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue WHERE status = 'DEAD'"))
                    .isZero();
            assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings WHERE plate = '7001WSD'"))
                    .isEqualTo(1);
            assertThat(girona.sandbox().received()).isEmpty();
            assertThat(logs.linesContaining(line)).hasSize(1);
            assertThat(logs.linesContaining("s3cret")).isEmpty();
        }
    }

    @Test
    void aUsableWsdlIsReadAtStartWithoutAnErrorAndReadingsAreDelivered() throws Exception {
        try (LogCapture logs = new LogCapture();
                InProcessService service = InProcessService.start(girona.settings("wsdl"), "ingest,sender");
                CameraClient camera = new CameraClient(girona.tcpPort())) {
            // Started once Camel had started, so before start() returned: gone means done.
            await().atMost(Duration.ofSeconds(30)).until(() -> !checkRunning());
            camera.send(girona.reading("WSDL01", "7002WSD"));

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> girona.sandbox().received().size() == 1);
            assertThat(logs.linesContaining("no se puede usar")).isEmpty();
            // CXF's own lines about reading the WSDL quote its URL: pinned to WARN.
            assertThat(logs.linesContaining("from WSDL")).isEmpty();
        }
    }

    private static boolean checkRunning() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("mossos-wsdl-check") && t.isAlive());
    }
}
