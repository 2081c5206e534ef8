package routes.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.wss4j.common.ext.WSSecurityException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import routes.support.TestCertificates;

/**
 * The streaming signer destroys the key it signed with; the crypto hands it a handle to a key kept for the
 * certificate's life instead of a fresh copy per message. These prove the handle signs exactly as the key
 * does, survives the signer's destroy, exports nothing, and leaves every other key to the other providers.
 */
class SigningKeyHandleTest {

    @TempDir
    static Path folder;

    static TestCertificates.Generated cert;
    static DecryptedKeyCrypto crypto;

    @BeforeAll
    static void load() throws Exception {
        CryptoProvider.choose("auto"); // as the service does at start (Corretto where it loads)
        cert = TestCertificates.generate(folder.resolve("alpha"), "alpha", 30, null);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(cert.p12())) {
            ks.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        crypto = new DecryptedKeyCrypto(ks, "1", TestCertificates.PASSWORD.toCharArray());
    }

    @Test
    void aHandleSignsWhatTheCertificateVerifiesAndEachMessageGetsItsOwnHandle() throws Exception {
        PrivateKey first = crypto.getPrivateKey("1", TestCertificates.PASSWORD);
        PrivateKey second = crypto.getPrivateKey("1", TestCertificates.PASSWORD);

        assertThat(first).isInstanceOf(SigningKeyHandle.class).isNotSameAs(second);
        assertVerifies(sign(first, "uno"), "uno");
        assertVerifies(sign(second, "dos"), "dos");
    }

    @Test
    void destroyingOneHandleAsTheStreamingSignerDoesLeavesTheKeptKeyForTheNextMessage() throws Exception {
        PrivateKey used = crypto.getPrivateKey("1", TestCertificates.PASSWORD);
        sign(used, "primero");
        used.destroy();

        assertThat(used.isDestroyed()).isTrue();
        assertThatThrownBy(() -> sign(used, "otra vez")).isInstanceOf(InvalidKeyException.class);
        PrivateKey next = crypto.getPrivateKey("1", TestCertificates.PASSWORD);
        assertThat(next.isDestroyed()).isFalse();
        assertVerifies(sign(next, "siguiente"), "siguiente");
    }

    @Test
    void aHandleExportsNothingAndNamesNoSecretInItsText() throws Exception {
        PrivateKey handle = crypto.getPrivateKey("1", TestCertificates.PASSWORD);

        assertThat(handle.getEncoded()).isNull();
        assertThat(handle.getFormat()).isNull();
        assertThat(handle.getAlgorithm()).isEqualTo("RSA");
        assertThat(handle.toString()).startsWith("SigningKeyHandle[RSA, ").doesNotContain("modulus", "exponent");
    }

    @Test
    void theKeptKeyBelongsToTheProviderThatSignsAPlainKeyOfTheCertificate() throws Exception {
        SigningKeyHandle handle = (SigningKeyHandle) crypto.getPrivateKey("1", TestCertificates.PASSWORD);
        Signature plain = Signature.getInstance("SHA256withRSA");
        plain.initSign(plainKey());

        assertThat(handle.provider()).isSameAs(plain.getProvider());
        assertThat(plain.getProvider().getName()).isNotEqualTo(HandleSignatureProvider.NAME);
    }

    @Test
    void otherKeysAreSignedAndVerifiedByTheOtherProvidersAsBefore() throws Exception {
        var pair = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(pair.getPrivate());
        signer.update("otro".getBytes(StandardCharsets.UTF_8));
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(pair.getPublic());
        verifier.update("otro".getBytes(StandardCharsets.UTF_8));

        assertThat(verifier.verify(signature)).isTrue();
        assertThat(signer.getProvider().getName()).isNotEqualTo(HandleSignatureProvider.NAME);
        assertThat(verifier.getProvider().getName()).isNotEqualTo(HandleSignatureProvider.NAME);
    }

    @Test
    void theHandleProviderRefusesAnyOtherKeyAndAnyVerification() throws Exception {
        Signature direct = Signature.getInstance("SHA256withRSA", HandleSignatureProvider.NAME);
        var pair = KeyPairGenerator.getInstance("RSA").generateKeyPair();

        assertThatThrownBy(() -> direct.initSign(pair.getPrivate()))
                .isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining("only a signing key handle");
        assertThatThrownBy(() -> direct.initVerify(pair.getPublic())).isInstanceOf(InvalidKeyException.class);
    }

    @Test
    void aWrongAliasOrPasswordStillGetsNoKey() {
        assertThatThrownBy(() -> crypto.getPrivateKey("1", "wrong")).isInstanceOf(WSSecurityException.class);
        assertThatThrownBy(() -> crypto.getPrivateKey("2", TestCertificates.PASSWORD))
                .isInstanceOf(WSSecurityException.class);
    }

    @Test
    void concurrentMessagesEachSignWithTheirOwnHandleOfOneKeptKey() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> sends = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                sends.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        String text = "hilo " + thread + " mensaje " + i;
                        PrivateKey handle = crypto.getPrivateKey("1", TestCertificates.PASSWORD);
                        byte[] signature = sign(handle, text);
                        handle.destroy();
                        assertVerifies(signature, text);
                    }
                    return null;
                }));
            }
            for (Future<?> send : sends) {
                send.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] sign(PrivateKey key, String text) throws Exception {
        Signature signature = Signature.getInstance("SHA256withRSA"); // as Santuario asks: no provider named
        signature.initSign(key);
        signature.update(text.getBytes(StandardCharsets.UTF_8));
        return signature.sign();
    }

    private static void assertVerifies(byte[] signature, String text) throws Exception {
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(cert.certificate().getPublicKey());
        verifier.update(text.getBytes(StandardCharsets.UTF_8));
        assertThat(verifier.verify(signature))
                .as("signature of %s verifies", text)
                .isTrue();
    }

    private static PrivateKey plainKey() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(cert.p12())) {
            ks.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        return (PrivateKey) ks.getKey("1", TestCertificates.PASSWORD.toCharArray());
    }
}
