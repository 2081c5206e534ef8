package routes.sender;

import java.io.StringReader;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.apache.camel.component.cxf.common.CxfPayload;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** Reads {@code codiRetorn} from a {@code matriculaResponse} and tells whether it means delivered. */
public final class MatriculaResponse {

    private final Set<String> successCodes;
    private final DocumentBuilderFactory documents;

    public MatriculaResponse(String successCodes) {
        this.successCodes = Arrays.stream(successCodes.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        this.documents = DocumentBuilderFactory.newInstance();
        this.documents.setNamespaceAware(true);
        try {
            this.documents.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            this.documents.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The codiRetorn of a response, or throws when there is none. The CXF payload's elements are read as they
     * are (converting the payload to text and parsing it again was a tenth of the sender's CPU); text is parsed.
     */
    public String codiRetorn(Object payload) throws Exception {
        if (payload instanceof CxfPayload<?> cxf) {
            for (Element e : cxf.getBody()) {
                String code = codiRetorn(e);
                if (code != null) {
                    return code;
                }
            }
            throw new IllegalStateException("response without codiRetorn");
        }
        if (payload == null) {
            throw new IllegalStateException("empty response from the matricula service");
        }
        Document doc = documents.newDocumentBuilder().parse(new InputSource(new StringReader(payload.toString())));
        String code = codiRetorn(doc.getDocumentElement());
        if (code == null) {
            throw new IllegalStateException("response without codiRetorn");
        }
        return code;
    }

    private static String codiRetorn(Element root) {
        if (root == null) {
            return null;
        }
        if ("codiRetorn".equals(root.getLocalName())) {
            return root.getTextContent().strip();
        }
        NodeList codes = root.getElementsByTagNameNS("*", "codiRetorn");
        return codes.getLength() == 0 ? null : codes.item(0).getTextContent().strip();
    }

    public boolean isSuccess(String codiRetorn) {
        return successCodes.contains(codiRetorn);
    }
}
