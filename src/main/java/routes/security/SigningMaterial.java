package routes.security;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.UUID;
import javax.security.auth.callback.CallbackHandler;
import org.apache.wss4j.common.crypto.Crypto;

/**
 * What WSS4J needs to sign with one certificate: a {@link Crypto} holding the key, the alias, and a
 * password callback that answers only for this certificate (aliases of different municipalities may
 * collide). The private key stays inside; {@link #toString()} shows only public facts.
 */
public record SigningMaterial(
        UUID certificateId,
        String name,
        Crypto crypto,
        String alias,
        CallbackHandler passwordCallback,
        X509Certificate certificate) {

    public Instant validFrom() {
        return certificate.getNotBefore().toInstant();
    }

    public Instant validTo() {
        return certificate.getNotAfter().toInstant();
    }

    @Override
    public String toString() {
        return "SigningMaterial[" + name + ", subject="
                + certificate.getSubjectX500Principal().getName() + ", validTo=" + validTo() + "]";
    }
}
