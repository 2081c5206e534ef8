package routes.sender;

import java.net.URI;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.xml.namespace.QName;
import org.apache.cxf.binding.soap.SoapMessage;
import org.apache.cxf.binding.soap.interceptor.SoapInterceptor;
import org.apache.cxf.interceptor.Fault;
import org.apache.cxf.interceptor.StaxOutInterceptor;
import org.apache.cxf.message.Message;
import org.apache.cxf.phase.Phase;
import org.apache.cxf.phase.PhaseInterceptor;

/**
 * The signing interceptor's place in the CXF chain, taken at start-up, with the interceptor itself made on another
 * thread: constructing it initialises WSS4J and Santuario (0.2-0.4 s, Santuario reading its configuration through
 * JAXB), which the camera port no longer waits for. Each message waits for it; if it could not be made, the message
 * fails and nothing is sent unsigned. Same phase and order as {@code WSS4JStaxOutInterceptor}'s.
 */
final class DeferredSignatureInterceptor implements SoapInterceptor, PhaseInterceptor<SoapMessage> {

    private final CompletableFuture<MunicipalitySignatureInterceptor> signer;
    private final Set<String> before = Set.of(StaxOutInterceptor.class.getName());
    private final Set<String> after = Set.of("org.apache.cxf.ext.logging.LoggingOutInterceptor");

    DeferredSignatureInterceptor(CompletableFuture<MunicipalitySignatureInterceptor> signer) {
        this.signer = signer;
    }

    /** The interceptor, once made; waits for it. */
    MunicipalitySignatureInterceptor signer() {
        try {
            return signer.join();
        } catch (CompletionException e) {
            throw new Fault(new IllegalStateException("the WS-Security signer could not be set up", e.getCause()));
        }
    }

    @Override
    public void handleMessage(SoapMessage message) throws Fault {
        signer().handleMessage(message);
    }

    @Override
    public void handleFault(SoapMessage message) {
        if (signer.isDone() && !signer.isCompletedExceptionally()) {
            signer.join().handleFault(message);
        }
    }

    @Override
    public Collection<PhaseInterceptor<? extends Message>> getAdditionalInterceptors() {
        return null;
    }

    @Override
    public String getPhase() {
        return Phase.PRE_STREAM;
    }

    @Override
    public Set<String> getBefore() {
        return before;
    }

    @Override
    public Set<String> getAfter() {
        return after;
    }

    @Override
    public String getId() {
        return MunicipalitySignatureInterceptor.class.getName();
    }

    @Override
    public Set<URI> getRoles() {
        return Set.of();
    }

    @Override
    public Set<QName> getUnderstoodHeaders() {
        return Set.of();
    }
}
