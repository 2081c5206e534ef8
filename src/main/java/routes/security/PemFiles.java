package routes.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes the PEM files the original product keeps per municipality: {@code key.pem}
 * (PKCS#8 "PRIVATE KEY", or PKCS#1 "RSA PRIVATE KEY") and a certificate or chain. No key material
 * ever goes into an exception message.
 */
public final class PemFiles {

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]+)-----END \\1-----");

    private PemFiles() {}

    public static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
        // ISO-8859-1 maps every byte: text around the blocks (openssl's "Bag Attributes" with a non-ASCII
        // friendlyName, a municipality's name) need not be ASCII; the Base64 inside the blocks is.
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (m.group(1)) {
                case "PRIVATE KEY" -> {
                    return keyFromPkcs8(der);
                }
                case "RSA PRIVATE KEY" -> {
                    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1ToPkcs8(der)));
                }
                case "ENCRYPTED PRIVATE KEY" ->
                    throw new GeneralSecurityException(
                            "encrypted private keys are not supported: " + file.getFileName());
                default -> {
                    // another block (a certificate in the same file): keep looking
                }
            }
        }
        if (text.contains("Proc-Type: 4,ENCRYPTED")) {
            // OpenSSL's traditional encrypted PEM: its header lines keep BLOCK from matching
            throw new GeneralSecurityException("encrypted private keys are not supported: " + file.getFileName());
        }
        throw new GeneralSecurityException("no private key found in " + file.getFileName());
    }

    public static List<X509Certificate> readCertificates(Path file) throws IOException, GeneralSecurityException {
        byte[] bytes = Files.readAllBytes(file);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> chain = new ArrayList<>();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (text.contains("-----BEGIN ")) {
            // PEM: certificate (or PKCS#7) blocks in file order; a private key in the same file is skipped,
            // never handed to the certificate parser
            Matcher m = BLOCK.matcher(text);
            while (m.find()) {
                if ("CERTIFICATE".equals(m.group(1)) || "PKCS7".equals(m.group(1))) {
                    for (var c : cf.generateCertificates(
                            new ByteArrayInputStream(Base64.getMimeDecoder().decode(m.group(2))))) {
                        chain.add((X509Certificate) c);
                    }
                }
            }
        } else {
            for (var c : cf.generateCertificates(new ByteArrayInputStream(bytes))) {
                chain.add((X509Certificate) c);
            }
        }
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate found in " + file.getFileName());
        }
        return chain;
    }

    public static String privateKeyPem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    public static String certificatesPem(List<X509Certificate> chain) throws GeneralSecurityException {
        StringBuilder b = new StringBuilder();
        for (X509Certificate c : chain) {
            b.append(pem("CERTIFICATE", c.getEncoded()));
        }
        return b.toString();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static PrivateKey keyFromPkcs8(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("unsupported private key type", last);
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (DER), which the JDK can read. */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {
            0x30,
            0x0D,
            0x06,
            0x09,
            0x2A,
            (byte) 0x86,
            0x48,
            (byte) 0x86,
            (byte) 0xF7,
            0x0D,
            0x01,
            0x01,
            0x01,
            0x05,
            0x00
        };
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octet = derHeader(0x04, pkcs1.length);
        int innerLength = version.length + algorithm.length + octet.length + pkcs1.length;
        byte[] seq = derHeader(0x30, innerLength);
        byte[] out = new byte[seq.length + innerLength];
        int i = 0;
        for (byte[] part : new byte[][] {seq, version, algorithm, octet, pkcs1}) {
            System.arraycopy(part, 0, out, i, part.length);
            i += part.length;
        }
        return out;
    }

    private static byte[] derHeader(int tag, int length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        if (length < 0x100) {
            return new byte[] {(byte) tag, (byte) 0x81, (byte) length};
        }
        if (length < 0x10000) {
            return new byte[] {(byte) tag, (byte) 0x82, (byte) (length >> 8), (byte) length};
        }
        return new byte[] {(byte) tag, (byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
    }
}
