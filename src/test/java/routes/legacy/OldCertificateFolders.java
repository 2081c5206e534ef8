package routes.legacy;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificate folders made with the old product's own openssl commands.
 *
 * <p>The test material (a CA and, per municipality, an RSA-2048 client key and certificate issued by it, packed into
 * a password-protected PFX with the CA) is made first with plain openssl; then the folders are made exactly as
 * {@code app/admin/certs.py} and {@code app/scripts/import_certificate_from_pfx.py} (TattileSender 45f6101) make
 * them, with {@code -legacy} only when {@code openssl pkcs12 -help} lists it, as they detect it. One deviation, in
 * {@link #extractPrivpub}: where they let openssl ask for a PEM pass phrase on the terminal, {@code -passout} gives
 * it the PFX password so the build runs unattended.
 */
final class OldCertificateFolders {

    private static final Pattern PEM_CERTIFICATE =
            Pattern.compile("-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", Pattern.DOTALL);

    private final Path caDir;
    private final List<String> pkcs12;

    /** {@code caDir}: where the test CA and the client material live (not part of the old installation). */
    OldCertificateFolders(Path caDir) throws Exception {
        this.caDir = caDir;
        this.pkcs12 = detectPkcs12Command();
    }

    /** {@code ["openssl", "pkcs12", "-legacy"]} when this openssl's {@code pkcs12 -help} mentions -legacy, as the old _detect_pkcs12_cmd. */
    static List<String> detectPkcs12Command() throws Exception {
        String help = run(List.of("openssl", "pkcs12", "-help"), false);
        return help.contains("-legacy") ? List.of("openssl", "pkcs12", "-legacy") : List.of("openssl", "pkcs12");
    }

    // ---- test material ---------------------------------------------------------------------------------------

    /** A self-signed CA (CA:true) in caDir/ca.key + ca.pem. */
    void makeTestCa() throws Exception {
        Files.createDirectories(caDir);
        run(
                List.of(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-sha256",
                        "-days",
                        "3650",
                        "-keyout",
                        caDir.resolve("ca.key").toString(),
                        "-out",
                        caPem().toString(),
                        "-subj",
                        "/C=ES/O=tattile-sender tests/CN=Legacy Test CA",
                        "-addext",
                        "basicConstraints=critical,CA:true",
                        "-addext",
                        "keyUsage=critical,keyCertSign,cRLSign"),
                true);
    }

    Path caPem() {
        return caDir.resolve("ca.pem");
    }

    /**
     * A client key (RSA 2048) and certificate issued by the test CA, packed with the CA into {@code pfx}
     * ({@code openssl pkcs12 -export ... -certfile ca.pem}, legacy algorithms when available, like the PFX files
     * certification authorities hand out).
     */
    void issueClientPfx(String label, String subject, String password, Path pfx) throws Exception {
        Path key = caDir.resolve(label + ".key");
        Path csr = caDir.resolve(label + ".csr");
        Path cert = caDir.resolve(label + ".pem");
        Path ext = caDir.resolve(label + ".ext");
        run(
                List.of(
                        "openssl",
                        "req",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-keyout",
                        key.toString(),
                        "-out",
                        csr.toString(),
                        "-subj",
                        subject),
                true);
        Files.writeString(
                ext,
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                        + "extendedKeyUsage=clientAuth\n");
        run(
                List.of(
                        "openssl",
                        "x509",
                        "-req",
                        "-sha256",
                        "-days",
                        "730",
                        "-in",
                        csr.toString(),
                        "-CA",
                        caPem().toString(),
                        "-CAkey",
                        caDir.resolve("ca.key").toString(),
                        "-set_serial",
                        "0x" + new BigInteger(64, new SecureRandom()).toString(16),
                        "-extfile",
                        ext.toString(),
                        "-out",
                        cert.toString()),
                true);
        Files.createDirectories(pfx.getParent());
        List<String> export = new ArrayList<>(pkcs12);
        export.addAll(List.of(
                "-export",
                "-inkey",
                key.toString(),
                "-in",
                cert.toString(),
                "-certfile",
                caPem().toString(),
                "-name",
                subject.substring(subject.indexOf("CN=") + 3),
                "-passout",
                "pass:" + password,
                "-out",
                pfx.toString()));
        run(export, true);
    }

    // ---- app/admin/certs.py ----------------------------------------------------------------------------------

    /**
     * extract_and_assign_cert's files in {@code outputDir}: key.pem (unencrypted, chmod 600), client_only.pem,
     * ca_chain.pem, client.pem (client_only then ca_chain) and privpub.pem; then its key/certificate modulus check.
     */
    void extractLikeAdminCerts(Path pfx, String password, Path outputDir) throws Exception {
        Files.createDirectories(outputDir);
        Path key = extractKey(pfx, password, outputDir);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Path clientOnly = extractClientCert(pfx, password, outputDir);
        Path caChain = extractCaChain(pfx, password, outputDir);
        Path client = concatClientPem(clientOnly, caChain, outputDir);
        extractPrivpub(pfx, password, outputDir);
        verifyKeyMatchesCert(key, client);
    }

    /** _concat_client_pem: the non-empty files among client_only.pem and ca_chain.pem, byte for byte, into client.pem. */
    private static Path concatClientPem(Path clientOnly, Path caChain, Path outputDir) throws IOException {
        Path client = outputDir.resolve("client.pem");
        try (OutputStream out = Files.newOutputStream(client)) {
            for (Path part : List.of(clientOnly, caChain)) {
                if (Files.exists(part) && Files.size(part) > 0) {
                    out.write(Files.readAllBytes(part));
                }
            }
        }
        return client;
    }

    /** _verify_key_matches_cert: md5 of "openssl rsa -modulus" of the key equals that of "openssl x509 -modulus" of client.pem. */
    private static void verifyKeyMatchesCert(Path key, Path client) throws Exception {
        String keyModulus = modulusMd5(key, "rsa");
        String certModulus = modulusMd5(client, "x509");
        if (!keyModulus.equals(certModulus)) {
            throw new IllegalStateException(
                    "KEY_VALUES_MISMATCH: " + key + " does not match the first certificate of " + client);
        }
    }

    private static String modulusMd5(Path file, String kind) throws Exception {
        String out = run(List.of("openssl", kind, "-noout", "-modulus", "-in", file.toString()), true)
                .strip();
        String modulus = out.substring(out.indexOf('=') + 1).strip();
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("MD5").digest(modulus.getBytes(StandardCharsets.UTF_8)));
    }

    // ---- app/scripts/import_certificate_from_pfx.py ----------------------------------------------------------

    /**
     * main()'s files in {@code targetDir}: the PFX copied (shutil.copy2: mode and mtime kept), key.pem (unencrypted,
     * no chmod), privpub.pem, and cert_mossos_public.pem = the LAST certificate in privpub.pem. Returns the copied PFX.
     */
    Path importLikeScript(Path pfx, String password, Path targetDir) throws Exception {
        Files.createDirectories(targetDir);
        Path copied = Files.copy(
                pfx,
                targetDir.resolve(pfx.getFileName()),
                StandardCopyOption.COPY_ATTRIBUTES,
                StandardCopyOption.REPLACE_EXISTING);
        extractKey(copied, password, targetDir);
        Path privpub = extractPrivpub(copied, password, targetDir);
        extractLastCertFromChain(privpub, targetDir);
        return copied;
    }

    /**
     * _extract_last_cert_from_chain: the last BEGIN/END CERTIFICATE block, written as matched — without a trailing
     * newline.
     */
    private static Path extractLastCertFromChain(Path privpub, Path targetDir) throws IOException {
        Matcher m = PEM_CERTIFICATE.matcher(Files.readString(privpub, StandardCharsets.UTF_8));
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        if (last == null) {
            throw new IllegalStateException("no certificate in " + privpub);
        }
        Path publicCert = targetDir.resolve("cert_mossos_public.pem");
        Files.writeString(publicCert, last, StandardCharsets.UTF_8);
        return publicCert;
    }

    // ---- the openssl pkcs12 commands, argument for argument as the old scripts run them ----------------------

    /** _extract_key: {@code pkcs12 -in PFX -nocerts -out key.pem -nodes -passin pass:PW} (Bag Attributes included). */
    Path extractKey(Path pfx, String password, Path dir) throws Exception {
        Path key = dir.resolve("key.pem");
        pkcs12("-in", pfx.toString(), "-nocerts", "-out", key.toString(), "-nodes", "-passin", "pass:" + password);
        return key;
    }

    /** _extract_client_cert: {@code pkcs12 -in PFX -clcerts -nokeys -out client_only.pem -passin pass:PW}. */
    private Path extractClientCert(Path pfx, String password, Path dir) throws Exception {
        Path clientOnly = dir.resolve("client_only.pem");
        pkcs12(
                "-in",
                pfx.toString(),
                "-clcerts",
                "-nokeys",
                "-out",
                clientOnly.toString(),
                "-passin",
                "pass:" + password);
        return clientOnly;
    }

    /** _extract_ca_chain: {@code pkcs12 -in PFX -cacerts -nokeys -out ca_chain.pem -passin pass:PW}. */
    private Path extractCaChain(Path pfx, String password, Path dir) throws Exception {
        Path caChain = dir.resolve("ca_chain.pem");
        pkcs12("-in", pfx.toString(), "-cacerts", "-nokeys", "-out", caChain.toString(), "-passin", "pass:" + password);
        return caChain;
    }

    /**
     * _extract_privpub: {@code pkcs12 -in PFX -out privpub.pem -passin pass:PW} — the key encrypted, then the
     * certificates. The old command has no -passout, so openssl asks for a PEM pass phrase on the terminal; here
     * {@code -passout pass:PW} answers with the PFX password so the build runs unattended.
     */
    Path extractPrivpub(Path pfx, String password, Path dir) throws Exception {
        Path privpub = dir.resolve("privpub.pem");
        pkcs12(
                "-in",
                pfx.toString(),
                "-out",
                privpub.toString(),
                "-passin",
                "pass:" + password,
                "-passout",
                "pass:" + password);
        return privpub;
    }

    /** Runs the detected {@code openssl pkcs12 [-legacy]} with {@code args}. */
    private void pkcs12(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(pkcs12);
        cmd.addAll(List.of(args));
        run(cmd, true);
    }

    /** Runs a command with no terminal input; returns its output (stdout and stderr), failing on a non-zero exit if asked. */
    private static String run(List<String> cmd, boolean mustSucceed) throws Exception {
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + String.join(" ", cmd));
        }
        if (mustSucceed && p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }
}
