package routes.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.config.ConfigOptions;
import routes.config.Setting;
import routes.security.PemFiles;

/** {@code sandbox}: runs the built-in Mossos matricula sandbox until the process is stopped. */
@Command(
        name = "sandbox",
        mixinStandardHelpOptions = true,
        description =
                "Run a local Mossos matricula service that verifies WS-Security signatures and validates each request "
                        + "against the WSDL's schema (for demos and tests).")
public class SandboxCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "8088", description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int port;

    @Option(
            names = "--trust",
            description =
                    "Folder whose PEM certificates (cert.pem, *.crt…) are trusted, searched recursively (default: CERTS_DIR)")
    Path trust;

    @Option(names = "--no-verify", description = "Accept requests without checking their signature")
    boolean noVerify;

    @Option(
            names = "--wsdl",
            description = "WSDL whose schema request bodies must match (default: MOSSOS_WSDL_URL, as the sender uses)")
    String wsdl;

    @Option(
            names = "--no-validate",
            description = "Accept request bodies without validating them against the WSDL's schema")
    boolean noValidate;

    @Option(
            names = "--codi-retorn",
            defaultValue = "1",
            description = "codiRetorn to answer (default: ${DEFAULT-VALUE})")
    String codiRetorn;

    @Option(
            names = "--latency-ms",
            defaultValue = "0",
            description = "Delay before each answer (default: ${DEFAULT-VALUE})")
    long latencyMs;

    @Option(names = "--threads", defaultValue = "64", description = "Request threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--quiet", description = "Do not print a line per request")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        Path folder = trust != null ? trust : config.settings().path(Setting.CERTS_DIR);
        List<X509Certificate> trusted = trustedCertificates(folder);
        var out = spec.commandLine().getOut();
        String schemaOf = wsdl != null ? wsdl : config.settings().text(Setting.MOSSOS_WSDL_URL);
        try (MossosSandbox sandbox = new MossosSandbox(port, threads, schemaOf)) {
            sandbox.trust(trusted)
                    .verify(!noVerify)
                    .validate(!noValidate)
                    .codiRetorn(codiRetorn)
                    .latency(latencyMs);
            if (!quiet) {
                sandbox.onReceived(r -> {
                    out.printf(
                            "[SANDBOX] matricula %s de %s (%s %s UTC) firmada por %s%n",
                            r.matricula(),
                            r.codiLector(),
                            r.dataLectura(),
                            r.horaLectura(),
                            r.signer() == null ? "(sin verificar)" : r.signer());
                    out.flush();
                });
            }
            out.printf(
                    "Mossos sandbox listening on %s (signature verification %s, %d trusted certificates from %s; schema validation %s, %s)%n",
                    sandbox.url(),
                    noVerify ? "off" : "on",
                    trusted.size(),
                    folder,
                    noValidate ? "off" : "on",
                    schemaOf);
            out.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }

    public static List<X509Certificate> trustedCertificates(Path folder) throws IOException {
        List<X509Certificate> certs = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return certs;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (!(name.endsWith(".pem") || name.endsWith(".crt") || name.endsWith(".cer"))) {
                    continue;
                }
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                if (text.contains("BEGIN CERTIFICATE")) {
                    try {
                        certs.addAll(PemFiles.readCertificates(f));
                    } catch (GeneralSecurityException e) {
                        // not a readable certificate: skip it
                    }
                }
            }
        }
        return certs;
    }
}
