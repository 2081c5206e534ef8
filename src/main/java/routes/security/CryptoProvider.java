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

    /**
     * What {@link #choose} made of a CRYPTO_PROVIDER setting.
     *
     * @param provider the provider now preferred for signatures, with its version
     * @param fallback why the JDK's providers sign although {@code auto} asked for Corretto; null otherwise
     */
    public record Choice(String provider, String fallback) {}

    /**
     * Installs the provider {@code mode} asks for, and logs which one signs.
     *
     * @return the name of the provider now preferred for signatures
     */
    public static String install(String mode) {
        Choice choice = choose(mode);
        if (choice.fallback() != null) {
            LOG.warn(
                    "[SENDER] Amazon Corretto Crypto Provider no disponible ({}): se firma con el proveedor del JDK",
                    choice.fallback());
        } else if ("auto".equals(mode)) {
            LOG.info("[SENDER] Proveedor criptográfico para firmar: {}", choice.provider());
        }
        return choice.provider();
    }

    /** As {@link #install}, without a log line: for tools whose standard output is their result (the bench). */
    public static Choice choose(String mode) {
        if (!"auto".equals(mode)) {
            return new Choice(jdk(), null);
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
            return new Choice(accp.getName() + " " + accp.getVersionStr(), null);
        } catch (Throwable e) {
            Security.removeProvider(AmazonCorrettoCryptoProvider.PROVIDER_NAME);
            return new Choice(jdk(), e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private static String jdk() {
        return Signature.class.getSimpleName() + " (JDK: " + Security.getProviders()[0].getName() + ")";
    }
}
