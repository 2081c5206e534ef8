package routes.sender;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.Source;
import javax.xml.transform.dom.DOMSource;
import org.apache.camel.Exchange;
import org.apache.camel.component.cxf.common.CxfPayload;
import org.apache.cxf.binding.soap.SoapHeader;
import org.apache.cxf.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.DOMImplementation;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import routes.security.CertificateStore;
import routes.security.SigningMaterial;
import routes.store.ImageStorage;

/**
 * Builds the {@code matriculaRequest} payload of a delivery and puts on the exchange what the CXF
 * endpoint and its WS-Security interceptor need for this one message: target URL, timeouts, and the
 * municipality's signing material. Everything that makes a delivery impossible (no OCR image, no
 * certificate, no endpoint, bad data) is found here, before anything is sent.
 */
public final class MatriculaRequest {

    public static final String NS = "http://dgp.gencat.cat/matricules";
    /** Exchange properties the signing interceptor reads this message's certificate from. */
    public static final String CRYPTO_PROPERTY = "tattileSignatureCrypto";

    public static final String ALIAS_PROPERTY = "tattileSignatureAlias";
    public static final String CALLBACK_PROPERTY = "tattileSignatureCallback";

    private static final Logger LOG = LoggerFactory.getLogger(MatriculaRequest.class);
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final ImageStorage images;
    private final CertificateStore certificates;
    private final DOMImplementation documents;
    private final int maxTimeoutMs;

    /** @param maxTimeoutMs the longest a send may take (kept below the claim lease) */
    public MatriculaRequest(ImageStorage images, CertificateStore certificates, int maxTimeoutMs) {
        this.images = images;
        this.certificates = certificates;
        this.maxTimeoutMs = maxTimeoutMs;
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        try {
            // Creating a DocumentBuilder per request cost more than building the request; the DOM
            // implementation behind it is stateless and shared.
            this.documents = factory.newDocumentBuilder().getDOMImplementation();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What a delivery's request is made of, read before it takes a signing turn: its certificate, endpoint and plate,
     * and from a bucket its images too (a network round trip, which needs no CPU turn). Everything that makes the
     * delivery impossible is found here, but an image file missing from a folder: from a folder the images are read
     * in {@link #build}, inside the turn, so of the SENDER_CONCURRENCY sends, those waiting for a turn hold no image
     * (at 128 in flight against a fast endpoint, ~124 of them each held 80 KB that outlived young collections).
     */
    public Parts read(Delivery d) throws SQLException, IOException {
        if (!d.hasImageOcr() || d.imageOcrPath() == null) {
            throw new PermanentDeliveryException("NO_IMAGE_AVAILABLE_OCR");
        }
        if (d.certificateId() == null) {
            throw new PermanentDeliveryException("CERTIFICADO_NO_CONFIGURADO");
        }
        if (d.endpointUrl() == null) {
            throw new PermanentDeliveryException("ENDPOINT_URL_NO_CONFIGURADA");
        }
        String matricula = d.plate().replace(" ", "").replace("-", "").toUpperCase(Locale.ROOT);
        if (matricula.isEmpty() || matricula.length() > 10) {
            throw new PermanentDeliveryException("DATOS_INVALIDOS:matricula");
        }
        SigningMaterial signing;
        try {
            signing = certificates.material(d.certificateId());
        } catch (CertificateStore.UnusableCertificateException e) {
            LOG.warn("[SENDER] Certificado no utilizable para {}: {}", d.municipality(), e.getMessage());
            throw new PermanentDeliveryException(e.code());
        }
        return new Parts(matricula, signing, images.readsAreLocal() ? null : images(d));
    }

    /**
     * Builds the request from its parts (reading its images now if {@link #read} left them) and puts on the exchange
     * what CXF and the signing interceptor need.
     */
    public void build(Exchange exchange, Delivery d, Parts parts) throws IOException {
        Images img = parts.images() != null ? parts.images() : images(d);
        SigningMaterial signing = parts.signing();
        Document doc = documents.createDocument(null, null, null);
        Element request = doc.createElementNS(NS, "m:matriculaRequest");
        doc.appendChild(request);
        add(
                doc,
                request,
                "codiLector",
                d.codigoLector() != null && !d.codigoLector().isBlank() ? d.codigoLector() : d.deviceSn());
        add(doc, request, "matricula", parts.matricula());
        add(doc, request, "dataLectura", DATE.format(d.timestampUtc()));
        add(doc, request, "horaLectura", TIME.format(d.timestampUtc()));
        add(doc, request, "imgMatricula", Base64.getEncoder().encodeToString(img.ocr()));
        if (img.ctx() != null) {
            add(doc, request, "imgContext", Base64.getEncoder().encodeToString(img.ctx()));
        }
        if (d.coordX() != null && d.coordY() != null) {
            add(doc, request, "coordenadaX", plain(d.coordX()));
            add(doc, request, "coordenadaY", plain(d.coordY()));
        }
        if (d.countryCode() != null) {
            add(doc, request, "pais", d.countryCode());
        }
        List<Source> body = new ArrayList<>(1);
        body.add(new DOMSource(request));
        exchange.getMessage().setBody(new CxfPayload<SoapHeader>(new ArrayList<>(), body, null));
        exchange.getMessage().setHeader(Exchange.DESTINATION_OVERRIDE_URL, d.endpointUrl());

        // This message's certificate, read by MunicipalitySignatureInterceptor (never kept by it).
        exchange.setProperty(CRYPTO_PROPERTY, signing.crypto());
        exchange.setProperty(ALIAS_PROPERTY, signing.alias());
        exchange.setProperty(CALLBACK_PROPERTY, signing.passwordCallback());
        // Per-message timeouts, read by CXF's HTTP conduit.
        long timeout = Math.min(d.timeoutMs(), maxTimeoutMs);
        exchange.setProperty(Message.CONNECTION_TIMEOUT, Math.min(timeout, 10_000L));
        exchange.setProperty(Message.RECEIVE_TIMEOUT, timeout);
    }

    /** The OCR image (a delivery without its file cannot be sent) and the context image, if it is still there. */
    private Images images(Delivery d) throws IOException {
        byte[] ocr;
        try {
            ocr = images.read(d.imageOcrPath());
        } catch (NoSuchFileException e) {
            throw new PermanentDeliveryException("NO_IMAGE_FILE_OCR:" + d.imageOcrPath());
        }
        byte[] ctx = null;
        if (d.imageCtxPath() != null) {
            try {
                ctx = images.read(d.imageCtxPath());
            } catch (NoSuchFileException e) {
                LOG.warn(
                        "[SENDER] Imagen de contexto no encontrada ({}): se envía la lectura ({}) sin ella",
                        d.imageCtxPath(),
                        d.plate());
            }
        }
        return new Images(ocr, ctx);
    }

    /**
     * A request's parts, between {@link #read} and {@link #build}; no images when they are read in build. Its text
     * says nothing of what it holds.
     */
    public record Parts(String matricula, SigningMaterial signing, Images images) {
        @Override
        public String toString() {
            return "request parts";
        }
    }

    /** A delivery's image bytes; the context image may be missing. Its text says nothing of what it holds. */
    public record Images(byte[] ocr, byte[] ctx) {
        @Override
        public String toString() {
            return "request images";
        }
    }

    private static void add(Document doc, Element parent, String name, String value) {
        Element e = doc.createElementNS(NS, "m:" + name);
        e.appendChild(doc.createTextNode(value));
        parent.appendChild(e);
    }

    private static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
