package routes.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import routes.store.S3Config;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 implementation for the tests: S3Proxy (its jar-with-dependencies, which the build copies to {@code
 * target/s3proxy/s3proxy.jar} from the local Maven repository) as its own JVM, on a free loopback port, with the jclouds
 * filesystem backend in a temporary folder and its own access key. The credentials go to S3Proxy in a 0600 properties
 * file, never on its command line. Nothing is mocked: the S3 client under test speaks HTTP and SigV4 to it.
 *
 * <p>If it cannot start, {@link #start} fails with what S3Proxy printed: the tests that need it never skip.
 */
public final class S3ProxyServer implements AutoCloseable {

    /** Where the build puts S3Proxy's jar (maven-dependency-plugin, process-test-resources). */
    public static final Path JAR = Path.of("target", "s3proxy", "s3proxy.jar");

    private static final long START_WAIT_MILLIS = 60_000;

    private final Path dir;
    private final Path log;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private Process process;

    private S3ProxyServer(Path dir, int port, String accessKey, String secretKey) {
        this.dir = dir;
        this.log = dir.resolve("s3proxy.log");
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** Starts S3Proxy with a new key pair in a new temporary folder, and waits until it answers. */
    public static S3ProxyServer start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("s3proxy-");
        S3ProxyServer s = new S3ProxyServer(
                dir,
                freePort(),
                "AKTEST" + UUID.randomUUID().toString().replace("-", "").substring(0, 14),
                UUID.randomUUID().toString());
        s.configure();
        s.launch();
        return s;
    }

    /** Writes S3Proxy's configuration (the key pair in a 0600 file), once. */
    private void configure() throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException("S3Proxy's jar is not at " + JAR.toAbsolutePath()
                    + ": run the tests through Maven (process-test-resources copies org.gaul:s3proxy"
                    + ":jar-with-dependencies there from ~/.m2; the first build needs the network to download it)");
        }
        Path data = Files.createDirectories(dir.resolve("data"));
        Properties p = new Properties();
        p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", accessKey);
        p.setProperty("s3proxy.credential", secretKey);
        p.setProperty("jclouds.provider", "filesystem");
        p.setProperty("jclouds.filesystem.basedir", data.toString());
        Files.createFile(config(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(config())) {
            p.store(out, null);
        }
    }

    private Path config() {
        return dir.resolve("s3proxy.properties");
    }

    private void launch() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        command.add("--properties");
        command.add(config().toString());
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_WAIT_MILLIS);
        while (!listening()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String output = Files.exists(log) ? Files.readString(log) : "";
                close();
                throw new IllegalStateException("S3Proxy did not start on 127.0.0.1:" + port + " (exit "
                        + (process.isAlive() ? "none, still not listening" : process.exitValue()) + "):\n" + output);
            }
            Thread.sleep(50);
        }
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Stops S3Proxy (its data stays, so {@link #restart} serves the same objects). */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Starts it again on the same port, over the same data. */
    public void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** The folder the filesystem backend keeps a bucket in (one sub-folder per bucket). */
    public Path data() {
        return dir.resolve("data");
    }

    /** An S3 client of the tests' own, with this server's key (to make buckets and look at objects directly). */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder())
                .build();
    }

    /** Makes a bucket (a new name per test keeps tests apart). */
    public void createBucket(String bucket) {
        try (S3Client c = client()) {
            c.createBucket(b -> b.bucket(bucket));
        }
    }

    /** The store's settings for this server. */
    public S3Config config(String bucket, String prefix) {
        return new S3Config(URI.create(endpoint()), bucket, "us-east-1", accessKey, secretKey, true, prefix);
    }

    /**
     * The service's settings for {@code IMAGE_STORE=s3} on this server; the secret in a 0600 file, as in production.
     */
    public Map<String, String> settings(String bucket, String prefix) throws IOException {
        Path secret = dir.resolve("secret-" + UUID.randomUUID());
        Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secret, secretKey + "\n");
        Map<String, String> m = new HashMap<>();
        m.put("IMAGE_STORE", "s3");
        m.put("S3_ENDPOINT", endpoint());
        m.put("S3_BUCKET", bucket);
        m.put("S3_REGION", "us-east-1");
        m.put("S3_ACCESS_KEY_ID", accessKey);
        m.put("S3_SECRET_ACCESS_KEY_FILE", secret.toString());
        m.put("S3_PREFIX", prefix);
        return m;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary folder: best effort
        }
    }
}
