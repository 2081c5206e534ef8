package routes.sender;

import java.util.List;
import javax.xml.transform.dom.DOMSource;
import org.apache.cxf.interceptor.MessageSenderInterceptor;
import org.apache.cxf.message.Message;
import org.apache.cxf.phase.AbstractPhaseInterceptor;
import org.apache.cxf.phase.Phase;

/**
 * Lets go of a request's document once it has been written, just before the conduit waits for the answer. The
 * document holds the images' Base64 text (about 110 KB), and the exchange's body and CXF's message both reach it until
 * the send ends: with SENDER_CONCURRENCY=128 and an endpoint slower than the signing, a hundred sends waiting for
 * their answers each kept one, long enough to be promoted and to fill the old generation (measured: 94-96 full
 * collections in 41,000 sends, 22-25 with this). Nothing reads the document after it is written: the SOAP debug log
 * logs the written bytes, and the answer replaces the exchange's body.
 */
public final class WrittenRequestRelease extends AbstractPhaseInterceptor<Message> {

    public WrittenRequestRelease() {
        super("tattile-written-request-release", Phase.PREPARE_SEND_ENDING);
        addBefore(MessageSenderInterceptor.MessageSenderEndingInterceptor.class.getName());
    }

    @Override
    public void handleMessage(Message message) {
        // The same Source objects as the body of the exchange's CxfPayload: emptying them lets go of the document
        // for both.
        if (message.getContent(List.class) instanceof List<?> parts) {
            for (Object part : parts) {
                if (part instanceof DOMSource source) {
                    source.setNode(null);
                }
            }
        }
    }
}
