package routes.sender;

import javax.security.auth.callback.CallbackHandler;
import org.apache.cxf.binding.soap.SoapMessage;
import org.apache.cxf.ws.security.wss4j.WSS4JStaxOutInterceptor;
import org.apache.wss4j.common.crypto.Crypto;
import org.apache.wss4j.common.ext.WSSecurityException;
import org.apache.wss4j.stax.ext.WSSSecurityProperties;
import org.apache.xml.security.stax.ext.OutboundSecurityContext;

/**
 * CXF's streaming WS-Security (the message is signed while it is written, no SAAJ/DOM copy of it) with
 * the signing certificate chosen per message. The stock interceptor keeps a message's {@code Crypto}
 * in a map shared by all messages, which is unsafe when municipalities sign concurrently with
 * different certificates; here the certificate, alias and password callback come only from the
 * message (set by {@link MatriculaRequest}) and go only into this message's own copy of the settings.
 * A message without them is refused, never signed with another municipality's certificate.
 */
final class MunicipalitySignatureInterceptor extends WSS4JStaxOutInterceptor {

    MunicipalitySignatureInterceptor(WSSSecurityProperties policy) {
        super(policy);
    }

    @Override
    protected void configureCallbackHandler(SoapMessage message, WSSSecurityProperties properties)
            throws WSSecurityException {
        Object callback = message.getContextualProperty(MatriculaRequest.CALLBACK_PROPERTY);
        if (!(callback instanceof CallbackHandler handler)) {
            throw new WSSecurityException(WSSecurityException.ErrorCode.FAILURE, "empty", new Object[] {
                "no signing certificate for this message"
            });
        }
        properties.setCallbackHandler(handler);
    }

    @Override
    protected void configureProperties(
            SoapMessage message, OutboundSecurityContext context, WSSSecurityProperties properties)
            throws WSSecurityException {
        Object crypto = message.getContextualProperty(MatriculaRequest.CRYPTO_PROPERTY);
        Object alias = message.getContextualProperty(MatriculaRequest.ALIAS_PROPERTY);
        if (!(crypto instanceof Crypto signing) || !(alias instanceof String user)) {
            throw new WSSecurityException(WSSecurityException.ErrorCode.FAILURE, "empty", new Object[] {
                "no signing certificate for this message"
            });
        }
        properties.setSignatureCrypto(signing);
        properties.setSignatureUser(user);
    }
}
