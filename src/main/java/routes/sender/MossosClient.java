package routes.sender;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.xml.namespace.QName;
import org.apache.camel.CamelContext;
import org.apache.camel.component.cxf.common.DataFormat;
import org.apache.camel.component.cxf.jaxws.CxfEndpoint;
import org.apache.cxf.transport.http.HTTPConduitFactory;
import org.apache.cxf.transport.http.URLConnectionHTTPConduit;
import org.apache.wss4j.common.ConfigurationConstants;
import org.apache.wss4j.dom.engine.WSSConfig;
import org.apache.wss4j.stax.ext.WSSSecurityProperties;
import org.apache.wss4j.stax.setup.ConfigurationConverter;
import org.apache.wss4j.stax.setup.WSSec;
import org.apache.xml.security.Init;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one CXF endpoint for the matricula service: PAYLOAD mode (so the interceptor chain runs), the
 * WSDL's names, and streaming WS-Security with the static signing policy — Timestamp, then an X.509
 * BinarySecurityToken signature over Timestamp and Body, RSA-SHA256, exclusive C14N. The certificate
 * is chosen per message (see {@link MatriculaRequest} and {@link MunicipalitySignatureInterceptor}).
 */
public final class MossosClient {

    public static final String WSU =
            "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    public static final String SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/";

    private static final Logger LOG = LoggerFactory.getLogger(MossosClient.class);

    private MossosClient() {}

    /**
     * Initialises WSS4J and Santuario (algorithm registries, C14N) at start-up, so the first reading
     * does not pay for it (about a second on a small machine).
     */
    private static void warmUp() {
        WSSConfig.init();
        Init.init();
        WSSec.init();
    }

    /**
     * Reads the WSDL into a CXF client once and throws it away: the sender's own client is made at its first send
     * ({@code lazyStartProducer}, so the camera port listens ~0.15 s sooner), and this finds an unusable
     * {@code MOSSOS_WSDL_URL} at start, with one clear line, instead of at the first reading; it also loads and
     * compiles what the first send's client needs. Sends that fail on it are retried, as in an outage.
     */
    public static void checkWsdl(CxfEndpoint endpoint) {
        try {
            endpoint.createClient().destroy();
        } catch (Exception | LinkageError e) {
            LOG.error(
                    "[SENDER] El WSDL de Mossos ({}) no se puede usar: {}; las lecturas se guardan y su envío se"
                            + " reintenta",
                    withoutCredentials(endpoint.getWsdlURL()),
                    withoutCredentials(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    /** A URL's user and password (http://user:password@host/...) never reach the log. */
    static String withoutCredentials(String text) {
        return text == null ? null : text.replaceAll("://[^/@\\s]+@", "://***@");
    }

    /**
     * Timestamp, then an X.509 BinarySecurityToken signature over Timestamp and Body: RSA-SHA256, SHA-256
     * digests, exclusive C14N, a five-minute Timestamp, mustUnderstand. No certificate: that is per message.
     */
    static WSSSecurityProperties signingPolicy() {
        Map<String, Object> wss = new HashMap<>();
        wss.put(
                ConfigurationConstants.ACTION,
                ConfigurationConstants.TIMESTAMP + " " + ConfigurationConstants.SIGNATURE);
        wss.put(ConfigurationConstants.SIG_KEY_ID, "DirectReference");
        wss.put(
                ConfigurationConstants.SIGNATURE_PARTS,
                "{Element}{" + WSU + "}Timestamp;{Element}{" + SOAP11 + "}Body");
        wss.put(ConfigurationConstants.SIG_ALGO, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
        wss.put(ConfigurationConstants.SIG_DIGEST_ALGO, "http://www.w3.org/2001/04/xmlenc#sha256");
        wss.put(ConfigurationConstants.SIG_C14N_ALGO, "http://www.w3.org/2001/10/xml-exc-c14n#");
        wss.put(ConfigurationConstants.TTL_TIMESTAMP, "300");
        wss.put(ConfigurationConstants.MUST_UNDERSTAND, "true");
        return ConfigurationConverter.convert(wss);
    }

    /**
     * @param connections sends in flight at most ({@code SENDER_CONCURRENCY}): idle HTTP connections kept open
     *                    for reuse per endpoint
     * @param turns       given back by each message once it is written
     */
    public static CxfEndpoint endpoint(
            CamelContext context, String wsdlUrl, boolean soapDebug, int connections, SigningTurns turns) {
        // The JDK keeps 5 idle keep-alive connections per host unless told otherwise: with more sends in flight,
        // every other send would open a new connection. Read once, when the first connection is pooled.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", String.valueOf(Math.max(5, connections)));
        }
        CxfEndpoint ep = new CxfEndpoint();
        ep.setCamelContext(context);
        ep.setBeanId("mossosEndpoint");
        ep.setAddress("http://localhost/matricules-address-set-per-message");
        ep.setWsdlURL(wsdlUrl);
        ep.setServiceNameAsQName(new QName(MatriculaRequest.NS, "MatriculesService"));
        ep.setPortNameAsQName(new QName(MatriculaRequest.NS, "MatriculesSoap11"));
        ep.setDataFormat(DataFormat.PAYLOAD);
        ep.setDefaultOperationName("matricula");
        ep.setDefaultOperationNamespace(MatriculaRequest.NS);
        ep.setSkipFaultLogging(true);

        // Made on its own thread (it initialises WSS4J and Santuario); the chain keeps its place meanwhile.
        CompletableFuture<MunicipalitySignatureInterceptor> signer = CompletableFuture.supplyAsync(
                () -> {
                    warmUp();
                    return new MunicipalitySignatureInterceptor(signingPolicy());
                },
                task -> {
                    Thread t = new Thread(task, "wss-warm-up");
                    t.setDaemon(true);
                    t.start();
                });
        signer.exceptionally(e -> {
            LOG.error(
                    "[SENDER] No se pudo preparar la firma WS-Security: {}; no se envía ninguna lectura sin firmar",
                    String.valueOf(e.getCause() == null ? e : e.getCause()));
            return null;
        });
        ep.getOutInterceptors().add(new DeferredSignatureInterceptor(signer));
        ep.getOutInterceptors().add(turns.giveBackWhenWritten());
        ep.getOutInterceptors().add(new WrittenRequestRelease());
        // HttpURLConnection writes the request straight to the socket; CXF's default java.net.http conduit pipes
        // it through another thread. Measured with the sender benchmark: 10 % less CPU per send, half the kernel time.
        ep.getBus()
                .setExtension(
                        (HTTPConduitFactory)
                                (factory, bus, info, target) -> new URLConnectionHTTPConduit(bus, info, target),
                        HTTPConduitFactory.class);
        // Its timeouts do not cover writing the request: the send deadline does.
        SendDeadline deadline = new SendDeadline();
        try {
            context.addService(deadline);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        ep.getOutInterceptors().add(deadline.arm());
        ep.getInInterceptors().add(deadline.lift());
        ep.getInFaultInterceptors().add(deadline.lift());

        if (soapDebug) {
            SoapDebugLog.install(ep);
        }
        return ep;
    }
}
