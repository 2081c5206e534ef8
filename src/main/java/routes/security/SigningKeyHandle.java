package routes.security;

import java.security.PrivateKey;
import java.security.Provider;

/**
 * What the streaming signer gets in place of a municipality's private key: a handle, one per signed message,
 * to the key decrypted and translated once for the provider that signs. The signer destroys the key it was
 * given once it has signed; destroying a handle makes that handle unusable and leaves the shared key alone,
 * which would otherwise have to be rebuilt for every message (Corretto keeps its keys natively: signing with
 * a kept key takes half the time of signing with a fresh one). Only {@link HandleSignatureProvider} signs with
 * it; it exports nothing ({@link #getEncoded} is null).
 */
final class SigningKeyHandle implements PrivateKey {

    private static final long serialVersionUID = 1L;

    private final transient PrivateKey key;
    private final transient Provider provider;
    private volatile boolean destroyed;

    SigningKeyHandle(PrivateKey key, Provider provider) {
        this.key = key;
        this.provider = provider;
    }

    /** The shared key, for the provider that signs with it; fails once this handle is destroyed. */
    PrivateKey key() {
        if (destroyed) {
            throw new IllegalStateException("the signing key handle was destroyed");
        }
        return key;
    }

    /** The provider {@link #key()} belongs to. */
    Provider provider() {
        return provider;
    }

    @Override
    public String getAlgorithm() {
        return key.getAlgorithm();
    }

    @Override
    public String getFormat() {
        return null;
    }

    @Override
    public byte[] getEncoded() {
        return null;
    }

    @Override
    public void destroy() {
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "SigningKeyHandle[" + getAlgorithm() + ", " + provider.getName() + (destroyed ? ", destroyed]" : "]");
    }
}
