package routes.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.security.auth.callback.Callback;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.apache.camel.component.cxf.common.CxfPayload;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.wss4j.common.WSEncryptionPart;
import org.apache.wss4j.common.ext.WSPasswordCallback;
import org.apache.wss4j.dom.WSConstants;
import org.apache.wss4j.dom.message.WSSecHeader;
import org.apache.wss4j.dom.message.WSSecSignature;
import org.apache.wss4j.dom.message.WSSecTimestamp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.w3c.dom.Document;
import org.w3c.dom.Node;
import routes.config.Setting;
import routes.security.CertificateStore;
import routes.security.SigningMaterial;
import routes.sender.Delivery;
import routes.sender.MatriculaRequest;
import routes.sender.MossosClient;
import routes.store.ImageStore;
import routes.support.TestCertificates;
import routes.support.TestDb;

/**
 * The sandbox validates every request's Body against the schema of the WSDL in use: the product's own
 * request (built by {@link MatriculaRequest}, every optional element present) is accepted; the same request
 * with two elements swapped, an unknown element, a required element missing or a value of the wrong type is
 * refused with a Fault naming the element, signed or not; and a different WSDL means a different verdict.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MossosSandboxSchemaTest {

    private static final int PORT = 23395;
    private static final int OTHER_PORT = 23396;
    private static final Path DIR = Path.of("target/it-certs/sandbox-schema");

    private final HikariDataSource db = TestDb.open();
    private final HttpClient http = HttpClient.newHttpClient();
    private MossosSandbox sandbox;
    private SigningMaterial signing;
    /** The product's matriculaRequest, as MatriculaRequest builds it. */
    private String payload;

    @BeforeAll
    void productRequest() throws Exception {
        TestDb.reset(db);
        TestCertificates.Generated girona =
                TestCertificates.generate(DIR.resolve("girona"), "Ajuntament de Girona", 365, null);
        UUID certificate = TestCertificates.registerPem(db, "girona", girona);
        signing = new CertificateStore(db, DIR, Clock.systemUTC()).material(certificate);
        Path images = Files.createDirectories(DIR.resolve("images"));
        Files.write(images.resolve("ocr.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3, 4, 5});
        Files.write(images.resolve("ctx.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 9, 8, 7});
        sandbox = new MossosSandbox(PORT, 4).trust(List.of(girona.certificate()));

        Delivery d = new Delivery(
                UUID.randomUUID(),
                UUID.randomUUID(),
                0,
                null,
                "1234 GIR",
                Instant.parse("2026-07-01T10:00:05Z"),
                "GI01",
                "ESP",
                true,
                "ocr.jpg",
                "ctx.jpg",
                UUID.randomUUID(),
                "GIR-LECTOR-1",
                2.8214,
                41.9794,
                UUID.randomUUID(),
                "Girona",
                certificate,
                null,
                sandbox.url(),
                5000,
                2,
                200,
                null,
                Instant.parse("2026-07-01T10:00:06Z"),
                Delivery.GLOBAL_ENDPOINT);
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            DefaultExchange exchange = new DefaultExchange(camel);
            var request = new MatriculaRequest(
                    new ImageStore(images, false), new CertificateStore(db, DIR, Clock.systemUTC()), 10_000);
            request.build(exchange, d, request.read(d));
            CxfPayload<?> body = exchange.getMessage().getBody(CxfPayload.class);
            payload = text(((DOMSource) body.getBodySources().get(0)).getNode());
        }
        // every element the product can send is there, in the product's order
        assertThat(payload)
                .containsSubsequence(
                        "codiLector>GIR-LECTOR-1<",
                        "matricula>1234GIR<",
                        "dataLectura>2026-07-01<",
                        "horaLectura>10:00:05<",
                        "imgMatricula>",
                        "imgContext>",
                        "coordenadaX>2.8214<",
                        "coordenadaY>41.9794<",
                        "pais>ESP<");
    }

    @BeforeEach
    void clean() {
        sandbox.reset();
    }

    @AfterAll
    void close() throws Exception {
        sandbox.close();
        TestDb.reset(db);
        db.close();
    }

    @Test
    void theProductsRequestValidatesAndIsAcceptedSignedOrNot() throws Exception {
        assertThat(sandbox.wsdl())
                .isEqualTo(Setting.MOSSOS_WSDL_URL.defaultValue())
                .isEqualTo("classpath:wsdl/matricules.wsdl");
        HttpResponse<String> signed = post(sandbox, signed(payload));
        assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
        sandbox.verify(false);
        HttpResponse<String> unsigned = post(sandbox, envelope(payload));
        assertThat(unsigned.statusCode()).as(unsigned.body()).isEqualTo(200);
        assertThat(sandbox.received())
                .extracting(MossosSandbox.Received::key)
                .containsExactly(
                        "GIR-LECTOR-1|1234GIR|2026-07-01|10:00:05", "GIR-LECTOR-1|1234GIR|2026-07-01|10:00:05");
        assertThat(sandbox.received().get(0).signer()).contains("CN=Ajuntament de Girona");
        assertThat(sandbox.rejectedCount()).isZero();
    }

    @Test
    void twoElementsSwappedAreRefusedNamingThem() throws Exception {
        String swapped = swapDateAndTime(payload);
        assertThat(swapped).containsSubsequence("horaLectura>", "dataLectura>");
        refused(swapped, "horaLectura", "dataLectura");
    }

    @Test
    void anUnknownElementIsRefusedNamingIt() throws Exception {
        refused(payload.replace("</m:matricula>", "</m:matricula><m:velocitat>87</m:velocitat>"), "velocitat");
    }

    @Test
    void aMissingRequiredElementIsRefusedNamingIt() throws Exception {
        String noOcr = payload.replaceAll("<m:imgMatricula>[^<]*</m:imgMatricula>", "");
        assertThat(noOcr).doesNotContain("imgMatricula").contains("imgContext");
        refused(noOcr, "imgMatricula");
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedNamingTheElement() throws Exception {
        refused(
                payload.replaceAll(
                        "<m:imgMatricula>[^<]*</m:imgMatricula>", "<m:imgMatricula>not base64!</m:imgMatricula>"),
                "'m:imgMatricula'",
                "base64Binary");
        refused(payload.replace(">1234GIR<", ">1234GIRONA1<"), "maxLength", "'m:matricula'");
    }

    @Test
    void withValidationOffAnInvalidBodyIsAccepted() throws Exception {
        sandbox.validate(false).verify(false);
        assertThat(post(sandbox, envelope(swapDateAndTime(payload))).statusCode())
                .isEqualTo(200);
        assertThat(sandbox.rejectedCount()).isZero();
    }

    @Test
    void theSchemaIsTheOneOfTheWsdlInUse() throws Exception {
        String packaged;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("wsdl/matricules.wsdl")) {
            packaged = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String date = "<xs:element name=\"dataLectura\" type=\"xs:string\"/>";
        String time = "<xs:element name=\"horaLectura\" type=\"xs:string\"/>";
        assertThat(packaged).containsSubsequence(date, time);
        Path other = DIR.resolve("hora-before-data.wsdl");
        Files.writeString(
                other, packaged.replace(date, "@@").replace(time, date).replace("@@", time));
        String url = other.toUri().toString();
        try (MossosSandbox horaFirst = new MossosSandbox(OTHER_PORT, 2, url).verify(false)) {
            assertThat(horaFirst.wsdl()).isEqualTo(url);
            HttpResponse<String> product = post(horaFirst, envelope(payload));
            assertThat(product.statusCode()).isEqualTo(500);
            assertThat(product.body())
                    .contains("schema: ")
                    .contains("dataLectura")
                    .contains("horaLectura");
            assertThat(post(horaFirst, envelope(swapDateAndTime(payload))).statusCode())
                    .isEqualTo(200);
            assertThat(horaFirst.rejectedCount()).isEqualTo(1);
            assertThat(horaFirst.received()).hasSize(1);
        }

        Path noTypes = DIR.resolve("no-types.wsdl");
        Files.writeString(noTypes, packaged.replaceAll("(?s)<wsdl:types>.*</wsdl:types>", ""));
        assertThatThrownBy(
                        () -> new MossosSandbox(OTHER_PORT, 2, noTypes.toUri().toString()).close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no xsd:schema");
    }

    /** Refused, signed (after a good signature) and unsigned, counted as rejected, the Fault naming what is wrong. */
    private void refused(String badPayload, String... named) throws Exception {
        int before = sandbox.rejectedCount();
        sandbox.verify(true);
        HttpResponse<String> signed = post(sandbox, signed(badPayload));
        assertThat(signed.statusCode()).isEqualTo(500);
        assertThat(signed.body())
                .contains("<faultcode>soapenv:Client</faultcode>")
                .contains("schema: ")
                .contains(named)
                .doesNotContain("WS-Security");
        sandbox.verify(false);
        HttpResponse<String> unsigned = post(sandbox, envelope(badPayload));
        assertThat(unsigned.statusCode()).isEqualTo(500);
        assertThat(unsigned.body())
                .contains("<faultcode>soapenv:Client</faultcode>")
                .contains("schema: ")
                .contains(named);
        assertThat(sandbox.rejectedCount()).isEqualTo(before + 2);
        assertThat(sandbox.received()).isEmpty();
    }

    private static String swapDateAndTime(String p) {
        return p.replaceAll("(<m:dataLectura>[^<]*</m:dataLectura>)(<m:horaLectura>[^<]*</m:horaLectura>)", "$2$1");
    }

    private static String envelope(String body) {
        return "<soapenv:Envelope xmlns:soapenv=\"" + MossosSandbox.SOAP + "\"><soapenv:Body>" + body
                + "</soapenv:Body></soapenv:Envelope>";
    }

    /** The envelope signed as the sender signs it: Timestamp, BinarySecurityToken, RSA-SHA256 over Timestamp and Body. */
    private String signed(String body) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document doc = factory.newDocumentBuilder()
                .parse(new ByteArrayInputStream(envelope(body).getBytes(StandardCharsets.UTF_8)));
        WSSecHeader header = new WSSecHeader(doc);
        header.insertSecurityHeader();
        new WSSecTimestamp(header).build();
        WSPasswordCallback password = new WSPasswordCallback(signing.alias(), WSPasswordCallback.SIGNATURE);
        signing.passwordCallback().handle(new Callback[] {password});
        WSSecSignature signature = new WSSecSignature(header);
        signature.setUserInfo(signing.alias(), password.getPassword());
        signature.setKeyIdentifierType(WSConstants.BST_DIRECT_REFERENCE);
        signature.setSignatureAlgorithm(WSConstants.RSA_SHA256);
        signature.setDigestAlgo(WSConstants.SHA256);
        signature.getParts().add(new WSEncryptionPart("Timestamp", WSConstants.WSU_NS, ""));
        signature.getParts().add(new WSEncryptionPart("Body", MossosClient.SOAP11, ""));
        signature.build(signing.crypto());
        return text(doc);
    }

    private static String text(Node node) throws Exception {
        Transformer t = TransformerFactory.newInstance().newTransformer();
        t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
        StringWriter out = new StringWriter();
        t.transform(new DOMSource(node), new StreamResult(out));
        return out.toString();
    }

    private HttpResponse<String> post(MossosSandbox to, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(to.url()))
                        .header("Content-Type", "text/xml; charset=utf-8")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
