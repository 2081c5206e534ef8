package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.component.cxf.common.CxfPayload;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import routes.security.CertificateStore;
import routes.store.ImageStorage;
import routes.store.ImageStore;
import routes.store.S3ImageStore;
import routes.support.S3ProxyServer;
import routes.support.TestCertificates;
import routes.support.TestDb;

/**
 * Where a delivery's images are read. From a folder, in {@code build} (inside the signing turn): the sends waiting for
 * a turn hold no image, so at SENDER_CONCURRENCY=128 against a fast endpoint about 124 of them no longer keep 80 KB
 * each through young collections. From a bucket, in {@code read} (before the turn): a network round trip needs no CPU
 * turn. Either way a missing OCR file ends the delivery as NO_IMAGE_FILE_OCR before anything is sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MatriculaRequestImagesTest {

    static final String OCR = "CAM1/2026/11/30/r_plate-1234ABC_ocr.jpg";
    static final String CTX = "CAM1/2026/11/30/r_plate-1234ABC_ctx.jpg";

    private final HikariDataSource db = TestDb.open();
    private S3ProxyServer s3;
    private UUID certificateId;
    private CertificateStore certificates;

    @TempDir
    static Path dir;

    @BeforeAll
    void setUp() throws Exception {
        TestDb.reset(db);
        var generated = TestCertificates.generate(dir.resolve("cert"), "Ajuntament Images", 30, null);
        certificateId = TestCertificates.registerPem(db, "images-test", generated);
        certificates = new CertificateStore(db, dir.resolve("certs"), Clock.systemUTC());
        s3 = S3ProxyServer.start();
    }

    @AfterAll
    void close() throws Exception {
        s3.close();
        db.close();
    }

    private Delivery delivery() {
        return new Delivery(
                UUID.randomUUID(),
                UUID.randomUUID(),
                0,
                null,
                "1234 ABC",
                Instant.parse("2026-11-30T10:00:00Z"),
                "CAM1",
                "ESP",
                true,
                OCR,
                CTX,
                UUID.randomUUID(),
                null,
                null,
                null,
                UUID.randomUUID(),
                "Images",
                certificateId,
                null,
                "http://127.0.0.1:1/matricula",
                5_000,
                3,
                1_000,
                null,
                Instant.parse("2026-11-30T10:00:01Z"),
                Delivery.GLOBAL_ENDPOINT);
    }

    /** The request's text content: the Base64 of its images among the rest. */
    private static String text(Exchange built) {
        CxfPayload<?> payload = built.getMessage().getBody(CxfPayload.class);
        return payload.getBody().get(0).getTextContent();
    }

    private Exchange exchange() {
        return new DefaultExchange(new DefaultCamelContext());
    }

    @Test
    void fromAFolderTheImagesAreReadWhenTheRequestIsBuiltNotBefore() throws Exception {
        ImageStorage folder = new ImageStore(Files.createDirectories(dir.resolve("folder")), false);
        MatriculaRequest request = new MatriculaRequest(folder, certificates, 30_000);

        // read() leaves the images: a missing OCR file is not found yet, and nothing is held.
        MatriculaRequest.Parts parts = request.read(delivery());
        assertThat(parts.images()).isNull();
        assertThatThrownBy(() -> request.build(exchange(), delivery(), parts))
                .isInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("NO_IMAGE_FILE_OCR:" + OCR);

        // The files written after read() are the ones build() sends.
        folder.write(OCR, new byte[] {1, 2, 3});
        folder.write(CTX, new byte[] {4, 5});
        Exchange built = exchange();
        request.build(built, delivery(), parts);
        assertThat(text(built)).contains("AQID", "BAU=");
    }

    @Test
    void fromABucketTheImagesAreReadBeforeTheSigningTurn() throws Exception {
        String bucket = "images-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(bucket);
        try (S3ImageStore store = new S3ImageStore(s3.config(bucket, "p"))) {
            MatriculaRequest request = new MatriculaRequest(store, certificates, 30_000);
            assertThatThrownBy(() -> request.read(delivery()))
                    .isInstanceOf(PermanentDeliveryException.class)
                    .hasMessageContaining("NO_IMAGE_FILE_OCR:" + OCR);

            store.write(OCR, new byte[] {1, 2, 3});
            MatriculaRequest.Parts parts = request.read(delivery());
            assertThat(parts.images()).isNotNull();
            assertThat(parts.images().ocr()).containsExactly(1, 2, 3);
            assertThat(parts.images().ctx())
                    .as("no context image in the bucket")
                    .isNull();

            store.delete(OCR);
            Exchange built = exchange();
            request.build(built, delivery(), parts);
            assertThat(text(built)).as("build sends what read read").contains("AQID");
        }
    }
}
