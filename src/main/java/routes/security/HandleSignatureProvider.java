package routes.security;

import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.util.List;
import java.util.Map;

/**
 * A JCA provider that signs only with a {@link SigningKeyHandle}, by handing the work to a signature of the
 * provider the handle's key belongs to. Added last to the provider list: every other key is signed and
 * verified by the providers before it, exactly as without it; a handle is refused by those (it exports
 * nothing) and reaches this one. Its services name {@link SigningKeyHandle} as their only key class.
 */
final class HandleSignatureProvider extends Provider {

    private static final long serialVersionUID = 1L;

    static final String NAME = "TattileSigningKeyHandle";

    /** The RSA signatures XML Signature's RSA algorithms use. */
    static final List<String> ALGORITHMS = List.of("SHA1withRSA", "SHA256withRSA", "SHA384withRSA", "SHA512withRSA");

    private HandleSignatureProvider() {
        super(NAME, "1.0", "Signs with a signing key handle through the provider its key belongs to");
        for (String algorithm : ALGORITHMS) {
            putService(
                    new Service(
                            this,
                            "Signature",
                            algorithm,
                            HandleSignature.class.getName(),
                            List.of(),
                            Map.of("SupportedKeyClasses", SigningKeyHandle.class.getName())) {
                        @Override
                        public Object newInstance(Object constructorParameter) {
                            return new HandleSignature(algorithm);
                        }
                    });
        }
    }

    /** Adds the provider at the end of the list, once per JVM (the list is the JVM's). */
    static synchronized void install() {
        if (Security.getProvider(NAME) == null) {
            Security.addProvider(new HandleSignatureProvider());
        }
    }

    /** One signature: everything goes to a signature of the handle's provider, created at initSign. */
    static final class HandleSignature extends SignatureSpi {

        private final String algorithm;
        private Signature delegate;

        HandleSignature(String algorithm) {
            this.algorithm = algorithm;
        }

        @Override
        protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
            if (!(privateKey instanceof SigningKeyHandle handle)) {
                throw new InvalidKeyException("only a signing key handle is signed with here");
            }
            if (handle.isDestroyed()) {
                throw new InvalidKeyException("the signing key handle was destroyed");
            }
            try {
                Signature signature = Signature.getInstance(algorithm, handle.provider());
                signature.initSign(handle.key());
                delegate = signature;
            } catch (NoSuchAlgorithmException e) {
                throw new InvalidKeyException(
                        algorithm + " is not offered by " + handle.provider().getName(), e);
            }
        }

        @Override
        protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
            throw new InvalidKeyException("verification is left to the other providers");
        }

        @Override
        protected void engineUpdate(byte b) throws SignatureException {
            initialised().update(b);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
            initialised().update(b, off, len);
        }

        @Override
        protected byte[] engineSign() throws SignatureException {
            return initialised().sign();
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
            throw new SignatureException("not initialised for verification");
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) {
            throw new InvalidParameterException("no parameters");
        }

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) {
            throw new InvalidParameterException("no parameters");
        }

        private Signature initialised() throws SignatureException {
            if (delegate == null) {
                throw new SignatureException("not initialised for signing");
            }
            return delegate;
        }
    }
}
