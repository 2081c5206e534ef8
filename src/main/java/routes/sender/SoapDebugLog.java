package routes.sender;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.camel.component.cxf.jaxws.CxfEndpoint;
import org.apache.cxf.ext.logging.LoggingInInterceptor;
import org.apache.cxf.ext.logging.event.DefaultLogEventMapper;
import org.apache.cxf.ext.logging.event.LogEvent;
import org.apache.cxf.ext.logging.event.LogEventSender;
import org.apache.cxf.ext.logging.slf4j.Slf4jVerboseEventSender;
import org.apache.cxf.interceptor.StaxOutInterceptor;
import org.apache.cxf.message.Message;
import org.apache.cxf.phase.AbstractPhaseInterceptor;
import org.apache.cxf.phase.Phase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code SOAP_DEBUG}: every envelope sent and received is logged (CXF's {@code REQ_OUT}/{@code RESP_IN} lines, at
 * most {@link #LIMIT} bytes each) with the text of the image elements ({@code imgMatricula}, {@code imgContext})
 * replaced by its size. The images are masked while the request is written, before the size limit applies, so no
 * envelope is too large for them to be masked and everything after them is still logged. CXF's own masking worked
 * on the text left after cutting the envelope at the limit: an image cut off there had no closing tag to match and
 * was logged as it was (issue 12, item 9).
 */
public final class SoapDebugLog {

    /** Elements whose text is never logged. */
    public static final Set<String> IMAGE_ELEMENTS = Set.of("imgMatricula", "imgContext");
    /** Most bytes of one envelope logged (after masking). */
    public static final int LIMIT = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(SoapDebugLog.class);

    private SoapDebugLog() {}

    /** Adds the logging interceptors to the endpoint. */
    public static void install(CxfEndpoint endpoint) {
        LogEventSender sender = new Slf4jVerboseEventSender();
        endpoint.getOutInterceptors().add(new Out(sender));
        // Responses carry no images, but one could echo the request: they are masked the same way, after CXF's limit
        // (an image cut off there is masked to the end).
        LoggingInInterceptor in = new LoggingInInterceptor(event -> {
            event.setPayload(mask(event.getPayload()));
            sender.send(event);
        });
        in.setLimit(LIMIT);
        endpoint.getInInterceptors().add(in);
    }

    /** The text with every image element's content replaced by its size, to its end if an element is not closed. */
    static String mask(String payload) {
        if (payload == null) {
            return null;
        }
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        MaskedCopy copy = new MaskedCopy(Integer.MAX_VALUE);
        copy.write(bytes, 0, bytes.length);
        return copy.text(StandardCharsets.UTF_8);
    }

    /** Copies the request as it is written into a {@link MaskedCopy}, and logs it when the request is complete. */
    static final class Out extends AbstractPhaseInterceptor<Message> {
        private final LogEventSender sender;

        Out(LogEventSender sender) {
            super(Phase.PRE_STREAM);
            addBefore(StaxOutInterceptor.class.getName());
            this.sender = sender;
        }

        @Override
        public void handleMessage(Message message) {
            OutputStream os = message.getContent(OutputStream.class);
            if (os != null) {
                message.setContent(OutputStream.class, new Tee(os, message, sender));
            }
        }
    }

    /** Passes every byte on and keeps a masked copy; logs it before the request is closed (and so sent). */
    private static final class Tee extends FilterOutputStream {
        private final Message message;
        private final LogEventSender sender;
        private final MaskedCopy copy = new MaskedCopy(LIMIT);
        private boolean closed;

        Tee(OutputStream out, Message message, LogEventSender sender) {
            super(out);
            this.message = message;
            this.sender = sender;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            copy.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            copy.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                out.flush();
                LogEvent event = new DefaultLogEventMapper().map(message);
                String encoding = (String) message.get(Message.ENCODING);
                event.setPayload(copy.text(
                        encoding == null || !Charset.isSupported(encoding)
                                ? StandardCharsets.UTF_8
                                : Charset.forName(encoding)));
                event.setTruncated(copy.truncated());
                sender.send(event);
            } catch (RuntimeException e) { // debugging output never stops a send
                LOG.warn("SOAP_DEBUG: the request could not be logged ({})", e.toString());
            } finally {
                message.setContent(OutputStream.class, out);
                out.close();
            }
        }
    }

    /**
     * A copy of an XML byte stream, at most {@code limit} bytes, in which the content of each {@link #IMAGE_ELEMENTS}
     * element (any prefix) is replaced by {@code [image not logged: N bytes]}. It reads the stream as it comes, so it
     * needs neither the whole document nor the element's closing tag: an element still open when the stream ends is
     * masked to the end. Inside an image element only {@code </} ends the masking.
     */
    static final class MaskedCopy {
        private enum State {
            TEXT,
            TAG,
            IMAGE
        }

        private final int limit;
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
        private boolean truncated;
        private State state = State.TEXT;
        private final StringBuilder name = new StringBuilder();
        private boolean nameDone;
        private int quote;
        private int previous;
        private long imageBytes;
        private boolean pendingLt;

        MaskedCopy(int limit) {
            this.limit = limit;
        }

        void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        void write(int b) {
            b &= 0xFF;
            switch (state) {
                case TEXT -> {
                    keep(b);
                    if (b == '<') {
                        startTag();
                    }
                }
                case TAG -> tag(b);
                case IMAGE -> image(b);
            }
        }

        private void startTag() {
            state = State.TAG;
            name.setLength(0);
            nameDone = false;
            quote = 0;
            previous = '<';
        }

        private void tag(int b) {
            keep(b);
            if (quote != 0) {
                if (b == quote) {
                    quote = 0;
                }
            } else if (b == '>') {
                boolean start =
                        name.length() > 0 && name.charAt(0) != '/' && name.charAt(0) != '?' && name.charAt(0) != '!';
                state = start && previous != '/' && IMAGE_ELEMENTS.contains(localName()) ? State.IMAGE : State.TEXT;
                imageBytes = 0;
                pendingLt = false;
            } else if (nameDone && (b == '"' || b == '\'')) {
                quote = b;
            } else if (!nameDone) {
                if (b == ' ' || b == '\t' || b == '\r' || b == '\n' || (b == '/' && name.length() > 0)) {
                    nameDone = true;
                } else if (name.length() < 256) {
                    name.append((char) b);
                }
            }
            previous = b;
        }

        private void image(int b) {
            if (pendingLt && b == '/') {
                pendingLt = false;
                marker(false);
                keep('<');
                startTag();
                tag(b);
                return;
            }
            if (pendingLt) {
                imageBytes++; // the '<' held back: not a closing tag
            }
            pendingLt = b == '<';
            if (!pendingLt) {
                imageBytes++;
            }
        }

        private String localName() {
            int colon = name.lastIndexOf(":");
            return colon < 0 ? name.toString() : name.substring(colon + 1);
        }

        private void marker(boolean open) {
            byte[] text = ("[image not logged: " + imageBytes + " bytes" + (open ? ", element not closed" : "") + "]")
                    .getBytes(StandardCharsets.US_ASCII);
            for (byte t : text) {
                keep(t);
            }
        }

        private void keep(int b) {
            if (copy.size() < limit) {
                copy.write(b);
            } else {
                truncated = true;
            }
        }

        boolean truncated() {
            return truncated;
        }

        /** The copy so far; an image element still open is closed with its marker. */
        String text(Charset charset) {
            if (state == State.IMAGE) {
                if (pendingLt) {
                    imageBytes++;
                    pendingLt = false;
                }
                marker(true);
                state = State.TEXT;
            }
            return copy.toString(charset);
        }
    }
}
