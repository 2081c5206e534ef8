package routes.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.security.auth.callback.Callback;
import org.apache.wss4j.common.crypto.CryptoType;
import org.apache.wss4j.common.crypto.Merlin;
import org.apache.wss4j.common.ext.WSPasswordCallback;
import org.apache.wss4j.common.ext.WSSecurityException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import routes.security.CertificateStore.UnusableCertificateException;
import routes.support.TestCertificates;
import routes.support.TestCertificates.Generated;
import routes.support.TestDb;
import routes.support.TestFiles;

/**
 * {@link CertificateStore} against the real database: loading PEM and PKCS#12 rows, the cache and its
 * reload, and every controlled refusal — whose messages never carry keys or passwords.
 */
class CertificateStoreTest {

    private static final Path BASE =
            Path.of("target", "it-certs", "CertificateStoreTest").toAbsolutePath();
    private static final String PASSWORD_A = "pw-ayto-a-7f3K9q";
    private static final String PASSWORD_B = "pw-ayto-b-2Lm8Zx";
    private static final String WRONG_PASSWORD = "wrong-pw-Qx81Tz";

    private static HikariDataSource ds;
    private static Generated alpha;
    private static Generated beta;
    private static Generated expired;
    private static Generated future;
    private static CertFixtures.Chain chain;
    /** Base64 of every private key the tests use (PKCS#8 and PKCS#1): none of it may show in a message. */
    private static final List<String> KEY_TEXT = new ArrayList<>();

    private MutableClock clock;
    private CertificateStore store;
    private Path certsDir;
    private Path work;

    @BeforeAll
    static void setUp() throws Exception {
        ds = TestDb.open();
        TestFiles.deleteTree(BASE);
        Path shared = BASE.resolve("shared");
        alpha = TestCertificates.generate(shared.resolve("alpha"), "alpha", 365, null);
        beta = TestCertificates.generate(shared.resolve("beta"), "beta", 365, null);
        expired = TestCertificates.generate(shared.resolve("expired"), "expired", 30, "-400d");
        future = TestCertificates.generate(shared.resolve("future"), "future", 365, "+10d");
        chain = CertFixtures.issuedChain(shared.resolve("chain"), "Test CA", "leaf");
        for (Generated g : List.of(alpha, beta, expired, future)) {
            addKeyText(PemFiles.readPrivateKey(g.keyPem()));
        }
        addKeyText(chain.leafKey());
    }

    private static void addKeyText(PrivateKey key) {
        KEY_TEXT.add(Base64.getEncoder().encodeToString(key.getEncoded()));
        KEY_TEXT.add(Base64.getEncoder().encodeToString(CertFixtures.pkcs1Of(key.getEncoded())));
    }

    @AfterAll
    static void tearDown() throws Exception {
        TestDb.reset(ds);
        ds.close();
    }

    @BeforeEach
    void clean(TestInfo test) throws Exception {
        TestDb.reset(ds);
        certsDir = BASE.resolve("certs");
        work = certsDir.resolve(test.getTestMethod().orElseThrow().getName());
        TestFiles.deleteTree(work);
        Files.createDirectories(work);
        clock = new MutableClock(Instant.now());
        store = new CertificateStore(ds, certsDir, clock);
    }

    // ---- loading and signing ----

    @Test
    void pemRowLoadsAndSigns() throws Exception {
        UUID id = TestCertificates.registerPem(ds, "Ayuntamiento PEM", alpha);

        SigningMaterial m = store.material(id);

        assertThat(m.certificateId()).isEqualTo(id);
        assertThat(m.name()).isEqualTo("Ayuntamiento PEM");
        assertThat(m.certificate()).isEqualTo(alpha.certificate());
        assertThat(m.validTo()).isEqualTo(alpha.certificate().getNotAfter().toInstant());
        assertSigns(m);
        assertThat(m.toString()).contains("CN=alpha").doesNotContain("PRIVATE KEY");
        assertNoSecrets(m.toString());
    }

    @Test
    void pkcs12RowLoadsAndSigns() throws Exception {
        UUID id = TestCertificates.registerPkcs12(ds, "Ayuntamiento P12", alpha);

        SigningMaterial m = store.material(id);

        assertThat(m.alias()).isEqualTo("1");
        assertThat(m.certificate()).isEqualTo(alpha.certificate());
        assertThat(password(m, "1")).isEqualTo(TestCertificates.PASSWORD);
        assertSigns(m);
    }

    @Test
    void pemRowWithChainLoadsLeafAndChain() throws Exception {
        Path key = work.resolve("key.pem");
        Path cert = work.resolve("chain.pem");
        Files.writeString(key, PemFiles.privateKeyPem(chain.leafKey()));
        Files.writeString(cert, PemFiles.certificatesPem(List.of(chain.leaf(), chain.ca())));
        UUID id = insert("Ayuntamiento cadena", "PEM", cert.toString(), key.toString(), null, null, true);

        SigningMaterial m = store.material(id);

        assertThat(m.certificate()).isEqualTo(chain.leaf());
        CryptoType byAlias = new CryptoType(CryptoType.TYPE.ALIAS);
        byAlias.setAlias(m.alias());
        assertThat(m.crypto().getX509Certificates(byAlias)).containsExactly(chain.leaf(), chain.ca());
        assertSigns(m);
    }

    /** key_path and cert_path on one file, as {@code openssl pkcs12 -nodes} writes it (key first, then the certificate). */
    @Test
    void pemRowWithKeyAndCertificateInOneFile() throws Exception {
        Path both = work.resolve("all.pem");
        Files.writeString(
                both,
                "Bag Attributes\n    friendlyName: 1\nKey Attributes: <No Attributes>\n"
                        + Files.readString(alpha.keyPem())
                        + "Bag Attributes\n    friendlyName: 1\nsubject=C = ES, O = tattile-sender tests, CN = alpha\n"
                        + Files.readString(alpha.certPem()));
        UUID id = insert("Ayuntamiento un fichero", "PEM", both.toString(), both.toString(), null, null, true);

        SigningMaterial m = store.material(id);

        assertThat(m.certificate()).isEqualTo(alpha.certificate());
        assertSigns(m);
    }

    @Test
    void relativePathsResolveUnderCertsDir() throws Exception {
        Path dir = certsDir.resolve("ayto-relativo");
        TestFiles.deleteTree(dir);
        copyAll(alpha, dir);
        UUID pem = insert("Relativo PEM", "PEM", "ayto-relativo/cert.pem", "ayto-relativo/key.pem", null, null, true);
        UUID p12 = insert(
                "Relativo P12", "PKCS12", null, null, "ayto-relativo/cert.p12", "ayto-relativo/password.txt", true);

        assertThat(store.material(pem).certificate()).isEqualTo(alpha.certificate());
        assertThat(store.material(p12).certificate()).isEqualTo(alpha.certificate());
        assertSigns(store.material(p12));

        // the same rows with another CERTS_DIR: the files are looked for there, not in the working directory
        CertificateStore elsewhere = new CertificateStore(ds, BASE.resolve("elsewhere"), clock);
        assertUnusable(elsewhere, pem, "CERTIFICADO_ILEGIBLE");
        assertUnusable(elsewhere, p12, "CERTIFICADO_ILEGIBLE");
    }

    // ---- cache and reload ----

    @Test
    void sameIdReturnsTheCachedMaterialWhileNothingChanges() throws Exception {
        UUID pem = TestCertificates.registerPem(ds, "Cache PEM", alpha);
        UUID p12 = TestCertificates.registerPkcs12(ds, "Cache P12", beta);

        SigningMaterial first = store.material(pem);
        SigningMaterial firstP12 = store.material(p12);

        assertThat(store.material(pem)).isSameAs(first);
        assertThat(store.material(p12)).isSameAs(firstP12);
        assertThat(store.cachedIds()).containsExactlyInAnyOrder(pem, p12);
    }

    @Test
    void replacedPemFilesAreLoadedOnTheNextCall() throws Exception {
        copyAll(alpha, work);
        UUID id = insert(
                "Renovado PEM",
                "PEM",
                work.resolve("cert.pem").toString(),
                work.resolve("key.pem").toString(),
                null,
                null,
                true);
        SigningMaterial before = store.material(id);
        assertThat(before.certificate()).isEqualTo(alpha.certificate());

        replace(beta.keyPem(), work.resolve("key.pem"));
        replace(beta.certPem(), work.resolve("cert.pem"));
        SigningMaterial after = store.material(id);

        assertThat(after).isNotSameAs(before);
        assertThat(after.certificate()).isEqualTo(beta.certificate());
        assertSigns(after);
        assertThat(store.material(id)).isSameAs(after);
    }

    @Test
    void replacedPkcs12FileIsLoadedOnTheNextCall() throws Exception {
        copyAll(alpha, work);
        UUID id = insert(
                "Renovado P12",
                "PKCS12",
                null,
                null,
                work.resolve("cert.p12").toString(),
                work.resolve("password.txt").toString(),
                true);
        SigningMaterial before = store.material(id);

        replace(beta.p12(), work.resolve("cert.p12"));
        SigningMaterial after = store.material(id);

        assertThat(before.certificate()).isEqualTo(alpha.certificate());
        assertThat(after.certificate()).isEqualTo(beta.certificate());
        assertSigns(after);
    }

    /** Only the certificate replaced, the old key left: refused, not served from the cache. */
    @Test
    void halfReplacedPemPairIsRefusedNotServedFromCache() throws Exception {
        copyAll(alpha, work);
        UUID id = insert(
                "Medio renovado",
                "PEM",
                work.resolve("cert.pem").toString(),
                work.resolve("key.pem").toString(),
                null,
                null,
                true);
        store.material(id);

        replace(beta.certPem(), work.resolve("cert.pem"));

        assertUnusable(store, id, "CERTIFICADO_ILEGIBLE");
    }

    @Test
    void changedRowIsLoadedOnTheNextCall() throws Exception {
        UUID id = TestCertificates.registerPem(ds, "Fila cambiada", alpha);
        SigningMaterial before = store.material(id);

        update(
                "UPDATE certificates SET cert_path = ?, key_path = ? WHERE id = ?",
                beta.certPem().toString(),
                beta.keyPem().toString(),
                id);

        assertThat(before.certificate()).isEqualTo(alpha.certificate());
        assertThat(store.material(id).certificate()).isEqualTo(beta.certificate());
    }

    @Test
    void fileRemovedAfterLoadingIsRefused() throws Exception {
        copyAll(alpha, work);
        UUID id = insert(
                "Borrado",
                "PEM",
                work.resolve("cert.pem").toString(),
                work.resolve("key.pem").toString(),
                null,
                null,
                true);
        store.material(id);

        Files.delete(work.resolve("key.pem"));

        assertUnusable(store, id, "CERTIFICADO_ILEGIBLE");
    }

    // ---- refusals ----

    @Test
    void missingRowIsNotConfigured() throws Exception {
        UUID id = UUID.randomUUID();

        UnusableCertificateException e = assertUnusable(store, id, "CERTIFICADO_NO_CONFIGURADO");

        assertThat(e.getMessage()).contains(id.toString());
    }

    @Test
    void inactiveRowIsNotConfigured() throws Exception {
        UUID inactive = insert(
                "Inactivo", "PEM", alpha.certPem().toString(), alpha.keyPem().toString(), null, null, false);
        assertUnusable(store, inactive, "CERTIFICADO_NO_CONFIGURADO");

        // deactivated after it was loaded and cached
        UUID id = TestCertificates.registerPkcs12(ds, "Desactivado", alpha);
        store.material(id);
        update("UPDATE certificates SET active = false WHERE id = ?", id);
        assertUnusable(store, id, "CERTIFICADO_NO_CONFIGURADO");
    }

    @Test
    void expiredCertificateIsRefused() throws Exception {
        UUID pem = TestCertificates.registerPem(ds, "Caducado PEM", expired);
        UUID p12 = TestCertificates.registerPkcs12(ds, "Caducado P12", expired);

        assertThat(assertUnusable(store, pem, "CERTIFICADO_CADUCADO").getMessage())
                .contains("Caducado PEM");
        assertUnusable(store, p12, "CERTIFICADO_CADUCADO");
    }

    @Test
    void notYetValidCertificateIsRefused() throws Exception {
        UUID pem = TestCertificates.registerPem(ds, "Futuro PEM", future);
        UUID p12 = TestCertificates.registerPkcs12(ds, "Futuro P12", future);

        assertThat(assertUnusable(store, pem, "CERTIFICADO_NO_VALIDO_AUN").getMessage())
                .contains("Futuro PEM");
        assertUnusable(store, p12, "CERTIFICADO_NO_VALIDO_AUN");
    }

    /** The validity window follows the store's clock, both ends inclusive, without reloading the material. */
    @Test
    void validityFollowsTheClock() throws Exception {
        UUID id = TestCertificates.registerPem(ds, "Reloj", alpha);
        SigningMaterial m = store.material(id);
        Instant from = alpha.certificate().getNotBefore().toInstant();
        Instant to = alpha.certificate().getNotAfter().toInstant();

        clock.set(to);
        assertThat(store.material(id)).isSameAs(m);
        clock.set(to.plusSeconds(1));
        assertUnusable(store, id, "CERTIFICADO_CADUCADO");
        clock.set(from);
        assertThat(store.material(id)).isSameAs(m);
        clock.set(from.minusSeconds(1));
        assertUnusable(store, id, "CERTIFICADO_NO_VALIDO_AUN");
        clock.set(from.plus(Duration.ofDays(1)));
        assertThat(store.material(id)).isSameAs(m);
    }

    @Test
    void keyOfAnotherCertificateIsRefused() throws Exception {
        UUID id = insert(
                "Clave ajena", "PEM", beta.certPem().toString(), alpha.keyPem().toString(), null, null, true);

        UnusableCertificateException e = assertUnusable(store, id, "CERTIFICADO_ILEGIBLE");

        assertThat(e.getMessage()).contains("Clave ajena", "does not match");
    }

    @Test
    void keyAndCertificatePathsSwappedAreRefused() throws Exception {
        UUID id = insert(
                "Rutas cruzadas",
                "PEM",
                alpha.keyPem().toString(),
                alpha.certPem().toString(),
                null,
                null,
                true);

        assertUnusable(store, id, "CERTIFICADO_ILEGIBLE");
    }

    @Test
    void wrongPkcs12PasswordIsRefused() throws Exception {
        copyAll(alpha, work);
        Files.writeString(work.resolve("password.txt"), WRONG_PASSWORD + "\n");
        UUID id = insert(
                "Clave P12 errónea",
                "PKCS12",
                null,
                null,
                work.resolve("cert.p12").toString(),
                work.resolve("password.txt").toString(),
                true);

        assertUnusable(store, id, "CERTIFICADO_ILEGIBLE");
    }

    @Test
    void missingFilesAreRefused() throws Exception {
        String nowhere = work.resolve("does-not-exist.pem").toString();
        List<UUID> ids = List.of(
                insert("Sin clave", "PEM", alpha.certPem().toString(), nowhere, null, null, true),
                insert("Sin certificado", "PEM", nowhere, alpha.keyPem().toString(), null, null, true),
                insert(
                        "Sin p12",
                        "PKCS12",
                        null,
                        null,
                        nowhere,
                        alpha.dir().resolve("password.txt").toString(),
                        true),
                insert("Sin fichero de clave", "PKCS12", null, null, alpha.p12().toString(), nowhere, true),
                insert("Sin ruta de clave", "PKCS12", null, null, alpha.p12().toString(), null, true));

        for (UUID id : ids) {
            assertUnusable(store, id, "CERTIFICADO_ILEGIBLE");
        }
    }

    @Test
    void encryptedKeyIsRefused() throws Exception {
        Path key = work.resolve("key.pem");
        Files.writeString(
                key,
                CertFixtures.legacyEncryptedRsaPem(
                        CertFixtures.pkcs1Of(
                                PemFiles.readPrivateKey(alpha.keyPem()).getEncoded()),
                        PASSWORD_A));
        UUID id = insert("Clave cifrada", "PEM", alpha.certPem().toString(), key.toString(), null, null, true);

        assertThat(assertUnusable(store, id, "CERTIFICADO_ILEGIBLE").getMessage())
                .contains("encrypted");
    }

    // ---- several municipalities ----

    /**
     * Two PKCS#12 files whose aliases are both "1": each material's callback answers with its own
     * store's password, and that password does not open the other store.
     */
    @Test
    void sameAliasInTwoMunicipalitiesEachCallbackOpensOnlyItsOwnStore() throws Exception {
        Path dirA = work.resolve("a");
        Path dirB = work.resolve("b");
        copyAll(alpha, dirA);
        copyAll(beta, dirB);
        CertFixtures.changePkcs12Password(dirA.resolve("cert.p12"), PASSWORD_A);
        CertFixtures.changePkcs12Password(dirB.resolve("cert.p12"), PASSWORD_B);
        UUID idA = insert(
                "Ayuntamiento A",
                "PKCS12",
                null,
                null,
                dirA.resolve("cert.p12").toString(),
                dirA.resolve("password.txt").toString(),
                true);
        UUID idB = insert(
                "Ayuntamiento B",
                "PKCS12",
                null,
                null,
                dirB.resolve("cert.p12").toString(),
                dirB.resolve("password.txt").toString(),
                true);

        SigningMaterial a = store.material(idA);
        SigningMaterial b = store.material(idB);

        assertThat(a.alias()).isEqualTo("1").isEqualTo(b.alias());
        assertThat(a.certificate()).isEqualTo(alpha.certificate());
        assertThat(b.certificate()).isEqualTo(beta.certificate());
        String passwordA = password(a, "1");
        String passwordB = password(b, "1");
        assertThat(passwordA).isEqualTo(PASSWORD_A);
        assertThat(passwordB).isEqualTo(PASSWORD_B);
        assertPasswordsOpenOnlyTheirOwnStore(a, passwordA, alpha.certificate(), b, passwordB, beta.certificate());
        // a callback says nothing for an alias that is not its own
        assertThat(password(a, "signer")).isNull();
        assertThat(password(a, "2")).isNull();
        assertSigns(a);
        assertSigns(b);
    }

    /** The same for PEM pairs, whose in-memory stores all use the alias "signer". */
    @Test
    void samePemAliasInTwoMunicipalitiesEachCallbackOpensOnlyItsOwnStore() throws Exception {
        UUID idA = TestCertificates.registerPem(ds, "PEM A", alpha);
        UUID idB = TestCertificates.registerPem(ds, "PEM B", beta);

        SigningMaterial a = store.material(idA);
        SigningMaterial b = store.material(idB);

        assertThat(a.alias()).isEqualTo(b.alias());
        String passwordA = password(a, a.alias());
        String passwordB = password(b, b.alias());
        assertThat(passwordA).isNotBlank().isNotEqualTo(passwordB);
        assertPasswordsOpenOnlyTheirOwnStore(a, passwordA, alpha.certificate(), b, passwordB, beta.certificate());
        assertThat(password(a, "1")).isNull();
    }

    // ---- helpers ----

    /** Signs with the key the crypto gives for the callback's password, and checks it with the material's certificate. */
    private static void assertSigns(SigningMaterial m) throws Exception {
        String password = password(m, m.alias());
        assertThat(password).as("password from the callback").isNotNull();
        PrivateKey key = m.crypto().getPrivateKey(m.alias(), password);
        CryptoType byAlias = new CryptoType(CryptoType.TYPE.ALIAS);
        byAlias.setAlias(m.alias());
        assertThat(m.crypto().getX509Certificates(byAlias)[0]).isEqualTo(m.certificate());
        byte[] data = ("matriculaRequest for " + m.name()).getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(key);
        signer.update(data);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(m.certificate());
        verifier.update(data);
        assertThat(verifier.verify(signature))
                .as("signature verifies with %s", m.certificate().getSubjectX500Principal())
                .isTrue();
        data[0] ^= 1;
        verifier.initVerify(m.certificate());
        verifier.update(data);
        assertThat(verifier.verify(signature))
                .as("tampered data does not verify")
                .isFalse();
    }

    /**
     * Each password opens its own store and not the other one — in the key stores themselves, and through
     * the (fresh) Crypto. Merlin then caches a private key per alias once it has handed it out, after which
     * it no longer looks at the password; so isolation rests on each material having its own Crypto: asked
     * with the other municipality's password, a Crypto still never gives the other municipality's key.
     */
    private static void assertPasswordsOpenOnlyTheirOwnStore(
            SigningMaterial a,
            String passwordA,
            X509Certificate certA,
            SigningMaterial b,
            String passwordB,
            X509Certificate certB)
            throws Exception {
        assertThat(a.crypto()).isNotSameAs(b.crypto());
        KeyStore storeA = ((Merlin) a.crypto()).getKeyStore();
        KeyStore storeB = ((Merlin) b.crypto()).getKeyStore();
        assertThat(catchThrowable(() -> storeB.getKey(b.alias(), passwordA.toCharArray())))
                .as("A's password on B's store")
                .isInstanceOf(UnrecoverableKeyException.class);
        assertThat(catchThrowable(() -> storeA.getKey(a.alias(), passwordB.toCharArray())))
                .as("B's password on A's store")
                .isInstanceOf(UnrecoverableKeyException.class);
        assertThat(catchThrowable(() -> b.crypto().getPrivateKey(b.alias(), passwordA)))
                .as("A's password on B's Crypto")
                .isInstanceOf(WSSecurityException.class);
        assertThat(catchThrowable(() -> a.crypto().getPrivateKey(a.alias(), passwordB)))
                .as("B's password on A's Crypto")
                .isInstanceOf(WSSecurityException.class);

        KeyMatch.require(a.crypto().getPrivateKey(a.alias(), passwordA), certA);
        KeyMatch.require(b.crypto().getPrivateKey(b.alias(), passwordB), certB);

        assertOnlyOwnKey(a, passwordB, certA);
        assertOnlyOwnKey(b, passwordA, certB);
    }

    /** Asked with another password, the material's Crypto refuses or gives its own key (Merlin's cache) — never another. */
    private static void assertOnlyOwnKey(SigningMaterial m, String otherPassword, X509Certificate own)
            throws Exception {
        PrivateKey key;
        try {
            key = m.crypto().getPrivateKey(m.alias(), otherPassword);
        } catch (WSSecurityException refused) {
            return;
        }
        KeyMatch.require(key, own);
    }

    /** What the material's callback answers for a SIGNATURE request on {@code alias}. */
    private static String password(SigningMaterial m, String alias) throws Exception {
        WSPasswordCallback pc = new WSPasswordCallback(alias, WSPasswordCallback.SIGNATURE);
        m.passwordCallback().handle(new Callback[] {pc});
        return pc.getPassword();
    }

    private UnusableCertificateException assertUnusable(CertificateStore s, UUID id, String code) {
        Throwable t = catchThrowable(() -> s.material(id));
        assertThat(t).isInstanceOf(UnusableCertificateException.class);
        UnusableCertificateException e = (UnusableCertificateException) t;
        assertThat(e.code()).as("code of: %s", e.getMessage()).isEqualTo(code);
        for (Throwable c = e; c != null; c = c.getCause()) {
            assertNoSecrets(c.toString());
        }
        return e;
    }

    private static void assertNoSecrets(String text) {
        assertThat(text)
                .doesNotContain(
                        "PRIVATE KEY", "-----BEGIN", TestCertificates.PASSWORD, PASSWORD_A, PASSWORD_B, WRONG_PASSWORD);
        // no long Base64 run, and no 16 characters that also occur in a key's Base64
        assertThat(text).doesNotContainPattern("[A-Za-z0-9+=]{60,}");
        for (int i = 0; i + 16 <= text.length(); i++) {
            String window = text.substring(i, i + 16);
            assertThat(KEY_TEXT).as("key material in: %s", text).noneMatch(k -> k.contains(window));
        }
    }

    private static void copyAll(Generated g, Path dir) throws Exception {
        Files.createDirectories(dir);
        for (String name : List.of("cert.p12", "key.pem", "cert.pem", "password.txt")) {
            Files.copy(g.dir().resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Overwrites {@code target} with {@code source} and gives it a later modification time than it had. */
    private static void replace(Path source, Path target) throws Exception {
        FileTime old = Files.getLastModifiedTime(target);
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(target, FileTime.fromMillis(old.toMillis() + 10_000));
    }

    private static UUID insert(
            String name,
            String type,
            String certPath,
            String keyPath,
            String pfxPath,
            String passwordPath,
            boolean active)
            throws Exception {
        String sql =
                "INSERT INTO certificates (name, type, cert_path, key_path, pfx_path, password_path, active) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.setString(2, type);
            ps.setString(3, certPath);
            ps.setString(4, keyPath);
            ps.setString(5, pfxPath);
            ps.setString(6, passwordPath);
            ps.setBoolean(7, active);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    private static void update(String sql, Object... args) throws Exception {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    /** A clock the test sets. */
    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
