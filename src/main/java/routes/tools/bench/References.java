package routes.tools.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.math.BigDecimal;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import routes.security.CryptoProvider;
import routes.store.NewReading;
import routes.store.ReadingRepository;
import routes.tools.SyntheticReadings;

/**
 * Two yardsticks of the machine, measured in the bench's own JVM in the same window as the figures they divide: on a
 * shared machine absolute rates move by 2× within an hour, a figure over a reference measured minutes apart far less.
 * <ul>
 *   <li>RSA-2048 signatures per second on one core (SHA256withRSA over 1 KB, one key, the provider CRYPTO_PROVIDER
 *       installs in the service): the sender's signing limit, so sends/s ÷ this is how close it gets to one core of
 *       signing. It is the provider's best case, a reused key; the service's streaming signer hands it a fresh key
 *       object per send.
 *   <li>The database floor: a reading and its PENDING queue row inserted per second, each pair committed, by 16
 *       threads on 16 JDBC connections, with ingest's own statement and no images: what PostgreSQL on this machine
 *       takes, so ingest ÷ this is the share of it the service reaches.
 * </ul>
 * Neither may run beside service load: the bench measures them around its measured runs.
 */
final class References {

    /** Connections and threads of the database floor. */
    static final int CONNECTIONS = 16;
    /** The bench's usual window: 1 s of warm-up, then this long measured. */
    static final Duration STANDARD = Duration.ofMillis(2500);
    /** For {@code --quick}: checks the references run, not their figures. */
    static final Duration QUICK = Duration.ofMillis(300);

    private static final Duration MAX_WARMUP = Duration.ofSeconds(1);
    private static final int MESSAGE_BYTES = 1024;

    private References() {}

    /** Signatures per second on one thread, and the provider that made them. */
    record Signing(double perSecond, String provider) {}

    /**
     * SHA256withRSA over a 1 KB message with a freshly generated RSA-2048 key, on this thread, through the provider
     * {@link CryptoProvider} selects for {@code mode}, as the service does. Providers it added to this JVM are removed
     * again, so the rest of the bench (the sandbox's verification) runs as before.
     *
     * @param mode the CRYPTO_PROVIDER setting ({@code auto} or {@code jdk})
     * @param window measured time, after a warm-up of the same length up to 1 s
     */
    static Signing rsaSignaturesPerSecond(String mode, Duration window) throws GeneralSecurityException {
        Set<String> before =
                Arrays.stream(Security.getProviders()).map(Provider::getName).collect(Collectors.toSet());
        try {
            // choose, not install: install's log line would go to standard output, into the bench's JSON.
            String fallback = CryptoProvider.choose(mode).fallback();
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair key = generator.generateKeyPair();
            // "jdk" signs with the JDK's own provider even where Corretto was installed earlier in this JVM (as the
            // service does with CRYPTO_PROVIDER=jdk, whose JVM never installs it).
            Signature signer = "auto".equals(mode) ? Signature.getInstance(ALGORITHM) : jdkSignature();
            signer.initSign(key.getPrivate());
            byte[] message = new byte[MESSAGE_BYTES];
            new Random(17).nextBytes(message);
            sign(signer, message, System.nanoTime() + warmup(window).toNanos());
            long start = System.nanoTime();
            long count = sign(signer, message, start + window.toNanos());
            double seconds = (System.nanoTime() - start) / 1e9;
            Provider p = signer.getProvider();
            return new Signing(
                    count / seconds,
                    p.getName() + " " + p.getVersionStr()
                            + (fallback == null ? "" : " (Corretto not available: " + fallback + ")"));
        } finally {
            for (Provider p : Security.getProviders()) {
                if (!before.contains(p.getName())) {
                    Security.removeProvider(p.getName());
                }
            }
        }
    }

    private static final String ALGORITHM = "SHA256withRSA";

    /** The first provider of the JDK's that signs with {@link #ALGORITHM}, whatever was installed in front of it. */
    private static Signature jdkSignature() throws GeneralSecurityException {
        for (Provider p : Security.getProviders()) {
            if (!p.getName().contains("Corretto") && p.getService("Signature", ALGORITHM) != null) {
                return Signature.getInstance(ALGORITHM, p);
            }
        }
        throw new NoSuchAlgorithmException("no JDK provider signs with " + ALGORITHM);
    }

    private static long sign(Signature signer, byte[] message, long untilNanos) throws GeneralSecurityException {
        long n = 0;
        byte[] last = null;
        do {
            signer.update(message);
            last = signer.sign();
            message[0] = last[0]; // each message differs, and nothing is left for the JIT to drop
            n++;
        } while (System.nanoTime() < untilNanos);
        return n;
    }

    /**
     * Reading and PENDING queue row pairs stored per second by {@value #CONNECTIONS} threads, each on its own
     * connection of a pool of {@value #CONNECTIONS}, through {@link ReadingRepository#insert} (ingest's statement:
     * one transaction per pair) without images, one bench camera per thread. The rows it inserted, warm-up included,
     * are deleted afterwards (their queue rows with them), and only those: a database with readings of a running
     * service keeps them.
     *
     * @param window measured time, after a warm-up of the same length up to 1 s
     */
    static double databaseFloor(BenchEnvironment env, Duration window) throws Exception {
        env.ensureRegistry(CONNECTIONS);
        List<UUID> cameras = cameraIds(env);
        String rawXml = new SyntheticReadings(3, 0, 0).vega("BENCH0001", "0000BBB", LocalDateTime.now());
        Instant base = Instant.now().minus(Duration.ofDays(1));
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder stored = new LongAdder();
        List<List<UUID>> inserted = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(CONNECTIONS);
        try (HikariDataSource pool = env.pool("bench-floor", CONNECTIONS)) {
            ReadingRepository repository = new ReadingRepository(pool);
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < CONNECTIONS; t++) {
                List<UUID> ids = new ArrayList<>();
                inserted.add(ids);
                String serial = BenchEnvironment.serial(t);
                UUID camera = cameras.get(t);
                running.add(threads.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        UUID id = UUID.randomUUID();
                        ids.add(id);
                        if (repository.insert(reading(id, camera, serial, i, base, rawXml), null, null)) {
                            stored.increment();
                        }
                    }
                    return null;
                }));
            }
            try {
                Thread.sleep(warmup(window).toMillis());
                long start = System.nanoTime();
                long before = stored.sum();
                Thread.sleep(window.toMillis());
                long after = stored.sum();
                double seconds = (System.nanoTime() - start) / 1e9;
                stop.set(true);
                for (Future<?> f : running) {
                    f.get();
                }
                return (after - before) / seconds;
            } finally {
                stop.set(true);
                threads.shutdown();
                for (Future<?> f : running) {
                    try {
                        f.get();
                    } catch (Exception e) {
                        // already reported by the first wait, or the delete below is all that matters now
                    }
                }
                delete(env, inserted);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static NewReading reading(UUID id, UUID camera, String serial, int i, Instant base, String rawXml) {
        return new NewReading(
                id,
                camera,
                LoadGenerator.plate(7, i),
                base.plusMillis(i),
                serial,
                "Acceso Norte",
                "APPROACH",
                1,
                "Carril derecho",
                BigDecimal.valueOf(90),
                "ESP",
                "España",
                812,
                640,
                1010,
                688,
                31,
                null,
                null,
                rawXml,
                "127.0.0.1");
    }

    private static List<UUID> cameraIds(BenchEnvironment env) throws SQLException {
        List<UUID> ids = new ArrayList<>();
        try (Connection c = env.db().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT id FROM cameras WHERE serial_number = ?")) {
            for (int t = 0; t < CONNECTIONS; t++) {
                ps.setString(1, BenchEnvironment.serial(t));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    ids.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return ids;
    }

    private static void delete(BenchEnvironment env, List<List<UUID>> inserted) throws SQLException {
        try (Connection c = env.db().getConnection();
                PreparedStatement ps = c.prepareStatement("DELETE FROM alpr_readings WHERE id = ANY (?)")) {
            for (List<UUID> ids : inserted) {
                ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
                ps.executeUpdate();
            }
        }
    }

    private static Duration warmup(Duration window) {
        return window.compareTo(MAX_WARMUP) < 0 ? window : MAX_WARMUP;
    }

    /** Both references, measured one after the other with {@code window} each. */
    static Map<String, Object> measure(BenchEnvironment env, Duration window) throws Exception {
        Signing signing = rsaSignaturesPerSecond(env.cryptoProviderMode(), window);
        double floor = databaseFloor(env, window);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rsaSignaturesPerSecond", Stats.round(signing.perSecond()));
        m.put("cryptoProvider", signing.provider());
        m.put("databaseFloorPairsPerSecond", Stats.round(floor));
        return m;
    }

    /**
     * The references of one benchmark: measured before and after its measured runs, each figure the mean of the two
     * (both kept, so a machine that changed during the runs shows).
     */
    static Map<String, Object> around(Map<String, Object> before, Map<String, Object> after, Duration window) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String figure : List.of("rsaSignaturesPerSecond", "cryptoProvider", "databaseFloorPairsPerSecond")) {
            Object b = before.get(figure);
            m.put(figure, b instanceof Double d ? Stats.round((d + (Double) after.get(figure)) / 2) : b);
        }
        m.put("windowSeconds", window.toMillis() / 1000.0);
        m.put("before", before);
        m.put("after", after);
        return m;
    }
}
