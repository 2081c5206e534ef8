package routes.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.config.Setting;
import routes.store.ApiKeyRepository;
import routes.store.AuditRepository;
import routes.support.Cli;
import routes.support.Cli.Run;
import routes.support.TestDb;
import routes.support.TestFiles;

/** {@code admin apikey create | list | revoke} through the real command line, against the test database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiKeyCliTest {

    private static final Pattern KEY = Pattern.compile("tsk_[A-Za-z0-9_-]{43}");
    private static final String ACTOR = "cli:" + System.getProperty("user.name");

    private final HikariDataSource db = TestDb.open();
    private final ApiKeyRepository keys = new ApiKeyRepository(db);
    private Path dir;
    private Path envFile;

    @BeforeAll
    void writeEnvFile() throws Exception {
        dir = Files.createTempDirectory("apikey-cli");
        envFile = dir.resolve("test.env");
        Files.writeString(
                envFile,
                "DB_NAME=" + TestDb.NAME + "\nDB_HOST=" + TestDb.settings().text(Setting.DB_HOST) + "\nDB_PORT="
                        + TestDb.settings().text(Setting.DB_PORT) + "\n");
    }

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
    }

    @AfterAll
    void closeDb() throws Exception {
        db.close();
        TestFiles.deleteTree(dir);
    }

    private Run run(String... args) {
        return new Cli(envFile).run(args);
    }

    private Run ok(String... args) {
        return new Cli(envFile).ok(args);
    }

    /** A non-zero exit (1, or 2 for bad arguments), exactly one line on standard error and nothing on standard output. */
    private String fails(int exit, String... args) {
        return new Cli(envFile).fails(exit, args);
    }

    private static String keyIn(String output) {
        Matcher m = KEY.matcher(output);
        assertThat(m.find()).as("a key in: " + output).isTrue();
        String key = m.group();
        assertThat(m.find()).as("the key once").isFalse();
        return key;
    }

    private List<Map<String, Object>> audit() throws Exception {
        List<Map<String, Object>> rows = new AuditRepository(db).recent(100);
        Collections.reverse(rows); // oldest first
        return rows;
    }

    @Test
    void aSourceWritersKeyIsLimitedToMunicipalitiesAndCamerasAndOtherRolesCannotBe() throws Exception {
        ok("admin", "municipality", "add", "--name", "Girona");
        ok("admin", "camera", "add", "--serial", "SA01", "--municipality", "Girona");
        Run created = ok(
                "admin",
                "apikey",
                "create",
                "--role",
                "SOURCE_WRITER",
                "--name",
                "lv-girona",
                "--municipality",
                "Girona",
                "--camera",
                "SA01");
        assertThat(created.out()).contains("created with role SOURCE_WRITER for camera:SA01,municipality:Girona");
        assertThat(
                        TestDb.count(
                                db,
                                "SELECT count(*) FROM api_key_scopes s JOIN api_keys k ON k.id = s.api_key_id WHERE k.name = 'lv-girona'"))
                .isEqualTo(2);
        assertThat(ok("admin", "apikey", "list").out()).contains("camera:SA01,municipality:Girona");
        assertThat(ok("admin", "apikey", "list", "--json")
                        .json()
                        .get(0)
                        .get("scope")
                        .toString())
                .isEqualTo("[\"camera:SA01\",\"municipality:Girona\"]");
        assertThat(fails(1, "admin", "apikey", "create", "--role", "ADMIN", "--name", "x", "--municipality", "Girona"))
                .contains("limit SOURCE_WRITER keys only");
        assertThat(fails(
                        1,
                        "admin",
                        "apikey",
                        "create",
                        "--role",
                        "SOURCE_WRITER",
                        "--name",
                        "y",
                        "--municipality",
                        "Nowhere"))
                .isEqualTo("Municipality 'Nowhere' does not exist");
        assertThat(fails(
                        1, "admin", "apikey", "create", "--role", "SOURCE_WRITER", "--name", "z", "--camera", "NOSUCH"))
                .isEqualTo("Camera 'NOSUCH' does not exist");
        assertThat(TestDb.count(db, "SELECT count(*) FROM api_keys WHERE name IN ('x', 'y', 'z')"))
                .isZero();
        assertThat(TestDb.text(db, "SELECT detail FROM audit_log WHERE target = 'lv-girona' AND outcome = 'ok'"))
                .isEqualTo("role=SOURCE_WRITER scope=camera:SA01,municipality:Girona");
    }

    @Test
    void createShowsTheKeyOnceWithAWarningAndListNeverShowsIt() throws Exception {
        Run created = ok("admin", "apikey", "create", "--name", "girona-ingest", "--role", "source_writer");
        String key = keyIn(created.out());
        assertThat(created.out())
                .contains("API key 'girona-ingest' created with role SOURCE_WRITER")
                .contains("cannot be shown again");
        assertThat(keys.findActive(key).orElseThrow().role()).isEqualTo("SOURCE_WRITER");

        ok("admin", "apikey", "create", "--name", "ops", "--role", "ADMIN");
        String hash = ApiKeyRepository.hash(key);

        Run list = ok("admin", "apikey", "list");
        assertThat(list.out())
                .contains("NAME")
                .contains("girona-ingest")
                .contains("SOURCE_WRITER")
                .contains("ops")
                .contains("active")
                .doesNotContain(key)
                .doesNotContain(key.substring(4))
                .doesNotContain(hash)
                .doesNotContain("tsk_");
        Run json = ok("admin", "apikey", "list", "--json");
        assertThat(json.out())
                .doesNotContain(key.substring(4))
                .doesNotContain(hash)
                .doesNotContain("tsk_")
                .doesNotContain("hash");
        JsonNode rows = json.json();
        assertThat(rows).hasSize(2);
        JsonNode girona = rows.get(0);
        assertThat(girona.get("name").asText()).isEqualTo("girona-ingest");
        assertThat(girona.get("role").asText()).isEqualTo("SOURCE_WRITER");
        assertThat(girona.get("active").asBoolean()).isTrue();
        assertThat(UUID.fromString(girona.get("id").asText())).isNotNull();
        assertThat(Instant.parse(girona.get("created_at").asText()))
                .isBefore(Instant.now().plusSeconds(5));
        assertThat(girona.get("revoked_at").isNull()).isTrue();
        assertThat(girona.get("last_used_at").isNull()).isTrue();
        assertThat(rows.get(1).get("name").asText()).isEqualTo("ops");

        // Neither the key nor its random part is anywhere in the database.
        for (String table : List.of("api_keys", "audit_log")) {
            assertThat(TestDb.count(
                            db, "SELECT count(*) FROM " + table + " t WHERE strpos(t::text, ?) > 0", key.substring(4)))
                    .as(table)
                    .isZero();
        }
    }

    @Test
    void createWithJsonGivesTheKeyToScripts() throws Exception {
        JsonNode created = ok("admin", "apikey", "create", "--name", "script", "--role", "READ_ONLY", "--json")
                .json();
        assertThat(created.get("name").asText()).isEqualTo("script");
        assertThat(created.get("role").asText()).isEqualTo("READ_ONLY");
        String key = created.get("key").asText();
        assertThat(key).matches(KEY);
        assertThat(keys.findActive(key)).isPresent();
    }

    @Test
    void badRolesAndNamesGiveOneLineAndCreateNothing() throws Exception {
        assertThat(fails(1, "admin", "apikey", "create", "--name", "x", "--role", "ROOT"))
                .isEqualTo("Invalid role 'ROOT': use ADMIN, SOURCE_WRITER, READ_ONLY");
        assertThat(fails(1, "admin", "apikey", "create", "--name", "x", "--role", ""))
                .startsWith("Invalid role ''");
        assertThat(fails(1, "admin", "apikey", "create", "--name", "has space", "--role", "ADMIN"))
                .startsWith("Invalid API key name 'has space'");
        assertThat(fails(1, "admin", "apikey", "create", "--name", "", "--role", "ADMIN"))
                .startsWith("Invalid API key name");
        assertThat(fails(2, "admin", "apikey", "create", "--name", "x"))
                .contains("--role")
                .contains("(see: tattile-sender admin apikey create --help)");
        assertThat(TestDb.count(db, "SELECT count(*) FROM api_keys")).isZero();
    }

    @Test
    void aDuplicateNameIsRefusedAndTheFirstKeyKeepsWorking() throws Exception {
        String first = keyIn(ok("admin", "apikey", "create", "--name", "ops", "--role", "ADMIN")
                .out());
        assertThat(fails(1, "admin", "apikey", "create", "--name", "ops", "--role", "READ_ONLY"))
                .isEqualTo("API key 'ops' already exists");
        assertThat(keys.findActive(first).orElseThrow().role()).isEqualTo("ADMIN");
        assertThat(TestDb.count(db, "SELECT count(*) FROM api_keys")).isEqualTo(1);
    }

    @Test
    void revokeStopsTheKeyAndUnknownNamesFail() throws Exception {
        String key = keyIn(ok("admin", "apikey", "create", "--name", "temp", "--role", "READ_ONLY")
                .out());
        String other = keyIn(ok("admin", "apikey", "create", "--name", "other", "--role", "READ_ONLY")
                .out());

        assertThat(ok("admin", "apikey", "revoke", "--name", "temp").out().strip())
                .isEqualTo("API key 'temp' revoked");
        assertThat(keys.findActive(key)).isEmpty();
        assertThat(keys.findActive(other)).isPresent();
        assertThat(ok("admin", "apikey", "revoke", "--name", "temp").out())
                .startsWith("API key 'temp' was already revoked (");
        assertThat(fails(1, "admin", "apikey", "revoke", "--name", "ghost"))
                .isEqualTo("API key 'ghost' does not exist");

        assertThat(ok("admin", "apikey", "list").out()).containsPattern("temp\\s+READ_ONLY\\s+revoked");
        JsonNode rows = ok("admin", "apikey", "list", "--json").json();
        assertThat(rows.get(1).get("name").asText()).isEqualTo("temp");
        assertThat(rows.get(1).get("active").asBoolean()).isFalse();
        assertThat(Instant.parse(rows.get(1).get("revoked_at").asText()))
                .isBefore(Instant.now().plusSeconds(5));
    }

    @Test
    void everyRunIsAudited() throws Exception {
        String key = keyIn(ok("admin", "apikey", "create", "--name", "ops", "--role", "admin")
                .out());
        fails(1, "admin", "apikey", "create", "--name", "ops", "--role", "ADMIN");
        ok("admin", "apikey", "list");
        ok("admin", "apikey", "revoke", "--name", "ops");
        fails(1, "admin", "apikey", "revoke", "--name", "ghost");

        List<Map<String, Object>> rows = audit();
        assertThat(rows).extracting(r -> r.get("actor")).containsOnly(ACTOR);
        assertThat(rows).extracting(r -> r.get("client_ip")).containsOnly((Object) null);
        assertThat(rows)
                .extracting(
                        r -> r.get("action") + "|" + r.get("target") + "|" + r.get("outcome") + "|" + r.get("detail"))
                .containsExactly(
                        "admin apikey create|ops|ok|role=ADMIN",
                        "admin apikey create|ops|refused: already exists|role=ADMIN",
                        "admin apikey list|null|ok|1 key (0 revoked)",
                        "admin apikey revoke|ops|ok|null",
                        "admin apikey revoke|ghost|refused: not found|null");
        assertThat(TestDb.count(db, "SELECT count(*) FROM audit_log t WHERE strpos(t::text, ?) > 0", key.substring(4)))
                .isZero();
    }

    @Test
    void everyApiKeyCommandHasHelp() {
        for (String sub : List.of("create", "list", "revoke")) {
            Run r = run("admin", "apikey", sub, "--help");
            assertThat(r.exit()).as(sub).isZero();
            assertThat(r.out()).as(sub).contains("Usage:");
        }
        assertThat(run("admin", "--help").out()).contains("apikey");
    }

    @Test
    void createNeedsOnlyARoleAndNamesTheKeyAfterIt() throws Exception {
        Run created = ok("admin", "apikey", "create", "--role", "READ_ONLY");
        assertThat(created.out()).containsPattern("API key 'read-only-\\d{8}-\\d{6}' created with role READ_ONLY");
        assertThat(created.out().lines().toList().get(1)).startsWith("tsk_");
    }
}
