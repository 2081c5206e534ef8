package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import org.apache.cxf.binding.soap.Soap11;
import org.apache.cxf.binding.soap.SoapMessage;
import org.apache.cxf.interceptor.Fault;
import org.apache.cxf.message.MessageImpl;
import org.junit.jupiter.api.Test;

/**
 * The signing interceptor made off the start-up's path keeps WS-Security's place in the chain, and a message fails
 * (is never sent unsigned) when the signer could not be made. Real signing through it: SenderFlowTest's verifying
 * sandbox.
 */
class DeferredSignatureInterceptorTest {

    @Test
    void takesTheSamePlaceInTheChainAsTheSignerItself() {
        MunicipalitySignatureInterceptor real = new MunicipalitySignatureInterceptor(MossosClient.signingPolicy());

        var deferred = new DeferredSignatureInterceptor(new CompletableFuture<>());

        assertThat(deferred.getPhase()).isEqualTo(real.getPhase());
        assertThat(deferred.getBefore()).isEqualTo(real.getBefore());
        assertThat(deferred.getAfter()).isEqualTo(real.getAfter());
        assertThat(deferred.getId()).isEqualTo(real.getId());
    }

    @Test
    void aMessageFailsWhenTheSignerCouldNotBeMade() {
        var deferred = new DeferredSignatureInterceptor(
                CompletableFuture.failedFuture(new IllegalStateException("no Santuario configuration")));
        SoapMessage message = new SoapMessage(new MessageImpl());
        message.setVersion(Soap11.getInstance());

        assertThatThrownBy(() -> deferred.handleMessage(message))
                .isInstanceOf(Fault.class)
                .hasRootCauseMessage("no Santuario configuration");
        // A fault after that has nothing to undo.
        deferred.handleFault(message);
    }

    @Test
    void aMessageIsHandedToTheSignerOnceItIsMade() {
        MunicipalitySignatureInterceptor real = new MunicipalitySignatureInterceptor(MossosClient.signingPolicy());
        var deferred = new DeferredSignatureInterceptor(CompletableFuture.completedFuture(real));

        assertThat(deferred.signer()).isSameAs(real);
    }
}
