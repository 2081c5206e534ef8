package routes.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sandbox's reading of requests when its signature verification is off (the benchmark's fast path). */
class MossosSandboxTest {

    private static final int PORT = 23394;
    private MossosSandbox sandbox;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        sandbox = new MossosSandbox(PORT, 4).verify(false);
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void withVerificationOffAnUnsignedRequestIsRecordedWithItsFields() throws Exception {
        HttpResponse<String> r =
                post(envelope("<m:codiLector> LECTOR-1 </m:codiLector><m:matricula>1234ABC</m:matricula>"
                        + "<m:dataLectura>2026-07-01</m:dataLectura><m:horaLectura>12:00:05</m:horaLectura>"
                        + "<m:imgMatricula>/9j/4AAQ</m:imgMatricula><m:imgContext>/9j/4AAQ</m:imgContext>"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("<m:codiRetorn>1</m:codiRetorn>");
        MossosSandbox.Received got = sandbox.received().get(0);
        assertThat(got.key()).isEqualTo("LECTOR-1|1234ABC|2026-07-01|12:00:05");
        assertThat(got.hasContext()).isTrue();
        assertThat(got.signer()).isNull();
    }

    @Test
    void withVerificationOffARequestWithoutTheOcrImageIsAFault() throws Exception {
        HttpResponse<String> r = post(envelope("<m:codiLector>L</m:codiLector><m:matricula>1234ABC</m:matricula>"));
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("schema: ").contains("dataLectura");
        assertThat(sandbox.received()).isEmpty();
        assertThat(sandbox.rejectedCount()).isEqualTo(1);

        sandbox.validate(false);
        r = post(envelope("<m:codiLector>L</m:codiLector><m:matricula>1234ABC</m:matricula>"));
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("matriculaRequest incomplete");
        assertThat(sandbox.received()).isEmpty();
    }

    @Test
    void withVerificationOffAnEntityDeclaredInADoctypeIsNeverExpanded() throws Exception {
        String bomb =
                "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                        + envelope("<m:matricula>&b;</m:matricula><m:imgMatricula>x</m:imgMatricula>");
        HttpResponse<String> r = post(bomb);
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("bad request");
        assertThat(sandbox.received()).isEmpty();
    }

    private static String envelope(String fields) {
        return "<soapenv:Envelope xmlns:soapenv=\"" + MossosSandbox.SOAP
                + "\"><soapenv:Body><m:matriculaRequest xmlns:m=\"" + MossosSandbox.NS + "\">" + fields
                + "</m:matriculaRequest></soapenv:Body></soapenv:Envelope>";
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(sandbox.url()))
                        .header("Content-Type", "text/xml; charset=utf-8")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
