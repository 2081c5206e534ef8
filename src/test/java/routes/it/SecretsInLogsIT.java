package routes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import routes.config.Setting;
import routes.store.ApiKeyRepository;
import routes.support.CameraClient;
import routes.support.TestCertificates;
import routes.support.TestDb;
import routes.support.TestFiles;
import routes.tools.MossosSandbox;
import routes.tools.SyntheticReadings;

/**
 * The packaged jar as an operator runs it to investigate a problem, at {@code LOG_LEVEL=DEBUG} and at {@code TRACE}, with
 * {@code SOAP_DEBUG} on and every secret it handles set to a value used nowhere else: the database password, Jolokia's
 * password, an API key (and a wrong one) in {@code X-API-Key}, the PKCS#12 passwords of {@code admin certificate
 * import-pfx} (environment and {@code --password-file}) and of a certificate the sender opens itself. The service takes
 * camera readings with real-size images over TCP, a Lector Vision reading and other requests over the HTTP API, a
 * Jolokia request, and signs and sends every reading to the sandbox; then it is stopped. Nothing it and the admin
 * commands printed may hold any of those secrets, a private key, or a piece of an image's Base64 (issue 12, item 9).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsInLogsIT {

    static final int PORT = 24561;
    static final int API_PORT = 24562;
    static final int JOLOKIA_PORT = 24563;
    static final int SANDBOX_PORT = 24564;
    static final Path WORK = Path.of("target/it-secrets").toAbsolutePath();
    static final String JOLOKIA_USER = "hawtio";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final HikariDataSource db = TestDb.open();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterAll
    void close() {
        db.close();
    }

    @ParameterizedTest(name = "LOG_LEVEL={0}")
    @ValueSource(strings = {"DEBUG", "TRACE"})
    void noPasswordKeyOrImageIsPrintedAtDebugOrTrace(String level) throws Exception {
        Path work = WORK.resolve(level.toLowerCase(Locale.ROOT));
        TestFiles.deleteTree(work);
        Files.createDirectories(work);
        TestDb.reset(db);

        // Every secret: a value that appears nowhere but where it is used.
        String dbPassword = unique("db");
        String jolokiaPassword = unique("jolokia");
        String apiKey = ApiKeyRepository.PREFIX + unique("key");
        String wrongApiKey = ApiKeyRepository.PREFIX + unique("wrong");
        String pfxEnvPassword = unique("pfx-env");
        String pfxFilePassword = unique("pfx-file");
        String pkcs12Password = unique("pkcs12");

        var cert = TestCertificates.generate(work.resolve("generated"), "Ajuntament Secrets", 30, null);
        Path pfxForEnv = reencrypt(cert, work.resolve("env.p12"), pfxEnvPassword);
        Path pfxForFile = reencrypt(cert, work.resolve("file.p12"), pfxFilePassword);
        Path pfxPasswordFile = privateFile(work.resolve("pfx-password"), pfxFilePassword + "\n");
        Path certs = work.resolve("certs");
        Files.createDirectories(certs);

        // The admin commands at the same level: municipality, both ways of giving import-pfx its password, a camera.
        StringBuilder adminOutput = new StringBuilder();
        Map<String, String> adminEnv =
                Map.of("DB_PASSWORD", dbPassword, "LOG_LEVEL", level, "CERTS_DIR", certs.toString());
        adminOutput.append(admin(adminEnv, "admin", "municipality", "add", "--name", "Secretos"));
        adminOutput.append(admin(
                adminEnv,
                "admin",
                "certificate",
                "import-pfx",
                "--file",
                pfxForFile.toString(),
                "--municipality",
                "Secretos",
                "--name",
                "secretos-file",
                "--password-file",
                pfxPasswordFile.toString()));
        var withEnvPassword = new LinkedHashMap<>(adminEnv);
        withEnvPassword.put("TATTILE_PFX_PASSWORD", pfxEnvPassword);
        adminOutput.append(admin(
                withEnvPassword,
                "admin",
                "certificate",
                "import-pfx",
                "--file",
                pfxForEnv.toString(),
                "--municipality",
                "Secretos",
                "--name",
                "secretos-env"));
        adminOutput.append(
                admin(adminEnv, "admin", "camera", "add", "--serial", "SEC01", "--municipality", "Secretos"));
        assertThat(adminOutput)
                .contains(
                        "Certificate 'secretos-file' stored",
                        "Certificate 'secretos-env' stored",
                        "Camera 'SEC01' added");

        // A second municipality whose certificate the sender opens from a PKCS#12 file and its password file.
        Path pkcs12 = reencrypt(cert, work.resolve("row.p12"), pkcs12Password);
        Path pkcs12PasswordFile = privateFile(work.resolve("row-password"), pkcs12Password + "\n");
        TestDb.execute(
                db,
                "INSERT INTO certificates (name, type, pfx_path, password_path) VALUES ('pkcs12-row', 'PKCS12', '"
                        + pkcs12 + "', '" + pkcs12PasswordFile + "')");
        TestDb.execute(
                db,
                "INSERT INTO municipalities (name, certificate_id) SELECT 'Pkcs12', id FROM certificates WHERE name = 'pkcs12-row'");
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, municipality_id) SELECT 'SEC02', id FROM municipalities WHERE name = 'Pkcs12'");
        TestDb.execute(
                db,
                "INSERT INTO cameras (serial_number, municipality_id) SELECT 'SEC03', id FROM municipalities WHERE name = 'Secretos'");
        TestDb.execute(
                db,
                "INSERT INTO api_keys (name, key_hash, role) VALUES ('secrets-it', '" + ApiKeyRepository.hash(apiKey)
                        + "', 'ADMIN')");
        Path jolokiaPasswordFile = privateFile(work.resolve("jolokia-password"), jolokiaPassword + "\n");

        // Real-size images: the signed envelope is several times CXF's 64 KB logging limit.
        var camera = new SyntheticReadings(11, 100_000, 100_000);
        var lectorVision = new SyntheticReadings(12, 40_000, 0);
        String plate1 = "1111SCR";
        String plate2 = "2222SCR";
        String plate3 = "3333SCR";
        LocalDateTime local =
                LocalDateTime.now(ZoneId.of("Europe/Madrid")).minusMinutes(5).withNano(0);

        String lvImage = Base64.getEncoder().encodeToString(lectorVision.ocrJpeg());
        Path log = work.resolve("service.log");
        String serviceLog;
        try (MossosSandbox sandbox = new MossosSandbox(SANDBOX_PORT, 4)) {
            sandbox.trust(List.of(cert.certificate()));
            Map<String, String> env = new LinkedHashMap<>();
            env.put("DB_PASSWORD", dbPassword);
            env.put("LOG_LEVEL", level);
            env.put("SOAP_DEBUG", "true");
            env.put("TRANSIT_PORT", String.valueOf(PORT));
            env.put("API_PORT", String.valueOf(API_PORT));
            env.put("JOLOKIA_PORT", String.valueOf(JOLOKIA_PORT));
            env.put("JOLOKIA_USER", JOLOKIA_USER);
            env.put("JOLOKIA_PASSWORD_FILE", jolokiaPasswordFile.toString());
            env.put("IMAGES_BASE_DIR", work.resolve("images").toString());
            env.put("CERTS_DIR", certs.toString());
            env.put("MOSSOS_ENDPOINT_URL", sandbox.url());
            env.put("SENDER_POLL_INTERVAL_SECONDS", "0.2");
            env.put("CAMERA_CACHE_SECONDS", "0");
            try (JarService service = JarService.start(log, env).awaitStarted(PORT)) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> JarService.listening(API_PORT) && JarService.listening(JOLOKIA_PORT));

                try (CameraClient c = new CameraClient(PORT)) {
                    c.send(camera.msg("SEC01", plate1, local)).send(camera.vega("SEC02", plate2, local));
                }
                assertThat(get("/api/municipalities", apiKey).statusCode()).isEqualTo(200);
                assertThat(get("/api/municipalities", wrongApiKey).statusCode()).isEqualTo(401);
                String lv = "{\"Plate\":\"" + plate3 + "\",\"TimeStamp\":\""
                        + local.format(DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss.SSS"))
                        + "\",\"SerialNumber\":\"SEC03\",\"ImageOcrBase64\":\"" + lvImage + "\"}";
                HttpResponse<String> stored = post("/ingest/lectorvision", apiKey, lv);
                assertThat(stored.statusCode()).as(stored.body()).isEqualTo(202);
                assertThat(post("/ingest/lectorvision", apiKey, lv.replace("}", ",}"))
                                .statusCode())
                        .as("bad JSON, with its image")
                        .isEqualTo(400);
                assertThat(post("/ingest/lectorvision", wrongApiKey, lv).statusCode())
                        .isEqualTo(401);
                assertThat(jolokiaVersion(jolokiaPassword)).isEqualTo(200);

                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> {
                            String text = Files.readString(log);
                            return List.of(plate1, plate2, plate3).stream()
                                    .allMatch(p -> text.contains("[SENDER] Lectura (" + p + ") enviada correctamente"));
                        });
                assertThat(sandbox.received())
                        .extracting(MossosSandbox.Received::matricula)
                        .containsExactlyInAnyOrder(plate1, plate2, plate3);
            }
            serviceLog = Files.readString(log);
        }

        // The run did what it should, at the level asked for.
        for (String expected : List.of(
                " " + level + " ",
                "[INGEST] Lectura recibida (" + plate1 + ")",
                "REQ_OUT",
                "<m:matricula>" + plate1,
                "Jolokia on http://127.0.0.1:" + JOLOKIA_PORT)) {
            assertThat(serviceLog.contains(expected))
                    .as("the service log (%s) has %s", log, expected)
                    .isTrue();
        }

        Map<String, List<String>> secrets = new LinkedHashMap<>();
        secrets.put("DB_PASSWORD", List.of(dbPassword));
        secrets.put("Jolokia password", List.of(jolokiaPassword));
        secrets.put("Jolokia credentials (HTTP Basic)", List.of(basic(jolokiaPassword)));
        secrets.put("API key", List.of(apiKey));
        secrets.put("wrong API key", List.of(wrongApiKey));
        secrets.put("TATTILE_PFX_PASSWORD", List.of(pfxEnvPassword));
        secrets.put("import-pfx --password-file password", List.of(pfxFilePassword));
        secrets.put("PKCS#12 password of a certificate row", List.of(pkcs12Password));
        secrets.put("private key", privateKeyPieces(certs.resolve("secretos-env/key.pem")));
        secrets.put("camera OCR image (Base64)", pieces(Base64.getEncoder().encodeToString(camera.ocrJpeg())));
        secrets.put("camera context image (Base64)", pieces(Base64.getEncoder().encodeToString(camera.ctxJpeg())));
        secrets.put("Lector Vision image (Base64)", pieces(lvImage));
        secrets.put("a JPEG in Base64 (/9j/ in an element or a JSON string)", List.of(">/9j/", "\"/9j/"));

        assertThat(leaks(adminOutput.toString(), secrets))
                .as("secrets printed by the admin commands at LOG_LEVEL=%s", level)
                .isEmpty();
        assertThat(leaks(serviceLog, secrets))
                .as("secrets printed by the service at LOG_LEVEL=%s (see %s)", level, log)
                .isEmpty();
    }

    /** For each secret printed: its name and the first line that holds it, cut to its surroundings, the secret itself replaced. */
    private static List<String> leaks(String output, Map<String, List<String>> secrets) {
        List<String> found = new ArrayList<>();
        List<String> lines = output.lines().toList();
        secrets.forEach((name, values) -> {
            for (String value : values) {
                lines.stream().filter(l -> l.contains(value)).findFirst().ifPresent(line -> {
                    int at = line.indexOf(value);
                    String head = line.substring(0, Math.min(line.length(), 140));
                    String around = line.substring(Math.max(0, at - 120), at) + "«" + name + "»"
                            + line.substring(at + value.length(), Math.min(line.length(), at + value.length() + 60));
                    found.add(name + " in: " + (at > 140 ? head + " … " + around : around));
                });
                if (found.stream().anyMatch(f -> f.startsWith(name + " in: "))) {
                    break;
                }
            }
        });
        return found;
    }

    /**
     * Pieces of an image's Base64 text, to its end: finding any of them in the output means the image is there. They
     * start past the JPEG header, which every image of the same encoder shares (the /9j/ check covers headers).
     */
    private static List<String> pieces(String base64) {
        List<String> pieces = new ArrayList<>();
        for (int at = 1024; at + 32 <= base64.length(); at += 1499) {
            pieces.add(base64.substring(at, at + 32));
        }
        pieces.add(base64.substring(base64.length() - 32));
        return pieces;
    }

    /**
     * The PEM markers, and pieces of the key's Base64 lines past its first eight: those hold the modulus, which is
     * public (the certificate in every signed request has it too); the private exponent and primes come after.
     */
    private static List<String> privateKeyPieces(Path keyPem) throws Exception {
        List<String> lines = Files.readAllLines(keyPem).stream()
                .filter(l -> !l.startsWith("-----") && l.length() == 64)
                .toList();
        List<String> pieces = new ArrayList<>(List.of("PRIVATE KEY"));
        lines.subList(8, lines.size()).forEach(l -> pieces.add(l.substring(0, 40)));
        assertThat(pieces).hasSizeGreaterThan(10);
        return pieces;
    }

    private static String unique(String what) {
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        return what + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private static String basic(String password) {
        return Base64.getEncoder().encodeToString((JOLOKIA_USER + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The generated key and certificate in a new PKCS#12 file under another password. */
    private static Path reencrypt(TestCertificates.Generated cert, Path target, String password) throws Exception {
        KeyStore source = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(cert.p12())) {
            source.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        KeyStore copy = KeyStore.getInstance("PKCS12");
        copy.load(null, null);
        copy.setKeyEntry(
                "1",
                source.getKey("1", TestCertificates.PASSWORD.toCharArray()),
                password.toCharArray(),
                new Certificate[] {source.getCertificate("1")});
        try (OutputStream out = Files.newOutputStream(target)) {
            copy.store(out, password.toCharArray());
        }
        return target;
    }

    private static Path privateFile(Path file, String content) throws Exception {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** One admin command of the jar, with the test database and {@code env}; its standard output and error. */
    private static String admin(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JarService.JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        var s = TestDb.settings();
        pb.environment()
                .putAll(Map.of(
                        "DB_NAME",
                        TestDb.NAME,
                        "DB_HOST",
                        s.text(Setting.DB_HOST),
                        "DB_PORT",
                        s.text(Setting.DB_PORT),
                        "TATTILE_ENV_FILE",
                        "/dev/null"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private HttpResponse<String> get(String path, String key) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + API_PORT + path))
                        .header("X-API-Key", key)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String key, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + API_PORT + path))
                        .header("X-API-Key", key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int jolokiaVersion(String password) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + JOLOKIA_PORT + "/jolokia/"))
                                .header("Authorization", "Basic " + basic(password))
                                .header("Content-Type", "text/plain")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"version\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }
}
