package routes.tools;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.transform.Source;
import javax.xml.transform.dom.DOMSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import javax.xml.validation.ValidatorHandler;
import org.apache.wss4j.common.crypto.Merlin;
import org.apache.wss4j.dom.WSConstants;
import org.apache.wss4j.dom.WSDataRef;
import org.apache.wss4j.dom.engine.WSSConfig;
import org.apache.wss4j.dom.engine.WSSecurityEngine;
import org.apache.wss4j.dom.engine.WSSecurityEngineResult;
import org.apache.wss4j.dom.handler.RequestData;
import org.apache.wss4j.dom.handler.WSHandlerResult;
import org.apache.wss4j.dom.str.STRParser;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.AttributesImpl;
import routes.config.Setting;

/**
 * A local stand-in for the Mossos {@code matricula} service. It verifies each request's WS-Security
 * header — a signature by a trusted X.509 certificate (BinarySecurityToken) covering Body and
 * Timestamp, and a current Timestamp — validates the SOAP Body's payload against the XML Schema of
 * the WSDL in use (the {@code <types>} of {@code MOSSOS_WSDL_URL}, by default the packaged one), and
 * answers {@code codiRetorn}. It can be told to answer an error code, a SOAP Fault, slowly, or to be
 * down, and it records what it received.
 */
public final class MossosSandbox implements AutoCloseable {

    static final String NS = "http://dgp.gencat.cat/matricules";
    static final String SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
    private static final QName BODY = new QName(SOAP, "Body");
    private static final QName TIMESTAMP = new QName(WSConstants.WSU_NS, "Timestamp");
    private static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024;
    /** The WSDL the sender uses unless MOSSOS_WSDL_URL says otherwise. */
    public static final String DEFAULT_WSDL = Setting.MOSSOS_WSDL_URL.defaultValue();

    /** One request as received. */
    public record Received(
            String path,
            String codiLector,
            String matricula,
            String dataLectura,
            String horaLectura,
            String signer,
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
    private final Schema schema;
    private final String wsdl;

    private volatile boolean verify = true;
    private volatile boolean validate = true;
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
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private volatile byte[] lastRequest;
    private volatile Consumer<Received> listener = r -> {};

    /** A sandbox that validates requests against the packaged WSDL ({@link #DEFAULT_WSDL}). */
    public MossosSandbox(int port, int threads) throws Exception {
        this(port, threads, DEFAULT_WSDL);
    }

    /**
     * @param wsdlUrl the WSDL whose schema request bodies are validated against, as MOSSOS_WSDL_URL names it
     *                ({@code classpath:…}, {@code file:…}, {@code http(s)://…})
     */
    public MossosSandbox(int port, int threads, String wsdlUrl) throws Exception {
        this.wsdl = wsdlUrl;
        this.schema = WsdlSchema.load(wsdlUrl);
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

    /** Whether each request's Body payload is validated against the WSDL's schema (on unless turned off). */
    public MossosSandbox validate(boolean on) {
        this.validate = on;
        return this;
    }

    /** The WSDL whose schema requests are validated against. */
    public String wsdl() {
        return wsdl;
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
    public MossosSandbox onReceived(Consumer<Received> l) {
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

    /** The most requests it was handling at once since it started or was {@link #reset()}. */
    public int maxConcurrent() {
        return maxConcurrent.get();
    }

    public void reset() {
        received.clear();
        codeByPlate.clear();
        rejected.set(0);
        requests.set(0);
        abandoned.set(0);
        maxConcurrent.set(inFlight.get());
        faultsToGive.set(0);
        down = false;
        latencyMillis = 0;
        codiRetorn = "1";
        verify = true;
        validate = true;
    }

    private void handle(HttpExchange ex) throws IOException {
        maxConcurrent.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
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
            try {
                if (verify) {
                    Document doc = documents.newDocumentBuilder().parse(new ByteArrayInputStream(body));
                    try {
                        signer = verifySignature(doc);
                    } catch (Exception e) {
                        rejected.incrementAndGet();
                        send(
                                ex,
                                500,
                                "text/xml; charset=utf-8",
                                fault("soapenv:Client", "WS-Security: " + e.getMessage()));
                        return;
                    }
                    if (validate) {
                        validate(doc);
                    }
                    f = Fields.of(doc);
                } else {
                    f = Fields.stream(streams, body, validate ? schema.newValidatorHandler() : null);
                }
            } catch (InvalidPayload e) {
                rejected.incrementAndGet();
                send(ex, 500, "text/xml; charset=utf-8", fault("soapenv:Client", "schema: " + e.getMessage()));
                return;
            }
            Received r = new Received(
                    ex.getRequestURI().getPath(),
                    f.codiLector(),
                    f.matricula(),
                    f.dataLectura(),
                    f.horaLectura(),
                    signer,
                    f.hasContext());
            if (faultsToGive.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                    || "FAULT".equals(codeByPlate.get(r.matricula()))) {
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
            send(
                    ex,
                    200,
                    "text/xml; charset=utf-8",
                    "<soapenv:Envelope xmlns:soapenv=\"" + SOAP + "\"><soapenv:Body>"
                            + "<m:matriculaResponse xmlns:m=\"" + NS + "\"><m:codiRetorn>" + code
                            + "</m:codiRetorn></m:matriculaResponse>"
                            + "</soapenv:Body></soapenv:Envelope>");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            send(
                    ex,
                    500,
                    "text/xml; charset=utf-8",
                    fault("soapenv:Client", "bad request: " + e.getClass().getSimpleName()));
        } finally {
            ex.close();
            inFlight.decrementAndGet();
        }
    }

    /** Validates each element in the SOAP Body against the WSDL's schema; throws saying what is wrong. */
    private void validate(Document doc) throws InvalidPayload, IOException {
        Element body = child(doc.getDocumentElement(), BODY);
        List<Element> payload = new ArrayList<>();
        for (Node n = body == null ? null : body.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                payload.add(e);
            }
        }
        if (payload.isEmpty()) {
            throw new InvalidPayload("no element in the SOAP Body");
        }
        Validator validator = schema.newValidator();
        Problems problems = new Problems();
        validator.setErrorHandler(problems);
        for (Element e : payload) {
            try {
                validator.validate(new DOMSource(e));
            } catch (SAXException fatal) {
                problems.add(fatal);
            }
        }
        problems.throwIfAny();
    }

    private static Element child(Element parent, QName name) {
        for (Node n = parent == null ? null : parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e
                    && name.getNamespaceURI().equals(e.getNamespaceURI())
                    && name.getLocalPart().equals(e.getLocalName())) {
                return e;
            }
        }
        return null;
    }

    /** A request whose Body the WSDL's schema does not allow; the message says where. */
    static final class InvalidPayload extends Exception {
        InvalidPayload(String message) {
            super(message);
        }
    }

    /**
     * The validation errors of one request (the first few). Xerces reports a bad value first and the element
     * holding it next, so collecting rather than stopping at the first error names the element; long values
     * (an image) are shortened.
     */
    private static final class Problems implements ErrorHandler {
        private static final int MOST = 3;
        private static final Pattern LONG_VALUE = Pattern.compile("([^\\s'\"]{32})[^\\s'\"]{32,}");
        private final List<String> messages = new ArrayList<>();

        @Override
        public void warning(SAXParseException e) {}

        @Override
        public void error(SAXParseException e) {
            add(e);
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }

        void add(SAXException e) {
            if (messages.size() < MOST) {
                messages.add(LONG_VALUE.matcher(String.valueOf(e.getMessage())).replaceAll("$1…"));
            }
        }

        void throwIfAny() throws InvalidPayload {
            if (!messages.isEmpty()) {
                throw new InvalidPayload(String.join("; ", messages));
            }
        }
    }

    /** Verifies the WS-Security header; returns the signer's subject or throws saying what is wrong. */
    private String verifySignature(Document doc) throws Exception {
        RequestData data = new RequestData();
        data.setWssConfig(WSSConfig.getNewInstance());
        data.setSigVerCrypto(trust);
        data.setSubjectCertConstraints(List.of(Pattern.compile(".*")));
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
        List<WSDataRef> refs = (List<WSDataRef>) sig.get(WSSecurityEngineResult.TAG_DATA_REF_URIS);
        boolean body = refs.stream().anyMatch(r -> BODY.equals(r.getName()));
        boolean ts = refs.stream().anyMatch(r -> TIMESTAMP.equals(r.getName()));
        if (!body || !ts) {
            throw new SecurityException("signature does not cover Body and Timestamp");
        }
        X509Certificate cert = (X509Certificate) sig.get(WSSecurityEngineResult.TAG_X509_CERTIFICATE);
        return cert.getSubjectX500Principal().getName();
    }

    /** The request fields the sandbox records. */
    private record Fields(
            String codiLector,
            String matricula,
            String dataLectura,
            String horaLectura,
            boolean hasImgMatricula,
            boolean hasContext) {

        static Fields of(Document doc) {
            return new Fields(
                    text(doc, "codiLector"),
                    text(doc, "matricula"),
                    text(doc, "dataLectura"),
                    text(doc, "horaLectura"),
                    present(doc, "imgMatricula"),
                    present(doc, "imgContext"));
        }

        /**
         * Without verification there is no need for a DOM: a streaming pass that never builds a tree keeps the
         * sandbox from taking CPU the sender being measured needs. With a validator, the Body's payload is fed to
         * it as it is read.
         */
        static Fields stream(XMLInputFactory factory, byte[] body, ValidatorHandler validator)
                throws XMLStreamException, InvalidPayload {
            Map<String, String> values = new HashMap<>();
            XMLStreamReader in = factory.createXMLStreamReader(new ByteArrayInputStream(body));
            PayloadFeed feed = validator == null ? null : new PayloadFeed(validator);
            String field = null;
            int fieldDepth = 0;
            StringBuilder text = null;
            int depth = 0;
            try {
                while (in.hasNext()) {
                    switch (in.next()) {
                        case XMLStreamConstants.START_ELEMENT -> {
                            depth++;
                            if (feed != null) {
                                feed.start(in, depth);
                            }
                            if (field == null && NS.equals(in.getNamespaceURI())) {
                                String name = in.getLocalName();
                                switch (name) {
                                    // the first of each, as the DOM path reads them
                                    case "codiLector", "matricula", "dataLectura", "horaLectura" -> {
                                        if (!values.containsKey(name)) {
                                            field = name;
                                            fieldDepth = depth;
                                            text = new StringBuilder();
                                        }
                                    }
                                    case "imgMatricula", "imgContext" -> values.putIfAbsent(name, "");
                                    default -> {}
                                }
                            }
                        }
                        case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                            if (feed != null) {
                                feed.characters(in);
                            }
                            if (text != null) {
                                text.append(in.getTextCharacters(), in.getTextStart(), in.getTextLength());
                            }
                        }
                        case XMLStreamConstants.END_ELEMENT -> {
                            if (feed != null) {
                                feed.end(in, depth);
                            }
                            if (field != null && depth == fieldDepth) {
                                values.put(field, text.toString().strip());
                                field = null;
                                text = null;
                            }
                            depth--;
                        }
                        default -> {}
                    }
                }
            } finally {
                in.close();
            }
            if (feed != null) {
                feed.finish();
            }
            return new Fields(
                    values.get("codiLector"),
                    values.get("matricula"),
                    values.get("dataLectura"),
                    values.get("horaLectura"),
                    values.containsKey("imgMatricula"),
                    values.containsKey("imgContext"));
        }
    }

    /**
     * Hands the SOAP Body's payload — each element child of {@code Envelope/Body} and what it contains — to a
     * schema validator as SAX events, with the namespace declarations in scope where each payload element starts.
     */
    private static final class PayloadFeed {
        private final ValidatorHandler validator;
        private final Problems problems = new Problems();
        private final Deque<List<String[]>> declared = new ArrayDeque<>();
        private int bodyDepth = -1;
        private boolean inPayload;
        int payloads;

        PayloadFeed(ValidatorHandler validator) {
            this.validator = validator;
            validator.setErrorHandler(problems);
        }

        void start(XMLStreamReader in, int depth) throws InvalidPayload {
            List<String[]> here = new ArrayList<>();
            for (int i = 0; i < in.getNamespaceCount(); i++) {
                here.add(new String[] {nz(in.getNamespacePrefix(i)), nz(in.getNamespaceURI(i))});
            }
            try {
                if (!inPayload
                        && bodyDepth < 0
                        && depth == 2
                        && BODY.getNamespaceURI().equals(in.getNamespaceURI())
                        && BODY.getLocalPart().equals(in.getLocalName())) {
                    bodyDepth = depth;
                } else if (!inPayload && bodyDepth > 0 && depth == bodyDepth + 1) {
                    inPayload = true;
                    payloads++;
                    validator.startDocument();
                    // what the envelope and Body declared is in scope here too
                    for (var it = declared.descendingIterator(); it.hasNext(); ) {
                        for (String[] ns : it.next()) {
                            validator.startPrefixMapping(ns[0], ns[1]);
                        }
                    }
                }
                if (inPayload) {
                    for (String[] ns : here) {
                        validator.startPrefixMapping(ns[0], ns[1]);
                    }
                    AttributesImpl atts = new AttributesImpl();
                    for (int i = 0; i < in.getAttributeCount(); i++) {
                        QName a = in.getAttributeName(i);
                        atts.addAttribute(
                                nz(a.getNamespaceURI()),
                                a.getLocalPart(),
                                qualified(a),
                                in.getAttributeType(i),
                                in.getAttributeValue(i));
                    }
                    validator.startElement(nz(in.getNamespaceURI()), in.getLocalName(), qualified(in.getName()), atts);
                }
            } catch (SAXException e) {
                problems.add(e);
                problems.throwIfAny();
            }
            declared.push(here);
        }

        void characters(XMLStreamReader in) throws InvalidPayload {
            if (inPayload) {
                try {
                    validator.characters(in.getTextCharacters(), in.getTextStart(), in.getTextLength());
                } catch (SAXException e) {
                    problems.add(e);
                    problems.throwIfAny();
                }
            }
        }

        void end(XMLStreamReader in, int depth) throws InvalidPayload {
            declared.pop();
            if (!inPayload) {
                if (depth == bodyDepth) {
                    bodyDepth = -2; // the Body is over: nothing after it is payload
                }
                return;
            }
            try {
                validator.endElement(nz(in.getNamespaceURI()), in.getLocalName(), qualified(in.getName()));
                if (depth == bodyDepth + 1) {
                    inPayload = false;
                    validator.endDocument();
                }
            } catch (SAXException e) {
                problems.add(e);
                problems.throwIfAny();
            }
        }

        /** After the whole request: what was wrong with its payload, if anything. */
        void finish() throws InvalidPayload {
            problems.throwIfAny();
            if (payloads == 0) {
                throw new InvalidPayload("no element in the SOAP Body");
            }
        }

        private static String nz(String s) {
            return s == null ? "" : s;
        }

        private static String qualified(QName q) {
            return q.getPrefix() == null || q.getPrefix().isEmpty()
                    ? q.getLocalPart()
                    : q.getPrefix() + ":" + q.getLocalPart();
        }
    }

    /** The XML Schema embedded in a WSDL's {@code <types>}. */
    static final class WsdlSchema {
        private static final String WSDL_NS = "http://schemas.xmlsoap.org/wsdl/";

        private WsdlSchema() {}

        /** Reads the WSDL at {@code url} and compiles the {@code xsd:schema} elements of its {@code types}. */
        static Schema load(String url) throws Exception {
            URL location = locate(url);
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document wsdl;
            try (InputStream in = location.openStream()) {
                wsdl = factory.newDocumentBuilder().parse(in, location.toExternalForm());
            }
            List<Source> sources = new ArrayList<>();
            NodeList types = wsdl.getElementsByTagNameNS(WSDL_NS, "types");
            for (int t = 0; t < types.getLength(); t++) {
                NodeList schemas =
                        ((Element) types.item(t)).getElementsByTagNameNS(XMLConstants.W3C_XML_SCHEMA_NS_URI, "schema");
                for (int i = 0; i < schemas.getLength(); i++) {
                    sources.add(standalone((Element) schemas.item(i), factory, location.toExternalForm()));
                }
            }
            if (sources.isEmpty()) {
                throw new IllegalArgumentException("the WSDL " + url + " has no xsd:schema in its types");
            }
            SchemaFactory schemas = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
            schemas.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            // A schema may import or include others next to the WSDL; never a DTD.
            schemas.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "file,jar,http,https");
            schemas.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            return schemas.newSchema(sources.toArray(Source[]::new));
        }

        /**
         * The schema element as a document of its own, carrying the namespace declarations it inherits from the
         * WSDL (the {@code xs:} and {@code tns:} prefixes are usually declared on {@code definitions}).
         */
        private static Source standalone(Element schema, DocumentBuilderFactory factory, String systemId)
                throws Exception {
            Document doc = factory.newDocumentBuilder().newDocument();
            Element copy = (Element) doc.importNode(schema, true);
            doc.appendChild(copy);
            for (Node n = schema.getParentNode(); n instanceof Element ancestor; n = n.getParentNode()) {
                NamedNodeMap attributes = ancestor.getAttributes();
                for (int i = 0; i < attributes.getLength(); i++) {
                    Attr a = (Attr) attributes.item(i);
                    if (XMLConstants.XMLNS_ATTRIBUTE_NS_URI.equals(a.getNamespaceURI())
                            && !copy.hasAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, a.getLocalName())) {
                        copy.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, a.getName(), a.getValue());
                    }
                }
            }
            return new DOMSource(doc, systemId);
        }

        /** {@code classpath:path} as the sender's CXF endpoint reads it; anything else as a URL, or a file path. */
        static URL locate(String url) throws IOException {
            if (url.startsWith("classpath:")) {
                String path = url.substring("classpath:".length()).replaceFirst("^/+", "");
                URL resource = MossosSandbox.class.getClassLoader().getResource(path);
                if (resource == null) {
                    throw new IOException("no " + path + " on the classpath");
                }
                return resource;
            }
            URI uri = URI.create(url);
            return uri.getScheme() == null ? Path.of(url).toUri().toURL() : uri.toURL();
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
        String safe = message == null
                ? ""
                : message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return "<soapenv:Envelope xmlns:soapenv=\"" + SOAP + "\"><soapenv:Body><soapenv:Fault><faultcode>" + code
                + "</faultcode><faultstring>" + safe
                + "</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
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
