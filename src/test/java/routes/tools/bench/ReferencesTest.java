package routes.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.security.Provider;
import java.security.Security;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import routes.store.NewReading;
import routes.store.ReadingRepository;
import routes.support.TestDb;

/**
 * The bench's references, with a short window against the real PostgreSQL: they measure something and leave nothing
 * behind. How fast is not tested.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferencesTest {

    private static final Duration WINDOW = Duration.ofMillis(300);

    private final HikariDataSource db = TestDb.open();

    @TempDir
    static Path work;

    private BenchEnvironment env;

    @BeforeAll
    void environment() throws Exception {
        TestDb.reset(db);
        env = new BenchEnvironment(TestDb.settings(), TestDb.NAME, work, Map.of());
    }

    @AfterAll
    void close() throws Exception {
        env.close();
        TestDb.reset(db);
        db.close();
    }

    private static List<String> providers() {
        return Arrays.stream(Security.getProviders()).map(Provider::getName).toList();
    }

    @Test
    void signsWithTheConfiguredProviderAndLeavesTheJvmsProvidersAsTheyWere() throws Exception {
        List<String> before = providers();

        var auto = References.rsaSignaturesPerSecond("auto", WINDOW);
        var jdk = References.rsaSignaturesPerSecond("jdk", WINDOW);

        assertThat(auto.perSecond()).isPositive();
        assertThat(auto.provider()).isNotBlank();
        assertThat(jdk.perSecond()).isPositive();
        assertThat(jdk.provider()).doesNotContain("Corretto");
        assertThat(providers()).isEqualTo(before);
    }

    @Test
    void theDatabaseFloorStoresPairsAndRemovesOnlyItsOwnRows() throws Exception {
        env.ensureRegistry(1);
        UUID camera = UUID.fromString(
                TestDb.text(db, "SELECT id::text FROM cameras WHERE serial_number = ?", BenchEnvironment.serial(0)));
        new ReadingRepository(db)
                .insert(
                        new NewReading(
                                UUID.randomUUID(),
                                camera,
                                "1234BCD",
                                Instant.now(),
                                BenchEnvironment.serial(0),
                                null,
                                null,
                                null,
                                null,
                                BigDecimal.ONE,
                                "ESP",
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                "<root/>"),
                        null,
                        null);

        double pairs = References.databaseFloor(env, WINDOW);

        assertThat(pairs).isPositive();
        assertThat(TestDb.count(db, "SELECT count(*) FROM alpr_readings")).isEqualTo(1);
        assertThat(TestDb.count(db, "SELECT count(*) FROM messages_queue")).isEqualTo(1);
        assertThat(TestDb.text(db, "SELECT plate FROM alpr_readings")).isEqualTo("1234BCD");
    }

    @Test
    void aBenchmarksReferencesAreTheMeanOfBeforeAndAfterWithBothKept() {
        Map<String, Object> before = Map.of(
                "rsaSignaturesPerSecond", 1000.0, "cryptoProvider", "P 1", "databaseFloorPairsPerSecond", 3000.0);
        Map<String, Object> after =
                Map.of("rsaSignaturesPerSecond", 800.0, "cryptoProvider", "P 1", "databaseFloorPairsPerSecond", 2000.0);

        Map<String, Object> r = References.around(before, after, WINDOW);

        assertThat(r)
                .containsEntry("rsaSignaturesPerSecond", 900.0)
                .containsEntry("cryptoProvider", "P 1")
                .containsEntry("databaseFloorPairsPerSecond", 2500.0)
                .containsEntry("before", before)
                .containsEntry("after", after);
        assertThat(Stats.ratioOverRuns(List.of(450.0, 225.0, 300.0), 900.0))
                .containsEntry("median", 0.333)
                .containsEntry("min", 0.25)
                .containsEntry("max", 0.5);
    }
}
