package routes.security;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Security;
import java.security.Signature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the JCA provider that signs: the Amazon Corretto Crypto Provider (native RSA, SHA-256 and TLS
 * ciphers) when {@code CRYPTO_PROVIDER=auto} and its native library loads and passes its self-tests on this
 * machine; otherwise the JDK's own providers, unchanged. With a reused key it signs several times faster than
 * the JDK; the streaming signer hands it a fresh key per message, where the sender bench measured it the same.
 */
public final class CryptoProvider {

    private static final Logger LOG = LoggerFactory.getLogger(CryptoProvider.class);

    private CryptoProvider() {}

    /** @return the name of the provider now preferred for signatures */
    public static String install(String mode) {
        if (!"auto".equals(mode)) {
            return jdk();
        }
        try {
            AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
            if (accp.getLoadingError() != null) {
                throw accp.getLoadingError();
            }
            if (Security.getProvider(accp.getName()) == null) {
                AmazonCorrettoCryptoProvider.install();
            }
            accp.assertHealthy();
            String name = accp.getName() + " " + accp.getVersionStr();
            LOG.info("[SENDER] Proveedor criptográfico para firmar: {}", name);
            return name;
        } catch (Throwable e) {
            Security.removeProvider(AmazonCorrettoCryptoProvider.PROVIDER_NAME);
            LOG.warn(
                    "[SENDER] Amazon Corretto Crypto Provider no disponible ({}): se firma con el proveedor del JDK",
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            return jdk();
        }
    }

    private static String jdk() {
        return Signature.class.getSimpleName() + " (JDK: " + Security.getProviders()[0].getName() + ")";
    }
}
