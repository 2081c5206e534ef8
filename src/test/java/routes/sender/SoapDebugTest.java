package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
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

/** SOAP_DEBUG logs the envelopes going out and coming back, with the image bodies elided. */
@CamelMainTest(configurationClasses = TattileConfiguration.class, properties = {
        "camel.main.routesIncludePattern=classpath:camel/errors.yaml,classpath:camel/sender.yaml",
        "TATTILE_FLOWS=sender",
        TestDb.HOST_PROPERTY, TestDb.NAME_PROPERTY, TestDb.USER_PROPERTY, TestDb.PASSWORD_PROPERTY,
        "IMAGES_BASE_DIR=" + SoapDebugTest.IMAGES,
        "MOSSOS_ENDPOINT_URL=http://127.0.0.1:" + SoapDebugTest.SANDBOX_PORT + "/matricules",
        "SENDER_POLL_INTERVAL_SECONDS=0.1",
        "SOAP_DEBUG=true"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SoapDebugTest {

    static final int SANDBOX_PORT = 23381;
    static final String IMAGES = "target/it-images/soap-debug";

    private final HikariDataSource db = TestDb.open();
    private final MossosSandbox sandbox = new MossosSandbox(SANDBOX_PORT, 4);

    @BeanInject("imageStore")
    ImageStore images;

    SoapDebugTest() throws Exception {
    }

    @AfterAll
    void close() {
        sandbox.close();
        db.close();
    }

    @Test
    void envelopesAreLoggedWithoutTheImages() throws Exception {
        TestDb.reset(db);
        TestFiles.deleteTree(Path.of(IMAGES));
        var cert = TestCertificates.generate(Path.of("target/it-certs/soap-debug"), "Ajuntament Debug", 30, null);
        sandbox.trust(List.of(cert.certificate()));
        UUID certId = TestCertificates.registerPem(db, "debug", cert);
        TestDb.execute(db, "INSERT INTO municipalities (name, certificate_id) VALUES ('Debug', '" + certId + "')");
        UUID camera = TestDb.camera(db, "DBG01", null);
        TestDb.execute(db, "UPDATE cameras SET municipality_id = (SELECT id FROM municipalities WHERE name = 'Debug')");

        byte[] image = new byte[3000];
        new java.util.Random(1).nextBytes(image);
        String base64 = Base64.getEncoder().encodeToString(image);
        UUID id = UUID.randomUUID();
        Instant t = Instant.parse("2026-05-01T10:00:00Z");
        String ocr = ImageStore.relativePath("DBG01", "1234DBG", t, id, ImageStore.Kind.OCR);
        images.write(ocr, image);
        try (LogCapture logs = new LogCapture()) {
            new ReadingRepository(db).insert(new NewReading(id, camera, "1234DBG", t, "DBG01", null, null, null, null, null, null, null,
                    null, null, null, null, null, image, null, "<root/>"), ocr, null);
            await().atMost(Duration.ofSeconds(20)).until(() -> sandbox.received().size() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> logs.lines().stream().anyMatch(l -> l.contains("matriculaResponse")));
            List<String> soap = logs.lines().stream().filter(l -> l.contains("matriculaRequest")).toList();
            assertThat(soap).isNotEmpty();
            assertThat(soap).anyMatch(l -> l.contains("1234DBG") && l.contains("BinarySecurityToken"));
            assertThat(logs.lines()).noneMatch(l -> l.contains(base64.substring(0, 40)));
        }
    }
}
