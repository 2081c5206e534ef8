package routes.monitoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jolokia.jvmagent.JolokiaServer;
import org.jolokia.jvmagent.JvmAgentConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jolokia (JMX over HTTP, what Hawtio connects to) inside the service, on 127.0.0.1 only, with HTTP Basic
 * authentication and {@link JolokiaPolicy}. It starts only when {@code JOLOKIA_PORT} is set and both
 * {@code JOLOKIA_USER} and a readable, non-empty {@code JOLOKIA_PASSWORD_FILE} are given; otherwise one line
 * says why and the service runs without it. Monitoring never stops the service.
 */
public final class JolokiaAgent {

    private static final Logger LOG = LoggerFactory.getLogger(JolokiaAgent.class);

    private JolokiaAgent() {}

    /**
     * Starts the agent if it is configured (JOLOKIA_PORT, JOLOKIA_USER, JOLOKIA_PASSWORD_FILE); the running server, or
     * empty (with the reason logged).
     */
    public static Optional<JolokiaServer> start(int port, String user, String passwordFile) {
        if (port <= 0) {
            return Optional.empty();
        }
        if (user.isEmpty() || passwordFile.isEmpty()) {
            LOG.warn(
                    "Jolokia not started on 127.0.0.1:{}: it needs JOLOKIA_USER and JOLOKIA_PASSWORD_FILE (README, Security); "
                            + "set JOLOKIA_PORT=0 to turn it off",
                    port);
            return Optional.empty();
        }
        String password;
        try {
            password = readPassword(Path.of(passwordFile));
        } catch (IOException e) {
            LOG.warn(
                    "Jolokia not started on 127.0.0.1:{}: JOLOKIA_PASSWORD_FILE {} cannot be read ({})",
                    port,
                    passwordFile,
                    e.getClass().getSimpleName());
            return Optional.empty();
        }
        if (password.isEmpty()) {
            LOG.warn("Jolokia not started on 127.0.0.1:{}: JOLOKIA_PASSWORD_FILE {} is empty", port, passwordFile);
            return Optional.empty();
        }
        try {
            JolokiaServer server = new JolokiaServer(new JvmAgentConfig(config(port, user, password)));
            server.start(false);
            LOG.info(
                    "Jolokia on http://127.0.0.1:{}/jolokia/ for Hawtio (user {}; read-only but for route start/stop)",
                    port,
                    user);
            return Optional.of(server);
        } catch (IOException | RuntimeException e) { // also a temporary folder that cannot be written
            // e.g. two processes of one host, one per flow, on the same port
            LOG.warn(
                    "Jolokia not started on 127.0.0.1:{} ({}); set JOLOKIA_PORT to a free port or 0",
                    port,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** The agent's configuration: loopback, Basic authentication, the allow-list policy, no proxy, no discovery. */
    static Map<String, String> config(int port, String user, String password) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("host", "127.0.0.1");
        c.put("port", String.valueOf(port));
        c.put("user", user);
        c.put("password", password);
        c.put("authMode", "basic");
        c.put("realm", "tattile-sender");
        c.put("restrictorClass", JolokiaPolicy.class.getName());
        // The JSR-160 proxy would let a request name any JMX service URL (a JNDI/RMI lookup) as its target: its
        // allow-list holds one pattern that matches no URL, so every request with a target is refused before any
        // connection (with the proxy service disabled instead, the target would be silently ignored).
        c.put("jsr160ProxyAllowedTargets", noProxyTargets().toString());
        c.put(
                "disabledServices",
                "org.jolokia.service.discovery.JolokiaDiscovery,org.jolokia.service.discovery.DiscoveryMulticastResponder");
        c.put("discoveryEnabled", "false");
        c.put("includeStackTrace", "false");
        c.put("allowErrorDetails", "false");
        c.put("debug", "false");
        c.put("historyMaxEntries", "0");
        return c;
    }

    /** A private file with the proxy allow-list: one pattern that matches nothing. */
    private static Path noProxyTargets() {
        try {
            Path file = Files.createTempFile(
                    "jolokia-proxy-targets",
                    ".txt",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, "(?!)\n");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first line of the file, without its line break. */
    static String readPassword(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        return (nl >= 0 ? text.substring(0, nl) : text).strip();
    }
}
