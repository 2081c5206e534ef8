package routes.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static routes.deploy.DeployScriptsTest.bash;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import routes.deploy.DeployScriptsTest.Result;

/**
 * deploy/db-roles.sh, the database part of setup.sh, against the machine's PostgreSQL as its superuser: throwaway roles
 * and databases whose names and passwords hold quotes, backslashes, spaces and ";" (dropped afterwards). It must create
 * exactly those names and passwords, put no password on any command line, and with an owner role leave the service
 * role owning nothing, with DML on its tables and only SELECT/INSERT on audit_log.
 */
class DatabaseRolesTest {

    private static final String HOST = System.getenv().getOrDefault("DB_HOST", "127.0.0.1");
    private static final String PORT = System.getenv().getOrDefault("DB_PORT", "5432");
    private static final String ODD = "tat'\"; x\\ ";

    @TempDir
    Path dir;

    final String tag = UUID.randomUUID().toString().substring(0, 8);
    final String service = ODD + "svc " + tag;
    final String owner = ODD + "owner " + tag;
    final String database = ODD + "db " + tag;
    final String otherDatabase = ODD + "other " + tag;
    // Each ends in a plain run that any quoting or escaping (shell, SQL, libpq, strace) leaves as it is.
    final String servicePassword = "pw'\"; x\\ :'p' $HOME -- serviceSecret" + tag;
    final String ownerPassword = "owner'\"; drop role postgres; -- \\ownerSecret" + tag;
    Path argvLog;
    Path bin;

    @BeforeEach
    void psqlThatRecordsItsArguments() throws Exception {
        Result which = bash(List.of("bash", "-c", "command -v psql"));
        assumeTrue(which.exit() == 0, "psql is not installed");
        argvLog = dir.resolve("psql-argv.log");
        bin = Files.createDirectory(dir.resolve("bin"));
        Path psql = bin.resolve("psql");
        Files.writeString(
                psql,
                "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >> '" + argvLog + "'\necho ---- >> '"
                        + argvLog + "'\nexec " + which.output().strip() + " \"$@\"\n");
        Files.setPosixFilePermissions(psql, PosixFilePermissions.fromString("rwx------"));
    }

    @AfterEach
    void dropTheThrowawayRolesAndDatabases() throws Exception {
        try (Connection c = admin("postgres");
                Statement s = c.createStatement()) {
            for (String db : List.of(database, otherDatabase)) {
                s.execute("DROP DATABASE IF EXISTS " + ident(db) + " WITH (FORCE)");
            }
            for (String role : List.of(service, owner)) {
                s.execute("DROP ROLE IF EXISTS " + ident(role));
            }
        }
    }

    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static Connection admin(String db) throws Exception {
        return DriverManager.getConnection(
                "jdbc:postgresql://" + HOST + ":" + PORT + "/"
                        + URLEncoder.encode(db, StandardCharsets.UTF_8).replace("+", "%20"),
                "postgres",
                "");
    }

    static String one(Connection c, String sql, Object... args) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    Path envFile(boolean withOwner) throws Exception {
        Path passwordFile = dir.resolve("db-owner.password");
        Files.writeString(passwordFile, ownerPassword + "\n");
        Path env = dir.resolve("tattile.env");
        Files.writeString(
                env,
                "DB_NAME=" + database + "\nDB_USER=" + service + "\nDB_PASSWORD=" + servicePassword + "\n"
                        + (withOwner
                                ? "DB_OWNER_USER=" + owner + "\nDB_OWNER_PASSWORD_FILE=" + passwordFile + "\n"
                                : ""));
        return env;
    }

    Result dbRoles(Path env) throws Exception {
        return bash(
                List.of(
                        "bash",
                        "deploy/db-roles.sh",
                        "--env-file",
                        env.toString(),
                        "--",
                        "psql",
                        "-h",
                        HOST,
                        "-p",
                        PORT,
                        "-U",
                        "postgres"),
                Map.of("PATH", bin + ":" + System.getenv("PATH")));
    }

    /** Whether PostgreSQL's SCRAM-SHA-256 verifier for ROLE was made from PASSWORD (RFC 5802; the server here trusts every login). */
    static boolean scramMatches(Connection c, String role, String password) throws Exception {
        String verifier = one(c, "SELECT rolpassword FROM pg_authid WHERE rolname = ?", role);
        assertThat(verifier).as("password of " + role).startsWith("SCRAM-SHA-256$");
        String[] parts = verifier.substring("SCRAM-SHA-256$".length()).split("[$:]");
        int iterations = Integer.parseInt(parts[0]);
        byte[] salt = Base64.getDecoder().decode(parts[1]);
        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
                .getEncoded();
        Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(salted, "HmacSHA256"));
        byte[] storedKey = MessageDigest.getInstance("SHA-256")
                .digest(hmac.doFinal("Client Key".getBytes(StandardCharsets.US_ASCII)));
        return Base64.getEncoder().encodeToString(storedKey).equals(parts[2]);
    }

    void assertNoPasswordOnAnyPsqlCommandLine() throws Exception {
        assertThat(argvLog).exists();
        String argv = Files.readString(argvLog);
        assertThat(argv).as("psql was run with the names").contains(service);
        assertThat(argv).doesNotContain("serviceSecret" + tag).doesNotContain("ownerSecret" + tag);
    }

    @Test
    void oneRoleOwningTheDatabaseWithOddNamesAndNoPasswordOnACommandLine() throws Exception {
        Result r = dbRoles(envFile(false));
        assertThat(r.exit()).as(r.output()).isZero();
        try (Connection c = admin("postgres")) {
            assertThat(one(c, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ?", database))
                    .isEqualTo(service);
            assertThat(one(c, "SELECT rolcanlogin::text FROM pg_roles WHERE rolname = ?", service))
                    .isEqualTo("true");
            assertThat(scramMatches(c, service, servicePassword))
                    .as("the role's password is the .env's, to the letter")
                    .isTrue();
        }
        assertNoPasswordOnAnyPsqlCommandLine();
    }

    @Test
    void anUpgradeFromOneRoleHandsTheSchemaToTheOwnerAndLeavesTheServiceItsDataOnly() throws Exception {
        // An install of the one-role era: the service role owns the database, its tables, and another database here.
        Result before = dbRoles(envFile(false));
        assertThat(before.exit()).as(before.output()).isZero();
        try (Connection c = admin("postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + ident(otherDatabase) + " OWNER " + ident(service));
        }
        try (Connection c = admin(database);
                Statement s = c.createStatement()) {
            s.execute("SET ROLE " + ident(service));
            s.execute("CREATE TABLE alpr_readings (id int PRIMARY KEY, plate text)");
            s.execute("CREATE TABLE audit_log (id int PRIMARY KEY, what text)");
            s.execute("INSERT INTO audit_log VALUES (1, 'kept')");
        }

        Path env = envFile(true);
        for (int run = 1; run <= 2; run++) { // the second run: nothing left to move, the same result
            Result r = dbRoles(env);
            assertThat(r.exit()).as("run " + run + ": " + r.output()).isZero();
            try (Connection c = admin("postgres")) {
                assertThat(one(c, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ?", database))
                        .isEqualTo(owner);
                assertThat(one(c, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ?", otherDatabase))
                        .as("REASSIGN OWNED also moves the role's other databases: given back")
                        .isEqualTo(service);
                assertThat(one(c, "SELECT rolsuper::text || rolcanlogin::text FROM pg_roles WHERE rolname = ?", owner))
                        .isEqualTo("falsetrue");
                assertThat(scramMatches(c, owner, ownerPassword))
                        .as("the owner's password is the file's")
                        .isTrue();
                assertThat(scramMatches(c, service, servicePassword)).isTrue();
            }
            try (Connection c = admin(database)) {
                assertThat(
                                one(
                                        c,
                                        "SELECT string_agg(DISTINCT pg_get_userbyid(relowner), ',') FROM pg_class WHERE relnamespace = 'public'::regnamespace"))
                        .isEqualTo(owner);
                assertThat(one(
                                c,
                                "SELECT count(*) FROM pg_shdepend WHERE deptype = 'o' AND refobjid = ?::regrole"
                                        + " AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
                                ident(service)))
                        .isEqualTo("0");
                String privileges =
                        "SELECT string_agg(p, ',' ORDER BY p) FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) p"
                                + " WHERE has_table_privilege(?, ?::regclass, p)";
                assertThat(one(c, privileges, service, "public.alpr_readings"))
                        .isEqualTo("DELETE,INSERT,SELECT,UPDATE");
                assertThat(one(c, privileges, service, "public.audit_log")).isEqualTo("INSERT,SELECT");
                assertThat(one(c, "SELECT has_schema_privilege(?, 'public', 'CREATE')::text", service))
                        .isEqualTo("false");
                assertThat(one(c, "SELECT has_schema_privilege(?, 'public', 'CREATE')::text", owner))
                        .isEqualTo("true");
                assertThat(one(c, "SELECT what FROM audit_log WHERE id = 1")).isEqualTo("kept");
            }
        }
        assertNoPasswordOnAnyPsqlCommandLine();

        // The backup dumps as the owner (it owns every table; names as odd as these reach pg_dump intact).
        Result backup = bash(
                List.of(
                        "bash",
                        "deploy/backup.sh",
                        "--dest",
                        dir.resolve("backups").toString(),
                        "--env-file",
                        env.toString()),
                Map.of(
                        "DB_HOST",
                        HOST,
                        "DB_PORT",
                        PORT,
                        "IMAGES_BASE_DIR",
                        dir.resolve("none").toString(),
                        "CERTS_DIR",
                        dir.resolve("none").toString()));
        assertThat(backup.exit()).as(backup.output()).isZero();
        try (var s = Files.list(dir.resolve("backups"))) {
            Path dump = s.findFirst().orElseThrow().resolve("db.dump");
            assertThat(bash(List.of("pg_restore", "--list", dump.toString())).output())
                    .contains("TABLE public audit_log " + owner);
        }
    }

    @Test
    void aSuperuserAsEitherRoleIsRefusedWithTwoRolesAndKeepsItsPassword() throws Exception {
        Result first = dbRoles(envFile(false));
        assertThat(first.exit()).as(first.output()).isZero();
        try (Connection c = admin("postgres");
                Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + ident(service) + " SUPERUSER");
        }
        Result r = dbRoles(envFile(true));
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("superuser");
        try (Connection c = admin("postgres");
                Statement s = c.createStatement()) {
            assertThat(one(c, "SELECT count(*) FROM pg_roles WHERE rolname = ?", owner))
                    .as("nothing was created")
                    .isEqualTo("0");
            s.execute("ALTER ROLE " + ident(service) + " NOSUPERUSER");
            s.execute("CREATE ROLE " + ident(owner) + " SUPERUSER LOGIN PASSWORD 'the superuser''s own'");
        }
        r = dbRoles(envFile(true));
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("superuser");
        try (Connection c = admin("postgres")) {
            assertThat(scramMatches(c, owner, "the superuser's own"))
                    .as("a superuser's password is not changed")
                    .isTrue();
            assertThat(one(c, "SELECT rolsuper::text FROM pg_roles WHERE rolname = ?", owner))
                    .isEqualTo("true");
        }
    }

    /** The server's log, where this machine keeps it readable (Debian's pg_ctlcluster: /var/log/postgresql). */
    static String serverLog() throws Exception {
        Path logs = Path.of("/var/log/postgresql");
        StringBuilder all = new StringBuilder();
        if (Files.isDirectory(logs) && Files.isReadable(logs)) {
            try (var s = Files.list(logs)) {
                for (Path p : s.filter(f -> f.toString().endsWith(".log") && Files.isReadable(f))
                        .toList()) {
                    all.append(Files.readString(p, StandardCharsets.ISO_8859_1));
                }
            }
        }
        return all.toString();
    }

    @Test
    void passwordsStayOutOfTheServerLogEvenWhenItLogsEveryStatement() throws Exception {
        // Every statement of these sessions is logged (PGOPTIONS reaches the server at connection): the script turns it
        // off.
        Map<String, String> logEverything =
                Map.of("PGOPTIONS", "-c log_statement=all", "PATH", bin + ":" + System.getenv("PATH"));
        String probe = "db-roles-log-probe-" + tag;
        bash(
                List.of("psql", "-X", "-h", HOST, "-p", PORT, "-U", "postgres", "-tAc", "SELECT '" + probe + "'"),
                logEverything);
        assumeTrue(serverLog().contains(probe), "the server's log is not readable here");

        Result r = bash(
                List.of(
                        "bash",
                        "deploy/db-roles.sh",
                        "--env-file",
                        envFile(true).toString(),
                        "--",
                        "psql",
                        "-h",
                        HOST,
                        "-p",
                        PORT,
                        "-U",
                        "postgres"),
                logEverything);
        assertThat(r.exit()).as(r.output()).isZero();
        String log = serverLog();
        assertThat(log)
                .as("the sessions were logged (the statements without passwords are)")
                .contains("REASSIGN OWNED BY " + ident(service));
        assertThat(log).doesNotContain("serviceSecret" + tag).doesNotContain("ownerSecret" + tag);
    }

    static String hex(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            b.append(String.format("\\x%02x", x));
        }
        return b.toString();
    }

    /** Every program SCRIPT starts, and their arguments, as strace saw them (-xx: each argument as \\xHH bytes). */
    String execveTrace(String name, Map<String, String> environment, String... script) throws Exception {
        Path trace = dir.resolve(name + ".trace");
        List<String> command = new ArrayList<>(
                List.of("strace", "-f", "-qq", "-xx", "-s", "65536", "-e", "trace=execve", "-o", trace.toString()));
        command.addAll(List.of(script));
        Result r = bash(command, environment);
        assumeTrue(
                !r.output().contains("PTRACE_TRACEME") && !r.output().contains("Operation not permitted"),
                "ptrace is not allowed here");
        assertThat(r.exit()).as(r.output()).isZero();
        return Files.readString(trace);
    }

    @Test
    void noProcessTheScriptsStartHasAPasswordOnItsCommandLine() throws Exception {
        assumeTrue(bash(List.of("bash", "-c", "command -v strace")).exit() == 0, "strace is not installed");
        Path env = envFile(true);
        String roles = execveTrace(
                "db-roles",
                Map.of(),
                "bash",
                "deploy/db-roles.sh",
                "--env-file",
                env.toString(),
                "--",
                "psql",
                "-h",
                HOST,
                "-p",
                PORT,
                "-U",
                "postgres");
        assertThat(roles).contains(hex("psql"));
        assertThat(roles).doesNotContain(hex("serviceSecret" + tag)).doesNotContain(hex("ownerSecret" + tag));
        // The backup reads the owner's password from its file and hands it to pg_dump in the environment.
        String backup = execveTrace(
                "backup",
                Map.of(
                        "DB_HOST",
                        HOST,
                        "DB_PORT",
                        PORT,
                        "IMAGES_BASE_DIR",
                        dir.resolve("none").toString(),
                        "CERTS_DIR",
                        dir.resolve("none").toString()),
                "bash",
                "deploy/backup.sh",
                "--dest",
                dir.resolve("backups").toString(),
                "--env-file",
                env.toString());
        assertThat(backup).contains(hex("pg_dump"));
        assertThat(backup).doesNotContain(hex("serviceSecret" + tag)).doesNotContain(hex("ownerSecret" + tag));
    }
}
