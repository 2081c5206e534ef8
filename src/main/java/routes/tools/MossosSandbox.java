package routes.tools;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.xml.XMLConstants;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.apache.wss4j.common.crypto.Merlin;
import org.apache.wss4j.dom.WSConstants;
import org.apache.wss4j.dom.engine.WSSConfig;
import org.apache.wss4j.dom.engine.WSSecurityEngine;
import org.apache.wss4j.dom.engine.WSSecurityEngineResult;
import org.apache.wss4j.dom.handler.RequestData;
import org.apache.wss4j.dom.handler.WSHandlerResult;
import org.apache.wss4j.dom.str.STRParser;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * A local stand-in for the Mossos {@code matricula} service. It verifies each request's WS-Security
 * header — a signature by a trusted X.509 certificate (BinarySecurityToken) covering Body and
 * Timestamp, and a current Timestamp — and answers {@code codiRetorn}. It can be told to answer an
 * error code, a SOAP Fault, slowly, or to be down, and it records what it received.
 */
public final class MossosSandbox implements AutoCloseable {

    static final String NS = "http://dgp.gencat.cat/matricules";
    static final String SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
    private static final QName BODY = new QName(SOAP, "Body");
    private static final QName TIMESTAMP = new QName(WSConstants.WSU_NS, "Timestamp");
    private static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024;

    /** One request as received. */
    public record Received(String path, String codiLector, String matricula, String dataLectura, String horaLectura, String signer,
                           boolean hasContext) {
        public String key() {
            return codiLector + "|" + matricula + "|" + dataLectura + "|" + horaLectura;
        }
    }

    private final HttpServer server;
    private final ExecutorService pool;
    private final Merlin trust = new Merlin();
    private final KeyStore trustStore;
    private final DocumentBuilderFactory documents = DocumentBuilderFactory.newInstance();
    private final XMLInputFactory streams = XMLInputFactory.newInstance();

    private volatile boolean verify = true;
    private volatile String codiRetorn = "1";
    private volatile long latencyMillis;
    private volatile boolean down;
    private final AtomicInteger faultsToGive = new AtomicInteger();
    private final Map<String, String> codeByPlate = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger rejected = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger abandoned = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile byte[] lastRequest;
    private volatile java.util.function.Consumer<Received> listener = r -> { };

    public MossosSandbox(int port, int threads) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        documents.setNamespaceAware(true);
        documents.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        documents.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        streams.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        streams.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trust.setTrustStore(trustStore);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        pool = Executors.newFixedThreadPool(threads);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port() + "/matricules";
    }

    /** Certificates whose signatures are accepted. */
    public synchronized MossosSandbox trust(Collection<X509Certificate> certificates) throws Exception {
        for (X509Certificate c : certificates) {
            trustStore.setCertificateEntry("trusted-" + trustStore.size(), c);
        }
        trust.setTrustStore(trustStore);
        return this;
    }

    public MossosSandbox verify(boolean on) {
        this.verify = on;
        return this;
    }

    public MossosSandbox codiRetorn(String code) {
        this.codiRetorn = code;
        return this;
    }

    /** Answer this code for one plate (or "FAULT" for a SOAP Fault), whatever the default. */
    public MossosSandbox codiRetornFor(String plate, String code) {
        codeByPlate.put(plate, code);
        return this;
    }

    public MossosSandbox latency(long millis) {
        this.latencyMillis = millis;
        return this;
    }

    /** While down, every request gets HTTP 503 with an HTML body, as a proxy in front of a dead service would. */
    public MossosSandbox down(boolean isDown) {
        this.down = isDown;
        return this;
    }

    /** The next {@code n} requests get a SOAP Fault. */
    public MossosSandbox faults(int n) {
        faultsToGive.set(n);
        return this;
    }

    public List<Received> received() {
        return new ArrayList<>(received);
    }

    /** Called with each accepted request (after verification). */
    public MossosSandbox onReceived(java.util.function.Consumer<Received> l) {
        this.listener = l;
        return this;
    }

    /** The raw bytes of the last request received. */
    public byte[] lastRequest() {
        return lastRequest;
    }

    public int rejectedCount() {
        return rejected.get();
    }

    public int requestCount() {
        return requests.get();
    }

    /** Answers that found the connection closed: the client stopped waiting before the sandbox answered. */
    public int abandonedCount() {
        return abandoned.get();
    }

    /** Requests being handled now (a slow one is still waiting to answer). */
    public int inFlight() {
        return inFlight.get();
    }

    public void reset() {
        received.clear();
        codeByPlate.clear();
        rejected.set(0);
        requests.set(0);
        abandoned.set(0);
        faultsToGive.set(0);
        down = false;
        latencyMillis = 0;
        codiRetorn = "1";
        verify = true;
    }

    private void handle(HttpExchange ex) throws IOException {
        inFlight.incrementAndGet();
        try {
            requests.incrementAndGet();
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readNBytes(MAX_REQUEST_BYTES + 1);
            }
            lastRequest = body;
            if (latencyMillis > 0) {
                Thread.sleep(latencyMillis);
            }
            if (down) {
                send(ex, 503, "text/html", "<html><body>503 Service Unavailable</body></html>");
                return;
            }
            if (body.length > MAX_REQUEST_BYTES) {
                send(ex, 413, "text/plain", "too large");
                return;
            }
            Fields f;
            String signer = null;
            if (verify) {
                Document doc = documents.newDocumentBuilder().parse(new ByteArrayInputStream(body));
                try {
                    signer = verifySignature(doc);
                } catch (Exception e) {
                    rejected.incrementAndGet();
                    send(ex, 500, "text/xml; charset=utf-8", fault("soapenv:Client", "WS-Security: " + e.getMessage()));
                    return;
                }
                f = Fields.of(doc);
            } else {
                f = Fields.stream(streams, body);
            }
            Received r = new Received(ex.getRequestURI().getPath(), f.codiLector(), f.matricula(), f.dataLectura(), f.horaLectura(),
                    signer, f.hasContext());
            if (faultsToGive.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || "FAULT".equals(codeByPlate.get(r.matricula()))) {
                send(ex, 500, "text/xml; charset=utf-8", fault("soapenv:Server", "simulated fault"));
                return;
            }
            if (!f.hasImgMatricula() || r.matricula() == null) {
                send(ex, 500, "text/xml; charset=utf-8", fault("soapenv:Client", "matriculaRequest incomplete"));
                return;
            }
            received.add(r);
            listener.accept(r);
            String code = codeByPlate.getOrDefault(r.matricula(), codiRetorn);
            send(ex, 200, "text/xml; charset=utf-8", "<soapenv:Envelope xmlns:soapenv=\"" + SOAP + "\"><soapenv:Body>"
                    + "<m:matriculaResponse xmlns:m=\"" + NS + "\"><m:codiRetorn>" + code + "</m:codiRetorn></m:matriculaResponse>"
                    + "</soapenv:Body></soapenv:Envelope>");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            send(ex, 500, "text/xml; charset=utf-8", fault("soapenv:Client", "bad request: " + e.getClass().getSimpleName()));
        } finally {
            ex.close();
            inFlight.decrementAndGet();
        }
    }

    /** Verifies the WS-Security header; returns the signer's subject or throws saying what is wrong. */
    private String verifySignature(Document doc) throws Exception {
        RequestData data = new RequestData();
        data.setWssConfig(WSSConfig.getNewInstance());
        data.setSigVerCrypto(trust);
        data.setSubjectCertConstraints(List.of(java.util.regex.Pattern.compile(".*")));
        WSSecurityEngine engine = new WSSecurityEngine();
        WSHandlerResult result = engine.processSecurityHeader(doc, data);
        if (result == null) {
            throw new SecurityException("no Security header");
        }
        List<WSSecurityEngineResult> signatures = result.getActionResults().getOrDefault(WSConstants.SIGN, List.of());
        List<WSSecurityEngineResult> timestamps = result.getActionResults().getOrDefault(WSConstants.TS, List.of());
        if (signatures.isEmpty()) {
            throw new SecurityException("no signature");
        }
        if (timestamps.isEmpty()) {
            throw new SecurityException("no Timestamp");
        }
        WSSecurityEngineResult sig = signatures.get(0);
        if (sig.get(WSSecurityEngineResult.TAG_X509_REFERENCE_TYPE) != STRParser.REFERENCE_TYPE.DIRECT_REF) {
            throw new SecurityException("signature key is not a BinarySecurityToken reference");
        }
        @SuppressWarnings("unchecked")
        List<org.apache.wss4j.dom.WSDataRef> refs = (List<org.apache.wss4j.dom.WSDataRef>) sig.get(WSSecurityEngineResult.TAG_DATA_REF_URIS);
        boolean body = refs.stream().anyMatch(r -> BODY.equals(r.getName()));
        boolean ts = refs.stream().anyMatch(r -> TIMESTAMP.equals(r.getName()));
        if (!body || !ts) {
            throw new SecurityException("signature does not cover Body and Timestamp");
        }
        X509Certificate cert = (X509Certificate) sig.get(WSSecurityEngineResult.TAG_X509_CERTIFICATE);
        return cert.getSubjectX500Principal().getName();
    }

    /** The request fields the sandbox records. */
    private record Fields(String codiLector, String matricula, String dataLectura, String horaLectura, boolean hasImgMatricula,
                          boolean hasContext) {

        static Fields of(Document doc) {
            return new Fields(text(doc, "codiLector"), text(doc, "matricula"), text(doc, "dataLectura"), text(doc, "horaLectura"),
                    present(doc, "imgMatricula"), present(doc, "imgContext"));
        }

        /**
         * Without verification there is no need for a DOM: a streaming pass that never materialises the
         * images keeps the sandbox from taking CPU the sender being measured needs.
         */
        static Fields stream(XMLInputFactory factory, byte[] body) throws XMLStreamException {
            Map<String, String> values = new java.util.HashMap<>();
            XMLStreamReader in = factory.createXMLStreamReader(new ByteArrayInputStream(body));
            try {
                while (in.hasNext()) {
                    if (in.next() == XMLStreamConstants.START_ELEMENT && NS.equals(in.getNamespaceURI())) {
                        String name = in.getLocalName();
                        switch (name) {
                            // the first of each, as the DOM path reads them
                            case "codiLector", "matricula", "dataLectura", "horaLectura" -> values.putIfAbsent(name, in.getElementText().strip());
                            case "imgMatricula", "imgContext" -> values.putIfAbsent(name, "");
                            default -> { }
                        }
                    }
                }
            } finally {
                in.close();
            }
            return new Fields(values.get("codiLector"), values.get("matricula"), values.get("dataLectura"), values.get("horaLectura"),
                    values.containsKey("imgMatricula"), values.containsKey("imgContext"));
        }
    }

    /** Whether the element is there, without copying its text (the images are most of the request). */
    private static boolean present(Document doc, String name) {
        return doc.getElementsByTagNameNS(NS, name).getLength() > 0;
    }

    private static String text(Document doc, String name) {
        NodeList n = doc.getElementsByTagNameNS(NS, name);
        return n.getLength() == 0 ? null : n.item(0).getTextContent().strip();
    }

    private static String fault(String code, String message) {
        String safe = message == null ? "" : message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return "<soapenv:Envelope xmlns:soapenv=\"" + SOAP + "\"><soapenv:Body><soapenv:Fault><faultcode>" + code
                + "</faultcode><faultstring>" + safe + "</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
    }

    private void send(HttpExchange ex, int status, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        try {
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException clientGone) {
            abandoned.incrementAndGet();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
