package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.camel.BeanInject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.TattileConfiguration;
import routes.store.ImageStore;
import routes.store.NewReading;
import routes.store.ReadingRepository;
import routes.support.LogCapture;
import routes.support.TestCertificates;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.MossosSandbox;
import routes.tools.SyntheticReadings;

/** SOAP_DEBUG logs the envelopes going out and coming back, with the image bodies masked whatever their size. */
@CamelMainTest(
        configurationClasses = TattileConfiguration.class,
        properties = {
            "TATTILE_FLOWS=sender",
            TestDb.HOST_PROPERTY,
            TestDb.NAME_PROPERTY,
            TestDb.USER_PROPERTY,
            TestDb.PASSWORD_PROPERTY,
            "IMAGES_BASE_DIR=" + SoapDebugTest.IMAGES,
            "MOSSOS_ENDPOINT_URL=http://127.0.0.1:" + SoapDebugTest.SANDBOX_PORT + "/matricules",
            "SENDER_POLL_INTERVAL_SECONDS=0.1",
            "SOAP_DEBUG=true"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SoapDebugTest {

    static final int SANDBOX_PORT = 23381;
    static final String IMAGES = "target/it-images/soap-debug";

    private final HikariDataSource db = TestDb.open();
    private final MossosSandbox sandbox = new MossosSandbox(SANDBOX_PORT, 4);

    @BeanInject("imageStore")
    ImageStore images;

    SoapDebugTest() throws Exception {}

    @AfterAll
    void close() {
        sandbox.close();
        db.close();
    }

    /** An empty database and image folder, then a municipality signing with a fresh certificate the sandbox trusts, and its camera. */
    private UUID signingCamera(String serial) throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(Path.of(IMAGES));
        var cert = TestCertificates.generate(Path.of("target/it-certs/soap-debug"), "Ajuntament Debug", 30, null);
        sandbox.trust(List.of(cert.certificate()));
        UUID certId = TestCertificates.registerPem(db, "debug", cert);
        TestDb.execute(db, "INSERT INTO municipalities (name, certificate_id) VALUES ('Debug', '" + certId + "')");
        UUID camera = TestDb.camera(db, serial, null);
        TestDb.execute(db, "UPDATE cameras SET municipality_id = (SELECT id FROM municipalities WHERE name = 'Debug')");
        return camera;
    }

    @Test
    void envelopesAreLoggedWithoutTheImages() throws Exception {
        UUID camera = signingCamera("DBG01");

        byte[] image = new byte[3000];
        new Random(1).nextBytes(image);
        String base64 = Base64.getEncoder().encodeToString(image);
        UUID id = UUID.randomUUID();
        Instant t = Instant.parse("2026-05-01T10:00:00Z");
        String ocr = ImageStore.relativePath("DBG01", "1234DBG", t, id, ImageStore.Kind.OCR);
        images.write(ocr, image);
        try (LogCapture logs = new LogCapture()) {
            new ReadingRepository(db)
                    .insert(
                            new NewReading(
                                    id, camera, "1234DBG", t, "DBG01", null, null, null, null, null, null, null, null,
                                    null, null, null, null, image, null, "<root/>"),
                            ocr,
                            null);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> sandbox.received().size() == 1);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> logs.lines().stream().anyMatch(l -> l.contains("matriculaResponse")));
            List<String> soap = logs.lines().stream()
                    .filter(l -> l.contains("matriculaRequest"))
                    .toList();
            assertThat(soap).isNotEmpty();
            assertThat(soap).anyMatch(l -> l.contains("1234DBG") && l.contains("BinarySecurityToken"));
            assertThat(logs.lines()).noneMatch(l -> l.contains(base64.substring(0, 40)));
        }
    }

    /**
     * Real-size images make the envelope several times CXF's 64 KB logging limit: the image bodies are still masked
     * (before, masking needed the closing tag, and the one cut off at the limit was logged as it was), and everything
     * else in the envelope, after the images too, is in the log.
     */
    @Test
    void imageBodiesAreMaskedInEnvelopesOfAnySizeAndTheRestIsLogged() throws Exception {
        UUID camera = signingCamera("DBG02");
        TestDb.execute(db, "UPDATE cameras SET coord_x = 2.8214, coord_y = 41.9794");

        var jpegs = new SyntheticReadings(7, 100_000, 100_000);
        byte[] ocrImage = jpegs.ocrJpeg();
        byte[] ctxImage = jpegs.ctxJpeg();
        assertThat(ocrImage.length + ctxImage.length)
                .as("two real-size images, the envelope well over 64 KB")
                .isGreaterThan(150_000);
        UUID id = UUID.randomUUID();
        Instant t = Instant.parse("2026-05-01T11:00:00Z");
        String ocr = ImageStore.relativePath("DBG02", "5678BIG", t, id, ImageStore.Kind.OCR);
        String ctx = ImageStore.relativePath("DBG02", "5678BIG", t, id, ImageStore.Kind.CTX);
        images.write(ocr, ocrImage);
        images.write(ctx, ctxImage);
        try (LogCapture logs = new LogCapture()) {
            new ReadingRepository(db)
                    .insert(
                            new NewReading(
                                    id, camera, "5678BIG", t, "DBG02", null, null, null, null, null, "ES", null, null,
                                    null, null, null, null, ocrImage, ctxImage, "<root/>"),
                            ocr,
                            ctx);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> sandbox.received().stream()
                            .anyMatch(r -> r.matricula().equals("5678BIG")));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> logs.lines().stream().anyMatch(l -> l.contains("matriculaResponse")));

            List<String> requests = logs.lines().stream()
                    .filter(l -> l.contains("matriculaRequest"))
                    .toList();
            assertThat(requests).as("the request is logged").isNotEmpty();
            List<String> lines = logs.lines();
            for (var image : List.of(Map.entry("imgMatricula", ocrImage), Map.entry("imgContext", ctxImage))) {
                String base64 = Base64.getEncoder().encodeToString(image.getValue());
                assertThat(samples(base64).stream()
                                .filter(piece -> lines.stream().anyMatch(l -> l.contains(piece)))
                                .toList())
                        .as("pieces of the %s image's Base64 in the SOAP debug output", image.getKey())
                        .isEmpty();
            }
            assertThat(lines.stream().filter(l -> l.contains(">/9j/")).count())
                    .as("log lines with a JPEG in Base64 (it starts /9j/)")
                    .isZero();
            String request = requests.get(0);
            assertThat(request)
                    .contains(
                            "5678BIG",
                            "DBG02",
                            "BinarySecurityToken",
                            "imgMatricula>",
                            "imgContext>",
                            "coordenadaX>2.8214<",
                            "coordenadaY>41.9794<",
                            "pais>ES<",
                            "</m:matriculaRequest>",
                            "</soap:Envelope>");
        }
    }

    /** 32-character pieces of the Base64 text, from its start to its end. */
    private static List<String> samples(String base64) {
        List<String> pieces = new ArrayList<>();
        for (int at = 0; at + 32 <= base64.length(); at += 997) {
            pieces.add(base64.substring(at, at + 32));
        }
        pieces.add(base64.substring(base64.length() - 32));
        return pieces;
    }
}
