package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import routes.config.Settings;
import routes.store.Database;
import routes.store.OutageLog;
import routes.support.CameraClient;
import routes.support.InProcessService;
import routes.support.LogCapture;
import routes.support.PrivatePostgres;
import routes.support.TestCertificates;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.MossosSandbox;
import routes.tools.SyntheticReadings;

/**
 * PostgreSQL stopped under an idle service (ingest, sender, maintenance, api): the sender polls every 100 ms, its lease
 * recovery and the maintenance jobs run several times, readiness is asked, and every one of those runs fails. Each flow
 * says so in one WARN line for the whole outage, never a stack trace, and one INFO line once it works again; then a
 * camera's reading is stored and delivered as before. Counts of lines and of failed runs, never elapsed time.
 */
class DatabaseOutageLogTest {

    static final int PG_PORT = 24813;
    static final int TCP_PORT = 24814;
    static final int API_PORT = 24815;
    static final int SANDBOX_PORT = 24816;
    static final String DB_NAME = "tattile_outage";
    static final String SERIAL = "OUTAGE01";
    static final Path IMAGES = Path.of("target/it-images/database-outage").toAbsolutePath();
    static final Path CERTS = Path.of("target/it-certs/database-outage").toAbsolutePath();
    /** Failed runs seen before PostgreSQL is started again: many polls, several of every other job. */
    static final int FAILED_POLLS = 30;

    static final int FAILED_RUNS = 3;
    static final List<String> FLOWS = List.of("INGEST", "SENDER", "MAINTENANCE", "API");

    private final SyntheticReadings synthetic = new SyntheticReadings(14, 2048, 4096);
    private final AtomicInteger sequence = new AtomicInteger();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aDatabaseOutageIsOneLinePerFlowNotAStackTracePerPoll() throws Exception {
        TestFiles.deleteTree(IMAGES);
        try (PrivatePostgres pg = PrivatePostgres.start(PG_PORT, DB_NAME);
                MossosSandbox sandbox = new MossosSandbox(SANDBOX_PORT, 4);
                HikariDataSource db =
                        Database.pool(Settings.from(dbSettings()::get).database(), "test-private")) {
            Database.migrate(db);
            TestCertificates.Generated cert = TestCertificates.generate(CERTS, "Ajuntament de Tall", 365, null);
            sandbox.trust(List.of(cert.certificate()));
            var certId = TestCertificates.registerPem(db, "tall", cert);
            TestDb.execute(db, "INSERT INTO municipalities (name, certificate_id) VALUES ('Tall', '" + certId + "')");
            TestDb.execute(
                    db,
                    "INSERT INTO cameras (serial_number, municipality_id) SELECT '" + SERIAL
                            + "', id FROM municipalities");

            Map<String, String> settings = new HashMap<>(dbSettings());
            settings.putAll(Map.of(
                    "TRANSIT_PORT",
                    String.valueOf(TCP_PORT),
                    "API_PORT",
                    String.valueOf(API_PORT),
                    "IMAGES_BASE_DIR",
                    IMAGES.toString(),
                    "CERTS_DIR",
                    CERTS.toString(),
                    "MOSSOS_ENDPOINT_URL",
                    sandbox.url(),
                    "SENDER_POLL_INTERVAL_SECONDS",
                    "0.1",
                    "SENDER_LEASE_SECONDS",
                    "10",
                    "SENDER_INSTANCE_ID",
                    "outage-test",
                    // A poll gives up on the pool quickly, so the outage is many failed polls.
                    "DB_CONNECT_TIMEOUT_MS",
                    "250",
                    "CAMERA_CACHE_SECONDS",
                    "1"));
            settings.putAll(Map.of("INGEST_MAX_AGE_DAYS", "3650", "JOLOKIA_PORT", "0"));

            try (Events events = new Events();
                    LogCapture logs = new LogCapture();
                    InProcessService service = InProcessService.start(settings, "ingest,sender,maintenance,api")) {
                OutageLog outages = service.bean("outageLog", OutageLog.class);
                ProducerTemplate template = service.context().createProducerTemplate();

                sendReading();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> sandbox.received().size() == 1); // every flow works
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> TestDb.count(db, "SELECT count(*) FROM messages_queue") == 0);
                assertThat(readiness()).isEqualTo(200);

                int before = events.size();
                long pollsFailedBefore = outages.failures("sender-poll");
                pg.stopServer();
                // Run every periodic job several times against the stopped database (the maintenance timer's first run
                // is
                // a minute away: its jobs are run the way it runs them); ask readiness as a load balancer would.
                for (int run = 1; run <= FAILED_RUNS; run++) {
                    template.sendBody("direct:maintenance-orphan-images", null);
                    template.sendBody("direct:maintenance-dead-retention", null);
                }
                // Readiness is cached for a moment: asked until the answer is the stopped database's.
                await().atMost(Duration.ofSeconds(30)).until(() -> readiness() == 503);
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> outages.failures("sender-poll") - pollsFailedBefore >= FAILED_POLLS
                                && outages.failures("sender-lease-recovery") >= FAILED_RUNS);
                List<ILoggingEvent> outage = events.since(before);
                assertThat(outages.failures("maintenance-dead-retention")).isGreaterThanOrEqualTo(FAILED_RUNS);

                System.out.printf(
                        "[database-outage] failed runs while stopped: sender-poll=%d sender-lease-recovery=%d "
                                + "maintenance-dead-retention=%d; WARN lines: sender=%d maintenance=%d%n",
                        outages.failures("sender-poll") - pollsFailedBefore,
                        outages.failures("sender-lease-recovery"),
                        outages.failures("maintenance-dead-retention"),
                        warnings(outage, "SENDER").size(),
                        warnings(outage, "MAINTENANCE").size());
                assertThat(warnings(outage, "SENDER"))
                        .as("the sender's lines for %d failed polls", FAILED_POLLS)
                        .hasSize(1)
                        .allMatch(l -> l.startsWith("[SENDER] Base de datos no disponible (sender-")
                                && l.endsWith("; se reintenta en cada ciclo, sin más avisos hasta que responda"));
                assertThat(warnings(outage, "MAINTENANCE"))
                        .as("maintenance's lines for %d failed runs", FAILED_RUNS)
                        .hasSize(1)
                        .allMatch(l -> l.startsWith(
                                "[MAINTENANCE] Base de datos no disponible (maintenance-dead-retention): "));
                assertThat(warnings(outage, "INGEST"))
                        .as("an idle ingest has nothing to say")
                        .isEmpty();
                assertThat(warnings(outage, "API"))
                        .as("readiness answers 503, silently")
                        .isEmpty();
                assertNoStackTrace(outage);
                assertThat(outage.stream()
                                .filter(e -> e.getLoggerName().startsWith("org.apache.camel")
                                        && e.getLevel().isGreaterOrEqual(Level.WARN))
                                .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()))
                        .as("Camel's error lines")
                        .isEmpty();

                pg.startServer();
                await().atMost(Duration.ofSeconds(30)).until(() -> readiness() == 200);
                sendReading();
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> sandbox.received().size() == 2); // ingest and sender work again
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    template.sendBody(
                            "direct:maintenance-dead-retention", null); // as its timer would, until it has run once
                    return infos(events.since(before), "MAINTENANCE").size() == 1;
                });
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> infos(events.since(before), "SENDER").size() == 1);

                List<ILoggingEvent> all = events.since(before);
                for (String flow : List.of("SENDER", "MAINTENANCE")) {
                    assertThat(warnings(all, flow))
                            .as("%s: one line for the whole outage, restart included", flow)
                            .hasSize(1);
                    assertThat(infos(all, flow))
                            .as("%s: one line when it works again", flow)
                            .allMatch(l -> l.matches(
                                    "\\[" + flow + "\\] Base de datos disponible de nuevo tras \\d+ ciclos fallidos"));
                }
                // (A reading that meets the pool still reconnecting is retried, one WARN line a try: the ingest's
                // design.)
                assertNoStackTrace(all);
                assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings"))
                        .as("both readings delivered and cleaned up")
                        .isZero();
                assertThat(logs.lines())
                        .noneMatch(l -> l.contains("PRIVATE KEY") || l.contains(TestCertificates.PASSWORD));
                template.stop();
            }
        }
    }

    private void sendReading() throws Exception {
        int n = sequence.incrementAndGet();
        try (CameraClient camera = new CameraClient(TCP_PORT)) {
            camera.send(synthetic.vega(
                    SERIAL,
                    String.format("%04dTLL", n),
                    LocalDateTime.of(2026, 9, 1, 10, 0).plusSeconds(n)));
        }
    }

    private int readiness() throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + API_PORT + "/health/ready"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    /** The operator lines of a flow ({@code [SENDER] …}) at WARN or above. */
    private static List<String> warnings(List<ILoggingEvent> events, String flow) {
        return events.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("[" + flow + "]"))
                .toList();
    }

    private static List<String> infos(List<ILoggingEvent> events, String flow) {
        return events.stream()
                .filter(e -> e.getLevel() == Level.INFO)
                .map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("[" + flow + "]") && m.contains("de nuevo"))
                .toList();
    }

    /**
     * Nothing of the application's or Camel's logged with a throwable (a stack trace); the pool's own warnings about the
     * connections PostgreSQL closed are its business.
     */
    private static void assertNoStackTrace(List<ILoggingEvent> events) {
        assertThat(events.stream()
                        .filter(e -> e.getLoggerName().startsWith("routes")
                                || e.getLoggerName().startsWith("org.apache.camel"))
                        .filter(e -> e.getThrowableProxy() != null)
                        .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()))
                .as("lines logged with a stack trace")
                .isEmpty();
        assertThat(events.stream().map(ILoggingEvent::getFormattedMessage))
                .as("stack trace lines")
                .noneMatch(m -> m.contains("\tat "));
    }

    private static Map<String, String> dbSettings() {
        return Map.of(
                "DB_HOST",
                "127.0.0.1",
                "DB_PORT",
                String.valueOf(PG_PORT),
                "DB_NAME",
                DB_NAME,
                "DB_USER",
                "tattile",
                "DB_PASSWORD",
                "tattile",
                "DB_POOL_SIZE",
                "10");
    }

    /** Every event logged, with its level, logger and throwable (LogCapture keeps the text only). */
    private static final class Events implements AutoCloseable {

        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

        Events() {
            appender.start();
            root.addAppender(appender);
        }

        int size() {
            synchronized (appender) { // AppenderBase appends under this lock
                return appender.list.size();
            }
        }

        List<ILoggingEvent> since(int index) {
            synchronized (appender) {
                return List.copyOf(appender.list.subList(index, appender.list.size()));
            }
        }

        @Override
        public void close() {
            root.detachAppender(appender);
            appender.stop();
        }
    }
}
