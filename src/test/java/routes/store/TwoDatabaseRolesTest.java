package routes.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import routes.support.CameraClient;
import routes.support.Cli;
import routes.support.InProcessService;
import routes.support.PrivatePostgres;
import routes.support.Samples;
import routes.support.TestFiles;

/**
 * Issue 12, item 12: the service's role must not be able to rewrite the audit log. With DB_OWNER_USER set, {@code db migrate}
 * runs as the owner and leaves DB_USER with DML on the data and only SELECT/INSERT on {@code audit_log}; the service runs
 * as DB_USER, never migrates, and refuses to start with migrations pending. A cluster of the test's own
 * ({@link PrivatePostgres}, passwords required as on a server) where the test is the superuser; each test its own roles and
 * database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoDatabaseRolesTest {

    static final int PG_PORT = 24171;
    static final int TCP_PORT = 24172;
    static final String OWNER_PASSWORD = "owner-secret-7Qx";
    static final String SERVICE_PASSWORD = "service-secret-3Kd";
    static final Path IMAGES = Path.of("target/it-images/two-roles").toAbsolutePath();
    /** Who may do what on a table, as has_table_privilege sees it. */
    static final String PRIVILEGES =
            "SELECT string_agg(p, ',' ORDER BY p) FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE',"
                    + "'REFERENCES','TRIGGER']) p WHERE has_table_privilege(?, ?::regclass, p)";

    PrivatePostgres pg;

    @TempDir
    Path dir;

    @BeforeAll
    void cluster() throws Exception {
        pg = PrivatePostgres.start(PG_PORT, "tattile_one_role", true);
    }

    @AfterAll
    void stop() throws Exception {
        pg.close();
    }

    /** An install with two roles: NAME_owner owns database NAME, Svc-NAME (a name SQL must quote) is the service's. */
    record Site(String database, String owner, String service, Path env, Path ownerPasswordFile) {
        Cli cli() {
            return new Cli(env);
        }
    }

    Site site(String name) throws Exception {
        String owner = name + "_owner";
        String service = "Svc-" + name;
        try (Connection c = superuser("postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + ident(owner) + " LOGIN PASSWORD '" + OWNER_PASSWORD + "'");
            s.execute("CREATE ROLE " + ident(service) + " LOGIN PASSWORD '" + SERVICE_PASSWORD + "'");
            s.execute("CREATE DATABASE " + name + " OWNER " + ident(owner));
        }
        Path passwordFile = dir.resolve(name + "-owner.password");
        Files.writeString(passwordFile, OWNER_PASSWORD + "\n");
        Path env = dir.resolve(name + ".env");
        write(
                env,
                Map.of(
                        "DB_NAME",
                        name,
                        "DB_USER",
                        service,
                        "DB_PASSWORD",
                        SERVICE_PASSWORD,
                        "DB_OWNER_USER",
                        owner,
                        "DB_OWNER_PASSWORD_FILE",
                        passwordFile.toString()));
        return new Site(name, owner, service, env, passwordFile);
    }

    void write(Path env, Map<String, String> settings) throws Exception {
        StringBuilder b = new StringBuilder(
                "DB_HOST=127.0.0.1\nDB_PORT=" + PG_PORT + "\nDB_POOL_SIZE=4\nJOLOKIA_PORT=0\nTATTILE_FLOWS=ingest\n"
                        + "TRANSIT_PORT=" + TCP_PORT + "\nIMAGES_BASE_DIR=" + IMAGES + "\n");
        settings.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        Files.writeString(env, b.toString());
    }

    Map<String, String> serviceSettings(Site site) {
        Map<String, String> s = new HashMap<>(Map.of(
                "DB_HOST",
                "127.0.0.1",
                "DB_PORT",
                String.valueOf(PG_PORT),
                "DB_NAME",
                site.database(),
                "DB_USER",
                site.service(),
                "DB_PASSWORD",
                SERVICE_PASSWORD,
                "DB_OWNER_USER",
                site.owner(),
                // The service never reads the owner's password (on a server it cannot: root's, 0600).
                "DB_OWNER_PASSWORD_FILE",
                "/nonexistent/db-owner.password",
                "DB_MIGRATE_ON_START",
                "true",
                "DB_POOL_SIZE",
                "4"));
        s.putAll(Map.of(
                "TRANSIT_PORT",
                String.valueOf(TCP_PORT),
                "IMAGES_BASE_DIR",
                IMAGES.toString(),
                "CAMERA_CACHE_SECONDS",
                "0",
                "INGEST_MAX_AGE_DAYS",
                "3650")); // the sample reading is from 2024
        return s;
    }

    /** The newest migration's version, from db/migration (what a fresh `db migrate` reaches). */
    static final int LATEST = latestMigration();

    private static int latestMigration() {
        try (var files = Files.list(Path.of("db/migration"))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
                    .max()
                    .orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    Connection superuser(String database) throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(database), "postgres", "");
    }

    Connection as(Site site, String role, String password) throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(site.database()), role, password);
    }

    Connection asService(Site site) throws SQLException {
        return as(site, site.service(), SERVICE_PASSWORD);
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static String one(Connection c, String sql, String... args) throws SQLException {
        try (var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The statement fails for want of privilege (SQLState 42501), not for any other reason. */
    static void refused(Connection c, String sql) {
        assertThatThrownBy(() -> exec(c, sql))
                .as(sql)
                .isInstanceOfSatisfying(
                        SQLException.class,
                        e -> assertThat(e.getSQLState())
                                .as(sql + " -> " + e.getMessage())
                                .isEqualTo("42501"));
    }

    Cli.Run migrate(Site site) {
        Cli.Run r = site.cli().run("db", "migrate");
        assertThat(r.exit()).as("db migrate: " + r.err()).isZero();
        return r;
    }

    @Test
    void afterDbMigrateAsTheOwnerTheServiceRoleCanAddToTheAuditLogButNotRewriteIt() throws Exception {
        Site site = site("roles_audit");
        Cli.Run first = migrate(site);
        assertThat(first.out())
                .contains("Schema at version " + LATEST + " (" + LATEST
                        + " migrations applied) (migrated as DB_OWNER_USER 'roles_audit_owner')")
                .contains("DB_USER 'Svc-roles_audit' may read and write");

        try (Connection c = asService(site)) {
            exec(c, "INSERT INTO audit_log (actor, action, outcome) VALUES ('cli:test', 'admin test', 'OK')");
            assertThat(one(c, "SELECT count(*) FROM audit_log")).isEqualTo("1");
            refused(c, "UPDATE audit_log SET outcome = 'REWRITTEN'");
            refused(c, "DELETE FROM audit_log");
            refused(c, "TRUNCATE audit_log");
            refused(c, "DROP TABLE audit_log");
            refused(c, "ALTER TABLE audit_log DISABLE TRIGGER ALL");
            // The service's data: read and written as the service and the admin CLI do.
            exec(c, "INSERT INTO municipalities (name) VALUES ('Rols')");
            exec(c, "UPDATE municipalities SET code = '08001' WHERE name = 'Rols'");
            exec(
                    c,
                    "INSERT INTO cameras (serial_number, municipality_id) SELECT 'ROLES01', id FROM municipalities WHERE name = 'Rols'");
            assertThat(one(c, "SELECT serial_number FROM cameras WHERE serial_number = 'ROLES01' FOR UPDATE"))
                    .isEqualTo("ROLES01");
            exec(c, "DELETE FROM cameras WHERE serial_number = 'ROLES01'");
            exec(c, "DELETE FROM municipalities WHERE name = 'Rols'");
            // Nor the schema, nor Flyway's history.
            refused(c, "CREATE TABLE mine (id int)");
            refused(c, "ALTER TABLE cameras ADD COLUMN extra int");
            assertThat(one(c, "SELECT max(version::int) FROM flyway_schema_history"))
                    .isEqualTo(String.valueOf(LATEST));
            refused(c, "UPDATE flyway_schema_history SET success = false");
            refused(c, "DELETE FROM flyway_schema_history");
            assertThat(one(c, "SELECT count(*) FROM audit_log WHERE outcome = 'OK'"))
                    .as("the row is as it was written")
                    .isEqualTo("1");
        }
        try (Connection c = superuser(site.database())) {
            assertThat(
                            one(
                                    c,
                                    "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"))
                    .isEqualTo("13");
            for (String table : new String[] {
                "alpr_readings",
                "api_keys",
                "api_key_scopes",
                "cameras",
                "certificates",
                "cluster_locks",
                "delivery_log",
                "endpoints",
                "legacy_import_map",
                "messages_queue",
                "municipalities"
            }) {
                assertThat(one(c, PRIVILEGES, site.service(), "public." + table))
                        .as(table)
                        .isEqualTo("DELETE,INSERT,SELECT,UPDATE");
            }
            assertThat(one(c, PRIVILEGES, site.service(), "public.audit_log")).isEqualTo("INSERT,SELECT");
            assertThat(one(c, PRIVILEGES, site.service(), "public.flyway_schema_history"))
                    .isEqualTo("SELECT");
            assertThat(
                            one(
                                    c,
                                    "SELECT string_agg(DISTINCT pg_get_userbyid(relowner), ',') FROM pg_class WHERE relnamespace = 'public'::regnamespace"))
                    .isEqualTo(site.owner());
        }
        assertThat(first.out() + first.err()).doesNotContain(OWNER_PASSWORD);
    }

    @Test
    void everyDbMigrateGrantsAgainSoANewTableGetsItsPrivilegesAndAnExtraGrantOnTheAuditLogIsTakenBack()
            throws Exception {
        Site site = site("roles_regrant");
        migrate(site);
        try (Connection c = superuser(site.database())) {
            exec(c, "SET ROLE " + ident(site.owner()));
            exec(c, "CREATE TABLE added_later (id int PRIMARY KEY)"); // as a later migration would
            exec(c, "GRANT UPDATE, DELETE, TRUNCATE ON audit_log TO " + ident(site.service()));
        }
        Cli.Run again = migrate(site);
        assertThat(again.out()).startsWith("Schema up to date");
        try (Connection c = asService(site)) {
            exec(c, "INSERT INTO added_later VALUES (1)");
            exec(c, "DELETE FROM added_later");
            exec(c, "INSERT INTO audit_log (actor, action, outcome) VALUES ('cli:test', 'admin test', 'OK')");
            refused(c, "UPDATE audit_log SET outcome = 'REWRITTEN'");
            refused(c, "DELETE FROM audit_log");
            refused(c, "TRUNCATE audit_log");
        }
    }

    @Test
    void theServiceRunsAsItsRoleAndStoresAReadingWithoutTheOwnersPassword() throws Exception {
        Site site = site("roles_service");
        migrate(site);
        TestFiles.deleteTree(IMAGES);
        try (Connection c = asService(site)) {
            exec(c, "INSERT INTO municipalities (name) VALUES ('Rols')");
            exec(c, "INSERT INTO cameras (serial_number, municipality_id) SELECT 'TAT1234567', id FROM municipalities");
        }
        try (InProcessService service = InProcessService.start(serviceSettings(site), "ingest");
                CameraClient camera = new CameraClient(TCP_PORT);
                Connection c = asService(site)) {
            camera.send(Samples.msg());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> one(c, "SELECT count(*) FROM alpr_readings WHERE plate = '7459MTL'")
                            .equals("1"));
            assertThat(one(c, "SELECT status FROM messages_queue")).isEqualTo("PENDING");
        }
    }

    @Test
    void withAMigrationPendingTheServiceAndTheAdminCommandsRefuseAndSayToRunDbMigrate() throws Exception {
        Site site = site("roles_pending");
        migrate(site);
        try (Connection c = superuser(site.database())) {
            exec(
                    c,
                    "DELETE FROM flyway_schema_history WHERE version = '" + LATEST
                            + "'"); // as if the jar were newer than the schema
        }
        // DB_MIGRATE_ON_START=true: still it must not try (it could not) and must say what to do.
        assertThatThrownBy(() ->
                        InProcessService.start(serviceSettings(site), "ingest").close())
                .hasMessageContaining("Database schema not up to date (pending migration " + LATEST + ")")
                .hasMessageContaining("run 'db migrate' as root");
        Cli cli = site.cli();
        assertThat(cli.fails(1))
                .isEqualTo(
                        "The service could not start: Database schema not up to date (pending migration " + LATEST
                                + ") and with DB_OWNER_USER set"
                                + " the service does not migrate: run 'db migrate' as root, which connects as DB_OWNER_USER with the password in DB_OWNER_PASSWORD_FILE"
                                + " (sudo env TATTILE_ENV_FILE=/etc/tattile-sender/.env java -jar /opt/tattile-sender/tattile-sender.jar db migrate)");
        assertThat(cli.fails(1, "admin", "municipality", "list"))
                .startsWith("Database schema not up to date (pending migration " + LATEST + ")");
        try (Connection c = superuser(site.database())) {
            assertThat(one(c, "SELECT count(*) FROM flyway_schema_history WHERE version = '" + LATEST + "'"))
                    .as("nothing migrated")
                    .isEqualTo("0");
        }
    }

    @Test
    void dbMigrateNeedsTheOwnersPasswordFromItsFileAndNeverPrintsIt() throws Exception {
        Site site = site("roles_password");
        Path env = dir.resolve("password-cases.env");
        Cli cli = new Cli(env);
        Map<String, String> base = Map.of(
                "DB_NAME",
                site.database(),
                "DB_USER",
                site.service(),
                "DB_PASSWORD",
                SERVICE_PASSWORD,
                "DB_OWNER_USER",
                site.owner());

        Map<String, String> missing = new HashMap<>(base);
        missing.put("DB_OWNER_PASSWORD_FILE", dir.resolve("absent.password").toString());
        write(env, missing);
        assertThat(cli.fails(2, "db", "migrate"))
                .isEqualTo(
                        "Invalid configuration: DB_OWNER_PASSWORD_FILE='" + dir.resolve("absent.password")
                                + "' cannot be read (NoSuchFileException): it holds DB_OWNER_USER's password; run 'db migrate' as root");

        write(env, base);
        assertThat(cli.fails(2, "db", "migrate"))
                .startsWith("Invalid configuration: DB_OWNER_PASSWORD_FILE is empty but DB_OWNER_USER='" + site.owner()
                        + "' is set");

        Path wrong = dir.resolve("wrong.password");
        Files.writeString(wrong, "not-the-password-9Zt\nsecond line\n");
        Map<String, String> wrongPassword = new HashMap<>(base);
        wrongPassword.put("DB_OWNER_PASSWORD_FILE", wrong.toString());
        write(env, wrongPassword);
        Cli.Run refused = cli.run("db", "migrate");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err().strip())
                .startsWith("Cannot connect to database 'roles_password' as DB_OWNER_USER 'roles_password_owner'"
                        + " with the password in DB_OWNER_PASSWORD_FILE: FATAL: password authentication failed")
                .doesNotContain("not-the-password-9Zt");

        Map<String, String> same = new HashMap<>(base);
        same.put("DB_OWNER_USER", site.service());
        write(env, same);
        assertThat(cli.fails(2, "db", "migrate"))
                .startsWith("Invalid configuration: DB_OWNER_USER='" + site.service() + "' must differ from DB_USER");

        Cli.Run ok = migrate(site); // the file's first line, with its newline
        assertThat(ok.out() + ok.err()).doesNotContain(OWNER_PASSWORD);
    }

    @Test
    void aServiceRoleThatCouldStillRewriteTheAuditLogIsReportedByDbMigrate() throws Exception {
        Site site = site("roles_member");
        try (Connection c = superuser("postgres")) {
            exec(c, "GRANT " + ident(site.owner()) + " TO " + ident(site.service()));
        }
        Cli.Run r = site.cli().run("db", "migrate");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip())
                .isEqualTo(
                        "DB_USER 'Svc-roles_member' can still update, delete or truncate audit_log (a superuser, or a member"
                                + " of a role that may): make it an ordinary role of its own (README, Install on a server)");
    }

    /** "table:privileges" of ROLE on every table of schema public, and what it may do in the schema. */
    String privilegesOf(String database, String role) throws SQLException {
        try (Connection c = superuser(database)) {
            return one(
                            c,
                            "SELECT string_agg(c.relname || ':' || coalesce(("
                                    + PRIVILEGES.replace("?::regclass", "c.oid") + "), '-'), ' ' ORDER BY c.relname)"
                                    + " FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
                            role)
                    + " schema:"
                    + one(
                            c,
                            "SELECT has_schema_privilege(?, 'public', 'USAGE') || ',' || has_schema_privilege(?, 'public', 'CREATE')",
                            role,
                            role);
        }
    }

    @Test
    void theOneTimeGrantsOfDbRolesShOnAnUpgradeAreTheOnesDbMigrateGrants() throws Exception {
        // An install of the one-role era: the service role owns the database and, after its db migrate, every table.
        String name = "roles_upgrade";
        String service = "Svc-" + name;
        try (Connection c = superuser("postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + ident(service) + " LOGIN PASSWORD '" + SERVICE_PASSWORD + "'");
            s.execute("CREATE DATABASE " + name + " OWNER " + ident(service));
        }
        Path oneRole = dir.resolve("upgrade-one-role.env");
        write(oneRole, Map.of("DB_NAME", name, "DB_USER", service, "DB_PASSWORD", SERVICE_PASSWORD));
        new Cli(oneRole).ok("db", "migrate");

        // setup.sh's upgrade: deploy/db-roles.sh creates the owner, hands it the schema and grants the service role its
        // rights.
        Path passwordFile = dir.resolve(name + "-owner.password");
        Files.writeString(passwordFile, OWNER_PASSWORD + "\n");
        Site site = new Site(name, name + "_owner", service, dir.resolve(name + ".env"), passwordFile);
        write(
                site.env(),
                Map.of(
                        "DB_NAME",
                        name,
                        "DB_USER",
                        service,
                        "DB_PASSWORD",
                        SERVICE_PASSWORD,
                        "DB_OWNER_USER",
                        site.owner(),
                        "DB_OWNER_PASSWORD_FILE",
                        passwordFile.toString()));
        Process script = new ProcessBuilder(
                        "bash",
                        "deploy/db-roles.sh",
                        "--env-file",
                        site.env().toString(),
                        "--",
                        "psql",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        String.valueOf(PG_PORT),
                        "-U",
                        "postgres")
                .redirectErrorStream(true)
                .start();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(script.waitFor()).as(output).isZero();
        String byScript = privilegesOf(name, service);
        assertThat(byScript)
                .contains("audit_log:INSERT,SELECT ")
                .contains("cameras:DELETE,INSERT,SELECT,UPDATE ")
                .contains("flyway_schema_history:SELECT ")
                .endsWith("schema:true,false");

        migrate(site);
        assertThat(privilegesOf(name, service))
                .as("after db migrate, the same as deploy/db-roles.sh granted")
                .isEqualTo(byScript);
    }

    @Test
    void withoutAnOwnerRoleTheServiceRoleOwnsAndMigratesTheSchemaAsBefore() throws Exception {
        // PrivatePostgres made role tattile (password tattile) owning database tattile_one_role: a one-role install.
        Path env = dir.resolve("one-role.env");
        write(env, Map.of("DB_NAME", "tattile_one_role", "DB_USER", "tattile", "DB_PASSWORD", "tattile"));
        Cli cli = new Cli(env);
        assertThat(cli.ok("db", "migrate").out().strip())
                .isEqualTo("Schema at version " + LATEST + " (" + LATEST + " migrations applied)");
        try (Connection c = superuser("tattile_one_role")) {
            assertThat(
                            one(
                                    c,
                                    "SELECT string_agg(DISTINCT pg_get_userbyid(relowner), ',') FROM pg_class WHERE relnamespace = 'public'::regnamespace"))
                    .isEqualTo("tattile");
            assertThat(
                            one(
                                    c,
                                    "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relacl IS NOT NULL"))
                    .as("no grants: the owner needs none")
                    .isEqualTo("0");
            exec(c, "CREATE DATABASE tattile_one_role_fresh OWNER tattile");
        }
        // The service migrates a fresh database itself when DB_MIGRATE_ON_START is on (the default).
        Map<String, String> settings = new HashMap<>(Map.of(
                "DB_HOST",
                "127.0.0.1",
                "DB_PORT",
                String.valueOf(PG_PORT),
                "DB_NAME",
                "tattile_one_role_fresh",
                "DB_USER",
                "tattile",
                "DB_PASSWORD",
                "tattile",
                "DB_POOL_SIZE",
                "4",
                "TRANSIT_PORT",
                String.valueOf(TCP_PORT),
                "IMAGES_BASE_DIR",
                IMAGES.toString()));
        try (InProcessService service = InProcessService.start(settings, "ingest")) {
            assertThat(service.context().isStarted()).isTrue();
        }
        try (Connection c = superuser("tattile_one_role_fresh")) {
            assertThat(one(c, "SELECT max(version::int) FROM flyway_schema_history"))
                    .isEqualTo(String.valueOf(LATEST));
        }
    }
}
