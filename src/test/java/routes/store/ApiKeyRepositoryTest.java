package routes.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.store.ApiKeyRepository.ApiKey;
import routes.support.TestDb;

/** API keys and the audit log against the real test database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiKeyRepositoryTest {

    private final HikariDataSource db = TestDb.open();
    private final ApiKeyRepository keys = new ApiKeyRepository(db);
    private final AuditRepository audit = new AuditRepository(db);

    @BeforeEach
    void cleanSlate() throws Exception {
        TestDb.reset(db);
    }

    @AfterAll
    void closeDb() {
        db.close();
    }

    @Test
    void aCreatedKeyIsFoundByItsRawValueWithItsRole() throws Exception {
        Instant before = Instant.now().minusSeconds(5);
        String raw = keys.create("girona-ingest", "SOURCE_WRITER");

        assertThat(raw).startsWith("tsk_").hasSize(4 + 43).matches("tsk_[A-Za-z0-9_-]{43}");
        ApiKey found = keys.findActive(raw).orElseThrow();
        assertThat(found.name()).isEqualTo("girona-ingest");
        assertThat(found.role()).isEqualTo("SOURCE_WRITER");
        assertThat(found.id()).isNotNull();
        assertThat(found.createdAt()).isAfter(before).isBefore(Instant.now().plusSeconds(5));
        assertThat(found.revokedAt()).isNull();
        assertThat(found.lastUsedAt()).isNull();
        assertThat(found.active()).isTrue();
        assertThat(keys.findByName("girona-ingest")).contains(found);
    }

    @Test
    void theRawKeyIsNeverStoredOnlyItsHash() throws Exception {
        String raw = keys.create("ops", "ADMIN");
        String randomPart = raw.substring(ApiKeyRepository.PREFIX.length());

        // No column of any row, as text, holds the key or its random part.
        assertThat(TestDb.count(db, "SELECT count(*) FROM api_keys t WHERE strpos(t::text, ?) > 0", raw))
                .isZero();
        assertThat(TestDb.count(db, "SELECT count(*) FROM api_keys t WHERE strpos(t::text, ?) > 0", randomPart))
                .isZero();
        assertThat(TestDb.text(db, "SELECT key_hash FROM api_keys WHERE name = 'ops'"))
                .isEqualTo(ApiKeyRepository.hash(raw));
    }

    @Test
    void theHashIsSha256In64LowerCaseHexCharacters() {
        String h = ApiKeyRepository.hash("tsk_example");
        assertThat(h).hasSize(64).matches("[0-9a-f]{64}");
        assertThat(ApiKeyRepository.hash("tsk_example")).isEqualTo(h);
        assertThat(ApiKeyRepository.hash("tsk_examplf")).isNotEqualTo(h);
        // The well-known SHA-256 of "abc".
        assertThat(ApiKeyRepository.hash("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void twoKeysDiffer() throws Exception {
        String a = keys.create("a", "READ_ONLY");
        String b = keys.create("b", "READ_ONLY");
        assertThat(a).isNotEqualTo(b);
        assertThat(ApiKeyRepository.hash(a)).isNotEqualTo(ApiKeyRepository.hash(b));
        assertThat(keys.findActive(a).orElseThrow().name()).isEqualTo("a");
        assertThat(keys.findActive(b).orElseThrow().name()).isEqualTo("b");
    }

    @Test
    void unknownWrongAndOddInputFindsNothing() throws Exception {
        String raw = keys.create("a", "ADMIN");
        assertThat(keys.findActive(raw + "x")).isEmpty();
        assertThat(keys.findActive(raw.substring(0, raw.length() - 1))).isEmpty();
        assertThat(keys.findActive(ApiKeyRepository.hash(raw)))
                .as("the hash is not a key")
                .isEmpty();
        assertThat(keys.findActive("")).isEmpty();
        assertThat(keys.findActive(null)).isEmpty();
        assertThat(keys.findActive("x".repeat(100_000))).isEmpty();
        assertThat(keys.findByName("nobody")).isEmpty();
    }

    @Test
    void aDuplicateNameIsRefusedClearlyAndTheFirstKeyStillWorks() throws Exception {
        String first = keys.create("ops", "ADMIN");
        assertThatThrownBy(() -> keys.create("ops", "READ_ONLY"))
                .isInstanceOf(ApiKeyRepository.DuplicateNameException.class)
                .isInstanceOf(SQLException.class)
                .hasMessage("API key 'ops' already exists");
        assertThat(TestDb.count(db, "SELECT count(*) FROM api_keys")).isEqualTo(1);
        assertThat(keys.findActive(first).orElseThrow().role()).isEqualTo("ADMIN");

        keys.revoke("ops");
        assertThatThrownBy(() -> keys.create("ops", "ADMIN"))
                .as("a revoked key's name is not reused")
                .isInstanceOf(ApiKeyRepository.DuplicateNameException.class);
    }

    @Test
    void rolesAreCheckedAndStoredUpperCase() throws Exception {
        String raw = keys.create("lower", "read_only");
        assertThat(keys.findActive(raw).orElseThrow().role()).isEqualTo("READ_ONLY");
        assertThat(ApiKeyRepository.normalizeRole(" Source_Writer ")).isEqualTo("SOURCE_WRITER");
        assertThatThrownBy(() -> keys.create("bad", "ROOT"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ROOT");
        assertThatThrownBy(() -> keys.create("bad", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keys.create(" ", "ADMIN")).isInstanceOf(IllegalArgumentException.class);
        assertThat(TestDb.count(db, "SELECT count(*) FROM api_keys")).isEqualTo(1);
    }

    @Test
    void aRevokedKeyIsNoLongerFoundButStaysListed() throws Exception {
        String raw = keys.create("temp", "READ_ONLY");
        String other = keys.create("stays", "READ_ONLY");

        assertThat(keys.revoke("temp")).isTrue();
        assertThat(keys.findActive(raw)).isEmpty();
        assertThat(keys.findActive(other)).isPresent();
        assertThat(keys.revoke("temp")).as("already revoked").isFalse();
        assertThat(keys.revoke("ghost")).isFalse();

        ApiKey revoked = keys.findByName("temp").orElseThrow();
        assertThat(revoked.revokedAt()).isNotNull();
        assertThat(revoked.active()).isFalse();
        assertThat(keys.list()).extracting(ApiKey::name).containsExactly("stays", "temp");
    }

    @Test
    void touchSetsLastUsed() throws Exception {
        String raw = keys.create("used", "ADMIN");
        String idle = keys.create("idle", "ADMIN");
        ApiKey k = keys.findActive(raw).orElseThrow();
        assertThat(k.lastUsedAt()).isNull();

        Instant before = Instant.now().minusSeconds(5);
        keys.touch(k.id());
        Instant first = keys.findActive(raw).orElseThrow().lastUsedAt();
        assertThat(first).isAfter(before).isBefore(Instant.now().plusSeconds(5));
        Thread.sleep(20);
        keys.touch(k.id());
        assertThat(keys.findActive(raw).orElseThrow().lastUsedAt()).isAfter(first);
        assertThat(keys.findActive(idle).orElseThrow().lastUsedAt())
                .as("only that key")
                .isNull();
    }

    @Test
    void listShowsEveryKeyByNameWithoutSecrets() throws Exception {
        keys.create("zeta", "READ_ONLY");
        keys.create("alpha", "ADMIN");
        keys.create("mid", "SOURCE_WRITER");
        List<ApiKey> list = keys.list();
        assertThat(list).extracting(ApiKey::name).containsExactly("alpha", "mid", "zeta");
        assertThat(list).extracting(ApiKey::role).containsExactly("ADMIN", "SOURCE_WRITER", "READ_ONLY");
        assertThat(ApiKey.class.getRecordComponents())
                .extracting(c -> c.getName())
                .containsExactly("id", "name", "role", "createdAt", "revokedAt", "lastUsedAt", "scoped");
    }

    @Test
    void theSchemaRefusesAKeyHashThatIsNotAHash() {
        assertThatThrownBy(() -> TestDb.execute(
                        db, "INSERT INTO api_keys (name, key_hash, role) VALUES ('raw', 'tsk_plain', 'ADMIN')"))
                .isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> TestDb.execute(
                        db,
                        "INSERT INTO api_keys (name, key_hash, role) VALUES ('r', '" + "a".repeat(64)
                                + "', 'SUPERUSER')"))
                .isInstanceOf(SQLException.class);
    }

    // --- audit log ---

    @Test
    void auditRowsAreRecordedAndReadNewestFirst() throws Exception {
        audit.record("cli:ops", "admin apikey create", "girona", "ok", null, "role=ADMIN");
        Thread.sleep(5);
        audit.record("apikey:girona", "POST /api/queue/requeue", "DEAD", "denied", "10.0.0.7", null);

        List<Map<String, Object>> rows = audit.recent(10);
        assertThat(rows).hasSize(2);
        Map<String, Object> newest = rows.get(0);
        assertThat(newest.keySet())
                .containsExactly("id", "at", "actor", "action", "target", "outcome", "client_ip", "detail");
        assertThat(newest)
                .containsEntry("actor", "apikey:girona")
                .containsEntry("action", "POST /api/queue/requeue")
                .containsEntry("target", "DEAD")
                .containsEntry("outcome", "denied")
                .containsEntry("client_ip", "10.0.0.7")
                .containsEntry("detail", null);
        assertThat(Instant.parse((String) newest.get("at")))
                .isBefore(Instant.now().plusSeconds(5));
        assertThat(UUID.fromString((String) newest.get("id"))).isNotNull();
        assertThat(rows.get(1))
                .containsEntry("actor", "cli:ops")
                .containsEntry("client_ip", null)
                .containsEntry("detail", "role=ADMIN");

        assertThat(audit.recent(1)).hasSize(1).first().isEqualTo(newest);
        assertThat(audit.recent(0)).isEmpty();
        assertThat(audit.recent(-1)).isEmpty();
    }

    @Test
    void auditRequiresActorActionAndOutcomeAndCutsLongValues() throws Exception {
        assertThatThrownBy(() -> audit.record(null, "a", null, "ok", null, null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> audit.record("x", null, null, "ok", null, null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> audit.record("x", "a", null, null, null, null))
                .isInstanceOf(NullPointerException.class);

        audit.record("cli:ops", "GET /" + "p".repeat(10_000), null, "ok", null, "d".repeat(5_000));
        Map<String, Object> row = audit.recent(5).get(0);
        assertThat((String) row.get("action"))
                .hasSize(AuditRepository.MAX_LENGTH)
                .startsWith("GET /ppp")
                .endsWith("…");
        assertThat((String) row.get("detail")).hasSize(AuditRepository.MAX_LENGTH);
    }
}
