package routes.ingest;

import com.ctc.wstx.api.WstxInputProperties;
import com.ctc.wstx.stax.WstxInputFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.xml.XmlFactory;
import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import javax.xml.stream.XMLInputFactory;

/**
 * The XML parser settings that make hostile documents cheap to refuse: no DTD, no entities of any kind,
 * bounded depth, attributes and element counts. Woodstox is chosen explicitly (netty-codec-xml would
 * otherwise make a default mapper pick Aalto).
 */
public final class XmlSafety {

    private final int maxDocumentBytes;

    public XmlSafety(int maxDocumentBytes) {
        this.maxDocumentBytes = maxDocumentBytes;
    }

    public XmlMapper hardenedMapper() {
        WstxInputFactory in = new WstxInputFactory();
        in.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        in.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        in.setProperty(WstxInputProperties.P_MAX_ELEMENT_DEPTH, 16);
        in.setProperty(WstxInputProperties.P_MAX_ATTRIBUTES_PER_ELEMENT, 32);
        in.setProperty(WstxInputProperties.P_MAX_ATTRIBUTE_SIZE, 4096);
        in.setProperty(WstxInputProperties.P_MAX_CHILDREN_PER_ELEMENT, 512);
        in.setProperty(WstxInputProperties.P_MAX_ELEMENT_COUNT, 4096L);
        in.setProperty(WstxInputProperties.P_MAX_ENTITY_COUNT, 1L);
        in.setProperty(WstxInputProperties.P_MAX_ENTITY_DEPTH, 1);
        in.setProperty(WstxInputProperties.P_MAX_TEXT_LENGTH, maxDocumentBytes);
        XmlFactory factory = XmlFactory.builder()
                .xmlInputFactory(in)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(maxDocumentBytes)
                        .maxNestingDepth(16)
                        .build())
                .build();
        XmlMapper mapper = new XmlMapper(factory);
        mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        return mapper;
    }

    /**
     * Refuses a document whose prolog declares anything ({@code <!DOCTYPE}, {@code <!ENTITY}): cameras never
     * send one, and entity tricks (XXE, billion laughs) all need one. Only the prolog is scanned.
     */
    public void refuseDeclarations(byte[] frame) {
        int i = 0;
        int n = frame.length;
        while (i < n) {
            if (frame[i] != '<') {
                i++;
                continue;
            }
            if (i + 1 >= n) {
                return;
            }
            byte next = frame[i + 1];
            if (next == '?') {
                i = indexOf(frame, i + 2, (byte) '?', (byte) '>');
            } else if (next == '!') {
                boolean comment = i + 3 < n && frame[i + 2] == '-' && frame[i + 3] == '-';
                if (!comment) {
                    throw new RejectedReadingException(
                            Rejection.FORBIDDEN_XML, "declaración <!DOCTYPE/<!ENTITY en el documento");
                }
                i = indexOf(frame, i + 4, (byte) '-', (byte) '-', (byte) '>'); // "->" alone does not end a comment
            } else {
                return; // the root element starts: the prolog is over
            }
            if (i < 0) {
                return;
            }
        }
    }

    /** Index just after the first occurrence of {@code needle} from {@code from}, or -1. */
    private static int indexOf(byte[] s, int from, byte... needle) {
        outer:
        for (int i = from; i + needle.length <= s.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (s[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i + needle.length;
        }
        return -1;
    }
}
