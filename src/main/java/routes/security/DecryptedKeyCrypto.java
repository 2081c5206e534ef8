package routes.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import org.apache.wss4j.common.crypto.Merlin;
import org.apache.wss4j.common.ext.WSSecurityException;

/**
 * A {@link Merlin} over one certificate's key store whose signing key is decrypted once, when the
 * certificate is loaded. A PKCS#12 store decrypts its key on every {@code getKey} (PBKDF2: 0.5 ms with
 * OpenSSL's 2,048 iterations, about 2.5 ms with the JDK's 10,000, on every signed message). Each caller
 * gets its own key object, because the streaming signer destroys the key it was given once it has signed:
 * for an RSA key a {@link SigningKeyHandle} to the key translated once for the provider that signs (so
 * Corretto does not rebuild its native key for every message), for any other key a fresh copy.
 */
final class DecryptedKeyCrypto extends Merlin {

    private final String alias;
    private final byte[] passwordDigest;
    private final byte[] pkcs8;
    private final KeyFactory keys;
    private final PrivateKey signingKey;
    private final Provider signingProvider;

    /** @param password the key's password: asked for the key, callers must still give it, as with the store itself */
    DecryptedKeyCrypto(KeyStore keyStore, String alias, char[] password) throws GeneralSecurityException {
        setKeyStore(keyStore);
        this.alias = alias;
        this.passwordDigest = digest(new String(password));
        PrivateKey key = (PrivateKey) keyStore.getKey(alias, password);
        this.pkcs8 = key.getEncoded();
        if (pkcs8 == null || !"PKCS#8".equals(key.getFormat())) {
            throw new GeneralSecurityException("the private key cannot be exported as PKCS#8");
        }
        this.keys = KeyFactory.getInstance(key.getAlgorithm());
        PrivateKey decrypted = copy();
        if ("RSA".equals(decrypted.getAlgorithm())) {
            HandleSignatureProvider.install();
            // The provider that signs this key today (Corretto where installed), and the key in its own form.
            Signature chooser = Signature.getInstance("SHA256withRSA");
            chooser.initSign(decrypted);
            this.signingProvider = chooser.getProvider();
            this.signingKey = translated(decrypted, signingProvider);
        } else {
            this.signingProvider = null;
            this.signingKey = null;
        }
    }

    @Override
    public PrivateKey getPrivateKey(String identifier, String password) throws WSSecurityException {
        if (!alias.equals(identifier) || password == null || !MessageDigest.isEqual(passwordDigest, digest(password))) {
            throw new WSSecurityException(
                    WSSecurityException.ErrorCode.FAILURE, "noPrivateKey", new Object[] {identifier});
        }
        try {
            return signingKey != null ? new SigningKeyHandle(signingKey, signingProvider) : copy();
        } catch (GeneralSecurityException e) {
            throw new WSSecurityException(
                    WSSecurityException.ErrorCode.FAILURE, e, "noPrivateKey", new Object[] {identifier});
        }
    }

    private static byte[] digest(String password) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PrivateKey translated(PrivateKey key, Provider provider) {
        try {
            return (PrivateKey)
                    KeyFactory.getInstance(key.getAlgorithm(), provider).translateKey(key);
        } catch (GeneralSecurityException e) {
            return key; // the provider translates it on each signature, as it would without the handle
        }
    }

    private PrivateKey copy() throws GeneralSecurityException {
        // KeyFactory instances are not thread-safe; a fresh spec per call, the factory under a lock
        // (parsing an RSA key takes microseconds).
        synchronized (keys) {
            return keys.generatePrivate(new PKCS8EncodedKeySpec(Arrays.copyOf(pkcs8, pkcs8.length)));
        }
    }
}
