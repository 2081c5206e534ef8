package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.xml.transform.Source;
import javax.xml.transform.dom.DOMSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.cxf.common.CxfPayload;
import org.apache.camel.converter.stream.FileInputStreamCache;
import org.apache.camel.spi.InflightRepository.InflightExchange;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.spi.UnitOfWork;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.Setting;
import routes.config.TattileConfiguration;
import routes.store.ImageStore;
import routes.store.ReadingRepository;
import routes.support.CameraClient;
import routes.support.InProcessService;
import routes.support.LogCapture;
import routes.support.TestCertificates;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.support.TestReadings;
import routes.tools.MossosSandbox;
import routes.tools.SyntheticReadings;

/** The sender end to end: real PostgreSQL, real HTTP, real WS-Security signatures verified by the sandbox. */
@CamelMainTest(
        configurationClasses = TattileConfiguration.class,
        properties = {
            "TATTILE_FLOWS=ingest,sender",
            TestDb.HOST_PROPERTY,
            TestDb.NAME_PROPERTY,
            TestDb.USER_PROPERTY,
            TestDb.PASSWORD_PROPERTY,
            TestDb.ANY_READING_AGE_PROPERTY,
            "TRANSIT_PORT=" + SenderFlowTest.TCP_PORT,
            "IMAGES_BASE_DIR=" + SenderFlowTest.IMAGES,
            "CERTS_DIR=" + SenderFlowTest.CERTS,
            "CAMERA_CACHE_SECONDS=0",
            "MOSSOS_ENDPOINT_URL=http://127.0.0.1:" + SenderFlowTest.SANDBOX_PORT + "/matricules",
            "SENDER_POLL_INTERVAL_SECONDS=0.1",
            "SENDER_DEFAULT_RETRY_MAX=2",
            "SENDER_DEFAULT_BACKOFF_MS=200",
            "SENDER_MAX_BACKOFF_MS=800",
            "SENDER_BREAKER_FAILURES=3",
            "SENDER_BREAKER_OPEN_SECONDS=1",
            "SENDER_INSTANCE_ID=test-a",
            // the tests below count on 16 sends in flight (the default was 16 when they were written): at 128 a
            // 1,000-reading backlog against a 50 ms sandbox drains before its claim round can be looked at
            "SENDER_CONCURRENCY=16",
            "SENDER_LEASE_SECONDS=" + SenderFlowTest.LEASE_SECONDS,
            // so a test can look at the claim round's exchange while it runs
            "camel.main.inflightRepositoryBrowseEnabled=true"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SenderFlowTest {

    static final int LEASE_SECONDS = 20;
    static final int TCP_PORT = 23336;
    static final int SANDBOX_PORT = 23380;
    static final String IMAGES = "target/it-images/sender-flow";
    static final String CERTS = "target/it-certs/sender-flow";

    private final HikariDataSource db = TestDb.open();
    private final MossosSandbox sandbox = new MossosSandbox(SANDBOX_PORT, 32);
    private final SyntheticReadings synthetic = new SyntheticReadings(3, 2048, 4096);
    private final AtomicInteger sequence = new AtomicInteger();
    private TestCertificates.Generated girona;
    private TestCertificates.Generated lleida;

    @BeanInject("imageStore")
    ImageStore images;

    @BeanInject("senderCapacity")
    SenderCapacity capacity;

    @BeanInject("signingTurns")
    SigningTurns turns;

    @BeanInject
    CamelContext context;

    SenderFlowTest() throws Exception {}

    @BeforeAll
    void certificates() throws Exception {
        girona = TestCertificates.generate(Path.of(CERTS, "girona"), "Ajuntament de Girona", 365, null);
        lleida = TestCertificates.generate(Path.of(CERTS, "lleida"), "Ajuntament de Lleida", 365, null);
        sandbox.trust(List.of(girona.certificate(), lleida.certificate()));
    }

    @BeforeEach
    void cleanSlate() throws Exception {
        // The previous test's last sends may still be finishing (they are handed over, not awaited): let them end,
        // or their delivery_log rows would land in this test; so may a slow answer of the sandbox, which would record
        // its
        // request in this test.
        await().atMost(Duration.ofSeconds(30)).until(capacity::idle);
        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.inFlight() == 0);
        // Whatever the last test's sends ran into (a permanent cause, a refused or cut connection, a timeout), each
        // gave its signing turn back when it ended.
        assertThat(turns.allFree())
                .as("signing turns free once no send is in flight")
                .isTrue();
        TestDb.reset(db);
        TestFiles.deleteTree(Path.of(IMAGES));
        sandbox.reset();
        UUID gironaCert = TestCertificates.registerPem(db, "girona", girona);
        UUID lleidaCert = TestCertificates.registerPkcs12(db, "lleida", lleida);
        UUID lleidaEndpoint = TestCertificates.endpoint(db, "lleida-endpoint", sandbox.url() + "-lleida", 2, 200);
        TestDb.execute(db, "INSERT INTO municipalities (name, certificate_id) VALUES ('Girona', '" + gironaCert + "')");
        TestDb.execute(
                db,
                "INSERT INTO municipalities (name, certificate_id, endpoint_id) VALUES ('Lleida', '" + lleidaCert
                        + "', '" + lleidaEndpoint + "')");
        TestDb.execute(db, "INSERT INTO municipalities (name) VALUES ('SinCertificado')");
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, codigo_lector, municipality_id, coord_x, coord_y) "
                        + "SELECT 'GI01', 'GIR-LECTOR-1', id, 2.8214, 41.9794 FROM municipalities WHERE name = 'Girona'");
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, municipality_id) SELECT 'LL01', id FROM municipalities WHERE name = 'Lleida'");
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, municipality_id) SELECT 'NC01', id FROM municipalities WHERE name = 'SinCertificado'");
        UUID blankEndpoint = TestCertificates.endpoint(db, "blank-endpoint", "", null, null);
        TestDb.execute(
                db,
                "INSERT INTO municipalities (name, certificate_id, endpoint_id) VALUES ('SinUrl', '" + gironaCert
                        + "', '" + blankEndpoint + "')");
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, municipality_id) SELECT 'SU01', id FROM municipalities WHERE name = 'SinUrl'");
        UUID slowEndpoint = TestCertificates.endpoint(db, "slow-endpoint", sandbox.url(), 5, 200);
        TestDb.execute(db, "UPDATE endpoints SET timeout_ms = 500 WHERE id = '" + slowEndpoint + "'");
        TestDb.execute(
                db,
                "INSERT INTO municipalities (name, certificate_id, endpoint_id) VALUES ('Lenta', '" + gironaCert
                        + "', '" + slowEndpoint + "')");
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, municipality_id) SELECT 'SL01', id FROM municipalities WHERE name = 'Lenta'");
    }

    @AfterAll
    void close() {
        sandbox.close();
        db.close();
    }

    @Test
    void aReadingFromATcpFrameIsSignedSentAndCleanedUp() throws Exception {
        String plate;
        try (LogCapture logs = new LogCapture();
                CameraClient camera = new CameraClient(TCP_PORT)) {
            plate = "1234GIR";
            camera.send(synthetic.vega("GI01", plate, LocalDateTime.of(2026, 7, 1, 12, 0, 5, 250_000_000)));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> sandbox.received().size() == 1 && count("SELECT count(*) FROM alpr_readings") == 0);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !logs.linesContaining(
                                    "[SENDER] Lectura (" + plate + ") enviada correctamente a Mossos")
                            .isEmpty());
            assertThat(logs.linesContaining("[SENDER] Enviando lectura (" + plate + ")"))
                    .hasSize(1);
            assertThat(logs.lines()).noneMatch(l -> l.contains("PRIVATE KEY") || l.contains(TestCertificates.PASSWORD));
        }
        MossosSandbox.Received r = sandbox.received().get(0);
        assertThat(r.codiLector()).isEqualTo("GIR-LECTOR-1");
        assertThat(r.matricula()).isEqualTo(plate);
        assertThat(r.dataLectura()).isEqualTo("2026-07-01");
        assertThat(r.horaLectura()).isEqualTo("10:00:05"); // 12:00:05 in Madrid summer time is 10:00:05 UTC
        assertThat(r.signer()).contains("CN=Ajuntament de Girona");
        assertThat(r.hasContext()).isTrue();
        assertThat(count("SELECT count(*) FROM messages_queue")).isZero();
        assertThat(count("SELECT count(*) FROM delivery_log WHERE outcome = 'DELIVERED' AND codi_retorn = '1'"))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM cameras WHERE serial_number = 'GI01' AND last_sent_at IS NOT NULL"))
                .isEqualTo(1);
        assertThat(TestDb.text(db, "SELECT string_agg(coalesce(error, ''), '') FROM delivery_log"))
                .doesNotContain(plate);
        await().atMost(Duration.ofSeconds(5)).until(() -> imageFiles() == 0);
    }

    @Test
    void theSandboxRefusesUnsignedAndTamperedRequestsSoSignatureTestsCanFail() throws Exception {
        String plate = queueReading("GI01", Ocr.FILE);
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox.received().size() == 1);
        byte[] signed = sandbox.lastRequest();
        String signedText = new String(signed, StandardCharsets.UTF_8);
        assertThat(signedText)
                .contains("wsse:BinarySecurityToken")
                .contains("wsu:Timestamp")
                .contains("rsa-sha256")
                .contains("xml-exc-c14n");

        String unsigned = "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>"
                + "<m:matriculaRequest xmlns:m=\"http://dgp.gencat.cat/matricules\"><m:codiLector>X</m:codiLector><m:matricula>9999ZZZ</m:matricula>"
                + "<m:dataLectura>2026-05-01</m:dataLectura><m:horaLectura>10:00:00</m:horaLectura><m:imgMatricula>/9j/</m:imgMatricula>"
                + "</m:matriculaRequest></soapenv:Body></soapenv:Envelope>";
        assertThat(post(unsigned.getBytes(StandardCharsets.UTF_8))).isEqualTo(500);
        String tampered = signedText.replace(">" + plate + "<", ">9999ZZZ<");
        assertThat(tampered).isNotEqualTo(signedText);
        assertThat(post(tampered.getBytes(StandardCharsets.UTF_8))).isEqualTo(500);
        assertThat(sandbox.rejectedCount()).isEqualTo(2);
        assertThat(post(signed)).isEqualTo(200); // the untouched signed request still verifies
        assertThat(sandbox.received())
                .extracting(MossosSandbox.Received::matricula)
                .containsExactly(plate, plate);
    }

    @Test
    void everyPermanentCauseGoesDeadWithItsControlledReason() throws Exception {
        sandbox.codiRetornFor("7777ERR", "E17");
        String noOcr;
        String missingFile;
        String noCertificate;
        String noUrl;
        String refused;
        // Listening before the first reading is queued: the sender may mark it DEAD before the next one is.
        try (LogCapture logs = new LogCapture()) {
            noOcr = queueReading("GI01", Ocr.NONE);
            missingFile = queueReading("GI01", Ocr.MISSING_FILE);
            noCertificate = queueReading("NC01", Ocr.FILE);
            noUrl = queueReading("SU01", Ocr.FILE);
            refused = queueReading("GI01", Ocr.FILE, "7777ERR");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count("SELECT count(*) FROM messages_queue WHERE status = 'DEAD'") == 5);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> logs.linesContaining("descartada (DEAD)").size() >= 5);
            assertThat(logs.linesContaining("[SENDER] Lectura (" + refused + ") descartada (DEAD): CODI_RETORN:E17"))
                    .hasSize(1);
        }
        assertThat(lastError(noOcr)).isEqualTo("NO_IMAGE_AVAILABLE_OCR");
        assertThat(lastError(missingFile))
                .startsWith("NO_IMAGE_FILE_OCR:GI01/2026/05/01/")
                .endsWith("_ocr.jpg");
        assertThat(lastError(noCertificate)).isEqualTo("CERTIFICADO_NO_CONFIGURADO");
        assertThat(lastError(noUrl)).isEqualTo("ENDPOINT_URL_NO_CONFIGURADA");
        assertThat(lastError(refused)).isEqualTo("CODI_RETORN:E17");
        assertThat(count("SELECT count(*) FROM alpr_readings"))
                .as("DEAD readings are kept")
                .isEqualTo(5);
        assertThat(imageFiles()).as("and so are their images").isEqualTo(3);
        assertThat(count("SELECT count(*) FROM delivery_log WHERE outcome = 'DEAD'"))
                .isEqualTo(5);
    }

    @Test
    void aReadingThatKeepsFailingWhileOthersAreDeliveredUsesItsRetriesAndGoesDead() throws Exception {
        sandbox.codiRetornFor("6666BAD", "FAULT");
        String bad = queueReading("GI01", Ocr.FILE, "6666BAD");
        long deadline = System.currentTimeMillis() + 20_000;
        while (count("SELECT count(*) FROM messages_queue WHERE status = 'DEAD'") == 0
                && System.currentTimeMillis() < deadline) {
            queueReading("GI01", Ocr.FILE); // the endpoint keeps delivering other readings
            Thread.sleep(100);
        }
        assertThat(lastError(bad)).isEqualTo("MAX_REINTENTOS_AGOTADOS");
        assertThat(count(
                        "SELECT attempts FROM messages_queue q JOIN alpr_readings r ON r.id = q.reading_id WHERE r.plate = ?",
                        bad))
                .isEqualTo(3); // SENDER_DEFAULT_RETRY_MAX=2: the first try and two retries
        await().atMost(Duration.ofSeconds(10))
                .until(() -> count("SELECT count(*) FROM messages_queue WHERE status <> 'DEAD'") == 0);
    }

    /**
     * The retry waits for its back-off, shown by the order of events rather than by a duration measured here: the row
     * was claimed again only once due (claim time at or after its next_attempt_at), and the failure made it due a
     * back-off (800 ms here, less 20 % jitter) after the first attempt began. The second holds whatever the load: the
     * failure reads the clock after the "Enviando" line. Had the failure made the row due at once, next_attempt_at would
     * fall within the first attempt (a warm one, tens of milliseconds), well short of 640 ms after that line.
     */
    @Test
    void aTransientFaultIsRetriedAfterABackoffAndThenDelivered() throws Exception {
        UUID patient =
                TestCertificates.endpoint(db, "patient-endpoint", sandbox.url(), 2, 800); // SENDER_MAX_BACKOFF_MS
        TestDb.execute(
                db,
                "INSERT INTO municipalities (name, certificate_id, endpoint_id) SELECT 'Pacient', certificate_id, '"
                        + patient + "' FROM municipalities WHERE name = 'Girona'");
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, municipality_id) SELECT 'PA01', id FROM municipalities WHERE name = 'Pacient'");
        queueReading("PA01", Ocr.FILE); // a first send warms the signing up, so that the attempt below is short
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM alpr_readings") == 0);
        int requestsBefore = sandbox.requestCount();
        sandbox.faults(1);
        String plate = "5151BOF";
        AtomicReference<QueueRow> atRetry = new AtomicReference<>();
        sandbox.onReceived(
                r -> { // the retry, as the sandbox accepts it: its row is still SENDING
                    if (plate.equals(r.matricula())) {
                        atRetry.compareAndSet(null, queueRow(plate));
                    }
                });
        Instant firstAttemptBegan;
        try (LogCapture logs = new LogCapture()) {
            queueReading("PA01", Ocr.FILE, plate);
            await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM alpr_readings") == 0);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !logs.linesContaining("[SENDER] Reintento de lectura (" + plate + ")")
                            .isEmpty());
            assertThat(logs.linesContaining("[SENDER] Error enviando lectura (" + plate + "): SoapFault"))
                    .hasSize(1);
            firstAttemptBegan = logs.firstLoggedAt("[SENDER] Enviando lectura (" + plate + ")");
        } finally {
            sandbox.onReceived(r -> {});
        }
        assertThat(sandbox.requestCount() - requestsBefore).isEqualTo(2);
        assertThat(TestDb.text(db, "SELECT string_agg(outcome, ',' ORDER BY created_at) FROM delivery_log"))
                .isEqualTo("DELIVERED,FAILED,DELIVERED");
        QueueRow retry = atRetry.get();
        assertThat(retry).as("the row as the retry was sent").isNotNull();
        assertThat(retry.status()).isEqualTo("SENDING");
        assertThat(retry.lastError()).startsWith("SoapFault");
        assertThat(retry.claimedAt()).as("claimed again only once due").isAfterOrEqualTo(retry.nextAttemptAt());
        assertThat(Duration.between(firstAttemptBegan, retry.nextAttemptAt()))
                .as(
                        "made due a back-off (at least 640 ms, less a millisecond of rounding) after the first attempt began")
                .isGreaterThanOrEqualTo(Duration.ofMillis(639));
    }

    @Test
    void anOutageOpensTheBreakerNeverMakesReadingsDeadAndTheBacklogDrainsAfter() throws Exception {
        queueReading("GI01", Ocr.FILE); // the endpoint is healthy before the outage
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM alpr_readings") == 0);
        try (LogCapture logs = new LogCapture()) {
            sandbox.down(true);
            for (int i = 0; i < 12; i++) {
                queueReading(i % 2 == 0 ? "GI01" : "LL01", Ocr.FILE);
                Thread.sleep(400); // readings keep arriving through ~5 s of outage
            }
            // The breaker opens after its third failure, however long those took to happen.
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !logs.linesContaining("circuito abierto").isEmpty());
            assertThat(count("SELECT count(*) FROM messages_queue WHERE status = 'DEAD'"))
                    .isZero();
            assertThat(count("SELECT count(*) FROM alpr_readings")).isEqualTo(12);
            sandbox.down(false);
            await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM alpr_readings") == 0);
        }
        assertThat(count("SELECT count(*) FROM delivery_log WHERE outcome = 'DEAD'"))
                .isZero();
        assertThat(count("SELECT count(*) FROM delivery_log WHERE outcome = 'DELIVERED'"))
                .isEqualTo(13);
        assertThat(count("SELECT coalesce(max(attempts), 0) FROM delivery_log"))
                .as("an outage costs a reading at most one attempt")
                .isLessThanOrEqualTo(1);
    }

    /**
     * The sandbox answers after 3 s; the endpoint's timeout is 500 ms. What shows that timeout ended the send is its
     * cause, not how long it took: each failed attempt was ended by the read timeout or, when writing the request took
     * most of the time (a cold or loaded machine), by the send deadline derived from it (500 ms + 1 s), and when the
     * sandbox answered, the sender had already closed the connection. Were the endpoint's timeout ignored, the 3 s
     * answer would deliver the reading: no error line, and the sandbox's answer would reach its client.
     */
    @Test
    void theEndpointsTimeoutEndsASlowSendWhichIsRetriedLater() throws Exception {
        sandbox.latency(3000);
        String plate;
        List<String> errors;
        List<String> cuts;
        try (LogCapture logs = new LogCapture()) {
            plate = queueReading("SL01", Ocr.FILE);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !logs.linesContaining("[SENDER] Error enviando lectura (" + plate + ")")
                            .isEmpty());
            sandbox.latency(0);
            await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM alpr_readings") == 0);
            errors = logs.linesContaining("[SENDER] Error enviando lectura (" + plate + ")");
            cuts = logs.linesContaining(
                    "[SENDER] Envío cortado: " + sandbox.url() + " no ha leído la petición ni respondido en 1500 ms");
        } finally {
            sandbox.latency(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.inFlight() == 0); // the slow answers are given
        }
        assertThat(TestDb.text(db, "SELECT string_agg(outcome, ',' ORDER BY created_at) FROM delivery_log"))
                .startsWith("FAILED,")
                .endsWith(",DELIVERED");
        // Every failed attempt (a retry claimed before the latency was lifted, or met by the sandbox's first, slow,
        // signature check, fails too) was ended by the read timeout, or else by the send deadline, which said so.
        assertThat(errors).as("failed attempts").isNotEmpty();
        assertThat(errors.stream().filter(l -> !l.contains("SocketTimeoutException: Read timed out")))
                .as("failed attempts not ended by the read timeout, each one ended by the send deadline: %s", cuts)
                .hasSizeLessThanOrEqualTo(cuts.size());
        assertThat(sandbox.abandonedCount())
                .as("answers the sandbox found no one waiting for: the sender had closed the connection")
                .isPositive();
    }

    /** HttpURLConnection has no write timeout: the send deadline must end a request the endpoint stops reading. */
    @Test
    void anEndpointThatStopsReadingTheRequestIsCutOffAtItsTimeoutAndTheReadingRetried() throws Exception {
        var blackHole = new ServerSocket();
        blackHole.setReceiveBufferSize(1024);
        blackHole.bind(new InetSocketAddress("127.0.0.1", 0));
        List<Socket> held = new CopyOnWriteArrayList<>();
        Thread acceptor = new Thread(
                () -> {
                    try {
                        while (true) {
                            held.add(blackHole.accept()); // accepted, never read
                        }
                    } catch (IOException closed) {
                        // test over
                    }
                },
                "black-hole");
        acceptor.start();
        try (LogCapture logs = new LogCapture()) {
            UUID endpoint = TestCertificates.endpoint(
                    db, "black-hole", "http://127.0.0.1:" + blackHole.getLocalPort() + "/matricules", 5, 200);
            TestDb.execute(db, "UPDATE endpoints SET timeout_ms = 1000 WHERE id = '" + endpoint + "'");
            TestDb.execute(
                    db,
                    "INSERT INTO municipalities (name, certificate_id, endpoint_id) SELECT 'Sorda', certificate_id, '"
                            + endpoint + "' FROM municipalities WHERE name = 'Girona'");
            TestDb.execute(
                    db,
                    "INSERT INTO cameras (serial_number, municipality_id) SELECT 'BH01', id FROM municipalities WHERE name = 'Sorda'");
            // 12 MB of image, 16 MB of Base64: far more than the socket buffers hold, so the write blocks.
            byte[] big = new byte[12 * 1024 * 1024];
            new Random(7).nextBytes(big);
            String plate = queueReading("BH01", "7777BHX", big);
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> !logs.linesContaining("[SENDER] Error enviando lectura (" + plate + ")")
                            .isEmpty());
            // The deadline cut it: its own line, naming the endpoint and the deadline (timeout 1 s + 1 s), came first.
            List<String> lines = logs.lines();
            int cut = indexOf(
                    lines,
                    "[SENDER] Envío cortado: http://127.0.0.1:" + blackHole.getLocalPort() + "/matricules no ha leído");
            int failed = indexOf(lines, "[SENDER] Error enviando lectura (" + plate + ")");
            assertThat(cut).as("the deadline's line").isNotNegative().isLessThan(failed);
            assertThat(lines.get(cut)).endsWith(" en 2000 ms");
            // Not the lease: the failure was recorded by the sender still holding the row (a lease recovered first
            // leaves no
            // FAILED audit row, and says SENDING_TIMEOUT_RECOVERED), before the lease could have ended — the lease runs
            // SENDER_LEASE_SECONDS from a claim that came after the reading was queued. Database clock on both sides.
            assertThat(logs.linesContaining("SENDING_TIMEOUT_RECOVERED")).isEmpty();
            assertThat(TestDb.text(
                            db,
                            "SELECT bool_and(d.created_at < q.created_at + make_interval(secs => " + LEASE_SECONDS
                                    + ")) "
                                    + "FROM delivery_log d JOIN messages_queue q ON q.id = d.queue_id JOIN alpr_readings r ON r.id = q.reading_id "
                                    + "WHERE d.outcome = 'FAILED' AND r.plate = ?",
                            plate))
                    .as("failure recorded before the lease could end")
                    .isEqualTo("t");
            assertThat(held).as("the endpoint accepted the connection").isNotEmpty();
            TestDb.execute(
                    db,
                    "DELETE FROM messages_queue WHERE reading_id IN (SELECT id FROM alpr_readings WHERE plate = '"
                            + plate + "')");
        } finally {
            blackHole.close();
            for (var s : held) {
                s.close();
            }
            acceptor.join(5000);
        }
        await().atMost(Duration.ofSeconds(15)).until(capacity::idle);
    }

    @Test
    void eachMunicipalitySignsWithItsOwnCertificateAndUsesItsOwnEndpoint() throws Exception {
        String g = queueReading("GI01", Ocr.FILE);
        String l = queueReading("LL01", Ocr.FILE);
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox.received().size() == 2);
        var byPlate = new HashMap<String, MossosSandbox.Received>();
        sandbox.received().forEach(r -> byPlate.put(r.matricula(), r));
        assertThat(byPlate.get(g).signer()).contains("CN=Ajuntament de Girona");
        assertThat(byPlate.get(g).path()).isEqualTo("/matricules"); // global MOSSOS_ENDPOINT_URL
        assertThat(byPlate.get(l).signer()).contains("CN=Ajuntament de Lleida"); // PKCS#12 certificate
        assertThat(byPlate.get(l).path()).isEqualTo("/matricules-lleida"); // the municipality's endpoint
        assertThat(byPlate.get(l).codiLector()).isEqualTo("LL01"); // no codigo_lector: the serial
    }

    /** The signer is chosen per message while 16 workers sign at once: no message may borrow another's certificate. */
    @Test
    void twoMunicipalitiesSendingConcurrentlyEachSignOnlyWithTheirOwnCertificate() throws Exception {
        int n = 300;
        for (int i = 0; i < n; i++) {
            queueReading(i % 2 == 0 ? "GI01" : "LL01", Ocr.FILE);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM alpr_readings") == 0);
        // A send retried after a timeout on a loaded machine may arrive twice: count readings, check every request.
        var received = sandbox.received();
        assertThat(received.stream().map(MossosSandbox.Received::key).distinct().count())
                .isEqualTo(n);
        assertThat(sandbox.rejectedCount()).isZero();
        assertThat(received.stream()
                        .filter(r -> r.codiLector().equals("GIR-LECTOR-1"))
                        .map(MossosSandbox.Received::key)
                        .distinct()
                        .count())
                .isEqualTo(n / 2);
        assertThat(received.stream()
                        .filter(r -> r.codiLector().equals("LL01"))
                        .map(MossosSandbox.Received::key)
                        .distinct()
                        .count())
                .isEqualTo(n / 2);
        assertThat(received)
                .allSatisfy(r -> assertThat(r.signer())
                        .contains(
                                r.codiLector().equals("LL01") ? "CN=Ajuntament de Lleida" : "CN=Ajuntament de Girona"));
    }

    @Test
    void aKilledSendersExpiredLeaseIsRecoveredWithoutUsingAnAttempt() throws Exception {
        String plate = "5555LSE";
        UUID camera = UUID.fromString(TestDb.text(db, "SELECT id::text FROM cameras WHERE serial_number = 'GI01'"));
        UUID id = UUID.randomUUID();
        Instant t = Instant.parse("2026-05-02T10:00:00Z");
        String ocr = ImageStore.relativePath("GI01", plate, t, id, ImageStore.Kind.OCR);
        images.write(ocr, new byte[] {(byte) 0xFF, (byte) 0xD8, 1});
        try (LogCapture logs = new LogCapture()) {
            TestDb.execute(
                    db,
                    "BEGIN; "
                            + "INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, has_image_ocr, has_image_ctx, image_ocr_path, camera_id) "
                            + "VALUES ('" + id + "', '" + plate + "', '" + t + "', 'GI01', true, false, '" + ocr
                            + "', '" + camera + "'); "
                            + "INSERT INTO messages_queue (reading_id, status, attempts, locked_by, locked_until) "
                            + "VALUES ('" + id
                            + "', 'SENDING', 1, 'killed-instance', now() - interval '1 minute'); COMMIT");
            await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM alpr_readings") == 0);
            assertThat(logs.linesContaining("SENDING_TIMEOUT_RECOVERED")).isNotEmpty();
            assertThat(logs.linesContaining("[SENDER] Reintento de lectura (" + plate + ")"))
                    .hasSize(1);
        }
        assertThat(count("SELECT attempts FROM delivery_log WHERE outcome = 'DELIVERED'"))
                .isEqualTo(1);
    }

    @Test
    void twoCamelContextsOnOneDatabaseSendAThousandReadingsWithoutDuplicates() throws Exception {
        try (InProcessService second = InProcessService.start(
                Map.of(
                        "DB_HOST",
                        TestDb.settings().text(Setting.DB_HOST),
                        "DB_NAME",
                        TestDb.NAME,
                        "IMAGES_BASE_DIR",
                        IMAGES,
                        "CERTS_DIR",
                        CERTS,
                        "MOSSOS_ENDPOINT_URL",
                        sandbox.url(),
                        "SENDER_POLL_INTERVAL_SECONDS",
                        "0.1",
                        "SENDER_INSTANCE_ID",
                        "test-b",
                        "SENDER_LEASE_SECONDS",
                        "20"),
                "sender")) {
            int n = 1000;
            queueBacklog(n, "%04dDUP");
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> count("SELECT count(*) FROM alpr_readings") == 0);
            var received = sandbox.received();
            assertThat(received).hasSize(n);
            assertThat(received.stream()
                            .map(MossosSandbox.Received::key)
                            .distinct()
                            .count())
                    .isEqualTo(n);
            assertThat(count("SELECT count(*) FROM delivery_log WHERE outcome = 'DELIVERED'"))
                    .isEqualTo(n);
        }
    }

    /**
     * One claim round lasts as long as the backlog does. The split that hands each claimed row to the workers passes
     * them its stream-cache unit of work, and Camel then hangs every send's stream-cache clean-up on the round's unit
     * of work instead of the send's own: one more object per send, kept until the backlog is gone (after a long
     * outage, millions). Measured before the fix: 375 of them a second under load, never freed while the round ran.
     */
    @Test
    void aLongBacklogsSendsLeaveNoCleanUpBehindOnTheClaimRound() throws Exception {
        sandbox.latency(50); // 16 sends in flight at 50 ms: a round of a few seconds
        int n = 1000;
        queueBacklog(n, "%04dLNG");
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> count("SELECT count(*) FROM delivery_log WHERE outcome = 'DELIVERED'") >= 200);
        long delivered = count("SELECT count(*) FROM delivery_log WHERE outcome = 'DELIVERED'");
        Exchange round = context.getInflightRepository().browse("sender-poll").stream()
                .map(InflightExchange::getExchange)
                .findFirst()
                .orElseThrow(() -> new AssertionError("the claim round ended before the backlog did"));
        UnitOfWork roundsWork = round.getUnitOfWork();
        Exchange scratch = new DefaultExchange(context);
        String streamCache = FileInputStreamCache.class.getName() + "$";
        roundsWork.handoverSynchronization(scratch, s -> s.getClass().getName().startsWith(streamCache));
        List<Synchronization> heldByTheRound = // null when there are none
                Objects.requireNonNullElse(scratch.getExchangeExtension().handoverCompletions(), List.of());
        heldByTheRound.forEach(roundsWork::addSynchronization); // back where they were
        assertThat(heldByTheRound)
                .as("stream-cache clean-ups on the round after %d sends", delivered)
                .isEmpty();
        sandbox.latency(0);
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> count("SELECT count(*) FROM alpr_readings") == 0);
    }

    /**
     * A send holds its signing turn while its request is built, signed and written, not while it waits for the answer:
     * against a slow endpoint, more requests wait for their answers at once than there are turns (4 by default).
     */
    @Test
    void aSendGivesItsSigningTurnBackOnceItsRequestIsWrittenNotWhenAnswered() throws Throwable {
        // Held until the answer, the turns would let at most 4 requests reach the sandbox in these 2 s.
        whileAnswersAreHeld(12, "%04dTRN", () -> {});
    }

    @Test
    void aSendWaitingForItsAnswerNoLongerHoldsItsWrittenRequest() throws Throwable {
        whileAnswersAreHeld(4, "%04dDOC", () -> {
            // Each of them is in the CXF call, its body the request it wrote; the document (its images' Base64) is
            // let go of once written, so a hundred sends waiting for answers do not each keep ~110 KB.
            List<Source> requests = context.getInflightRepository().browse().stream()
                    .map(i -> i.getExchange().getMessage().getBody())
                    .filter(CxfPayload.class::isInstance)
                    .flatMap(b -> ((CxfPayload<?>) b).getBodySources().stream())
                    .toList();
            assertThat(requests).hasSize(4);
            assertThat(requests)
                    .allSatisfy(r -> assertThat(((DOMSource) r).getNode()).isNull());
        });
    }

    // --- helpers ---

    /**
     * Queues {@code n} readings against a sandbox that answers after 2 s, runs {@code whileHeld} once all of them wait
     * for their answers holding no signing turn, then lets them be delivered.
     */
    private void whileAnswersAreHeld(int n, String plateFormat, ThrowingRunnable whileHeld) throws Throwable {
        sandbox.latency(2000);
        try {
            queueBacklog(n, plateFormat);
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> sandbox.inFlight() >= n && turns.allFree());
            whileHeld.run();
        } finally {
            sandbox.latency(0);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM alpr_readings") == 0);
    }

    enum Ocr {
        NONE,
        FILE,
        MISSING_FILE
    }

    String queueReading(String serial, Ocr ocr) throws Exception {
        return queueReading(serial, ocr, null);
    }

    /** Inserts a reading as the ingest would, with this OCR image, and returns its plate. */
    String queueReading(String serial, String plate, byte[] ocrImage) throws Exception {
        return queueReading(serial, Ocr.FILE, plate, ocrImage);
    }

    /** Inserts a reading as the ingest would (image file written unless told otherwise) and returns its plate. */
    String queueReading(String serial, Ocr ocrMode, String plateOrNull) throws Exception {
        return queueReading(serial, ocrMode, plateOrNull, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3});
    }

    private String queueReading(String serial, Ocr ocrMode, String plateOrNull, byte[] ocrImage) throws Exception {
        int n = sequence.incrementAndGet();
        String plate = plateOrNull != null ? plateOrNull : String.format("%04dABC", n);
        UUID cameraId =
                UUID.fromString(TestDb.text(db, "SELECT id::text FROM cameras WHERE serial_number = ?", serial));
        UUID id = UUID.randomUUID();
        Instant t = Instant.parse("2026-05-01T10:00:00Z").plusSeconds(n);
        String ocr = ocrMode == Ocr.NONE ? null : ImageStore.relativePath(serial, plate, t, id, ImageStore.Kind.OCR);
        if (ocrMode == Ocr.FILE) {
            images.write(ocr, ocrImage);
        }
        new ReadingRepository(db).insert(TestReadings.of(id, cameraId, plate, t, serial, null, null), ocr, null);
        return plate;
    }

    /** Queues {@code n} readings of camera GI01 in one transaction (plates from {@code plateFormat} and 0..n-1). */
    void queueBacklog(int n, String plateFormat) throws Exception {
        try (var c = db.getConnection()) {
            c.setAutoCommit(false);
            UUID camera = UUID.fromString(TestDb.text(db, "SELECT id::text FROM cameras WHERE serial_number = 'GI01'"));
            try (var ps = c.prepareStatement(
                            "INSERT INTO alpr_readings (id, plate, timestamp_utc, device_sn, has_image_ocr, "
                                    + "has_image_ctx, image_ocr_path, camera_id) VALUES (?, ?, ?, 'GI01', true, false, ?, ?)");
                    var q = c.prepareStatement("INSERT INTO messages_queue (reading_id) VALUES (?)")) {
                for (int i = 0; i < n; i++) {
                    UUID id = UUID.randomUUID();
                    String plate = String.format(plateFormat, i);
                    Instant t = Instant.parse("2026-05-03T10:00:00Z").plusSeconds(i);
                    String ocr = ImageStore.relativePath("GI01", plate, t, id, ImageStore.Kind.OCR);
                    images.write(ocr, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) i});
                    ps.setObject(1, id);
                    ps.setString(2, plate);
                    ps.setTimestamp(3, Timestamp.from(t));
                    ps.setString(4, ocr);
                    ps.setObject(5, camera);
                    ps.addBatch();
                    q.setObject(1, id);
                    q.addBatch();
                }
                ps.executeBatch();
                q.executeBatch();
            }
            c.commit();
        }
    }

    record QueueRow(String status, String lastError, Instant nextAttemptAt, Instant claimedAt) {}

    /** The reading's queue row; {@code claimedAt} is its updated_at, which a claim sets. */
    QueueRow queueRow(String plate) {
        try (var c = db.getConnection();
                var ps = c.prepareStatement("SELECT q.status, q.last_error, q.next_attempt_at, q.updated_at "
                        + "FROM messages_queue q JOIN alpr_readings r ON r.id = q.reading_id WHERE r.plate = ?")) {
            ps.setString(1, plate);
            try (var rs = ps.executeQuery()) {
                return rs.next()
                        ? new QueueRow(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getTimestamp(3).toInstant(),
                                rs.getTimestamp(4).toInstant())
                        : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    String lastError(String plate) throws Exception {
        return TestDb.text(
                db,
                "SELECT q.last_error FROM messages_queue q JOIN alpr_readings r ON r.id = q.reading_id WHERE r.plate = ?",
                plate);
    }

    int post(byte[] body) throws Exception {
        var client = HttpClient.newHttpClient();
        var request = HttpRequest.newBuilder(URI.create(sandbox.url()))
                .header("Content-Type", "text/xml; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    long count(String sql, Object... args) throws Exception {
        return TestDb.count(db, sql, args);
    }

    static long imageFiles() throws Exception {
        return TestFiles.regularFiles(Path.of(IMAGES)).size();
    }
}
