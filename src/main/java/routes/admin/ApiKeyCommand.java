package routes.admin;

import static routes.admin.AdminSupport.iso;
import static routes.admin.AdminSupport.object;
import static routes.admin.AdminSupport.orDash;

import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.cli.CommandFailedException;
import routes.config.ConfigOptions;
import routes.store.ApiKeyRepository;
import routes.store.ApiKeyRepository.DuplicateNameException;
import routes.store.AuditRepository;
import routes.store.CameraRegistry;
import routes.store.MunicipalityRepository;

/**
 * {@code admin apikey …}: the keys of the HTTP API. A key is shown once, when created; only its hash is
 * stored, so neither {@code list} nor anything else can show it again. Every run is recorded in the audit log.
 */
@Command(
        name = "apikey",
        mixinStandardHelpOptions = true,
        description = "Manage the HTTP API's keys.",
        subcommands = {ApiKeyCommand.Create.class, ApiKeyCommand.ListKeys.class, ApiKeyCommand.Revoke.class})
public class ApiKeyCommand {

    /** Key names: they appear in the audit log ("apikey:&lt;name&gt;") and in log lines, so no spaces or odd characters. */
    static final String NAME_PATTERN = "[A-Za-z0-9._-]{1,64}";

    private static final String ROLES = String.join("|", ApiKeyRepository.ROLES);

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Create an API key and print it. It is shown only this once: store it now.")
    static class Create implements Callable<Integer> {
        static final String ACTION = "admin apikey create";

        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(
                names = "--name",
                description = "Unique name: 1-64 letters, digits, '.', '_' or '-', e.g. girona-ingest "
                        + "(default: the role and the creation time)")
        String name;

        @Option(
                names = "--role",
                required = true,
                paramLabel = "ADMIN|SOURCE_WRITER|READ_ONLY",
                description =
                        "What the key may do (any case): ADMIN everything, SOURCE_WRITER send readings, READ_ONLY look only")
        String role;

        @Option(names = "--json", description = "JSON output for scripts: {\"name\", \"role\", \"key\"}")
        boolean json;

        @Option(
                names = "--municipality",
                paramLabel = "NAME",
                description =
                        "SOURCE_WRITER only: the key may send readings for this "
                                + "municipality's cameras (repeatable; with --camera, either matches); without any, for every camera")
        List<String> municipalities = new ArrayList<>();

        @Option(
                names = "--camera",
                paramLabel = "SERIAL",
                description = "SOURCE_WRITER only: the key may send readings for this camera (repeatable)")
        List<String> cameras = new ArrayList<>();

        @Override
        public Integer call() throws SQLException {
            String n = name != null
                    ? name.strip()
                    : role.strip().toLowerCase(Locale.ROOT).replace('_', '-') + "-"
                            + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                                    .withZone(ZoneOffset.UTC)
                                    .format(Instant.now());
            if (!n.matches(NAME_PATTERN)) {
                throw new CommandFailedException(
                        "Invalid API key name '" + name + "': use 1-64 letters, digits, '.', '_' or '-'");
            }
            String r;
            try {
                r = ApiKeyRepository.normalizeRole(role);
            } catch (IllegalArgumentException e) {
                throw new CommandFailedException("Invalid role '" + role + "': use " + ROLES.replace("|", ", "));
            }
            boolean scoped = !municipalities.isEmpty() || !cameras.isEmpty();
            if (scoped && !r.equals("SOURCE_WRITER")) {
                throw new CommandFailedException(
                        "--municipality and --camera limit SOURCE_WRITER keys only (this key's role: " + r + ")");
            }
            try (var ds = AdminDatabase.open(config.settings())) {
                var audit = new AuditRepository(ds);
                var keys = new ApiKeyRepository(ds);
                ApiKeyRepository.Scope scope = null;
                if (scoped) {
                    var municipalityRepository = new MunicipalityRepository(ds);
                    var cameraRegistry = new CameraRegistry(ds);
                    Set<UUID> ids = new HashSet<>();
                    for (String m : municipalities) {
                        ids.add(municipalityRepository
                                .municipalityId(m)
                                .orElseThrow(
                                        () -> new CommandFailedException("Municipality '" + m + "' does not exist")));
                    }
                    for (String c : cameras) {
                        if (cameraRegistry.cameraId(c).isEmpty()) {
                            throw new CommandFailedException("Camera '" + c + "' does not exist");
                        }
                    }
                    scope = new ApiKeyRepository.Scope(Set.copyOf(ids), Set.copyOf(cameras));
                }
                String key;
                try {
                    key = keys.create(n, r, scope);
                } catch (DuplicateNameException e) {
                    audit.record(AdminSupport.cliActor(), ACTION, n, "refused: already exists", null, "role=" + r);
                    throw new CommandFailedException("API key '" + n + "' already exists");
                }
                String scopeText = scoped
                        ? String.join(",", keys.describeScope(keys.findByName(n).orElseThrow()))
                        : null;
                // Shown before anything else can fail: the key exists now and this is its only showing.
                if (json) {
                    AdminSupport.printJson(spec, object("name", n, "role", r, "key", key, "scope", scopeText));
                } else {
                    var out = spec.commandLine().getOut();
                    out.println(
                            "API key '" + n + "' created with role " + r + (scoped ? " for " + scopeText : "") + ":");
                    out.println(key);
                    out.println(
                            "Store it now: it cannot be shown again (only its hash is kept). If it is lost, revoke it and create another.");
                }
                audit.record(
                        AdminSupport.cliActor(),
                        ACTION,
                        n,
                        "ok",
                        null,
                        "role=" + r + (scoped ? " scope=" + scopeText : ""));
                return 0;
            }
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List API keys with role and status (never the keys).")
    static class ListKeys implements Callable<Integer> {
        static final String ACTION = "admin apikey list";

        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "JSON output for scripts")
        boolean json;

        @Override
        public Integer call() throws SQLException {
            try (var ds = AdminDatabase.open(config.settings())) {
                var repo = new ApiKeyRepository(ds);
                var rows = repo.list();
                if (json) {
                    List<Object> list = new ArrayList<>();
                    for (var k : rows) {
                        list.add(object(
                                "id",
                                k.id().toString(),
                                "name",
                                k.name(),
                                "role",
                                k.role(),
                                "active",
                                k.active(),
                                "created_at",
                                iso(k.createdAt()),
                                "revoked_at",
                                iso(k.revokedAt()),
                                "last_used_at",
                                iso(k.lastUsedAt()),
                                "scope",
                                k.scoped() ? repo.describeScope(k) : null));
                    }
                    AdminSupport.printJson(spec, list);
                } else {
                    var out = spec.commandLine().getOut();
                    out.printf(
                            "%-24s %-13s %-8s %-20s %-20s %-20s %s%n",
                            "NAME", "ROLE", "STATUS", "CREATED", "LAST USED", "REVOKED", "SCOPE");
                    for (var k : rows) {
                        out.printf(
                                "%-24s %-13s %-8s %-20s %-20s %-20s %s%n",
                                k.name(),
                                k.role(),
                                k.active() ? "active" : "revoked",
                                iso(k.createdAt()),
                                orDash(iso(k.lastUsedAt())),
                                orDash(iso(k.revokedAt())),
                                k.scoped() ? String.join(",", repo.describeScope(k)) : "all");
                    }
                }
                long revoked = rows.stream().filter(k -> !k.active()).count();
                new AuditRepository(ds)
                        .record(
                                AdminSupport.cliActor(),
                                ACTION,
                                null,
                                "ok",
                                null,
                                AdminSupport.plural(rows.size(), "key", "keys") + " (" + revoked + " revoked)");
                return 0;
            }
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description =
                    "Revoke an API key: it stops working at once. The row stays (audit); the name cannot be reused.")
    static class Revoke implements Callable<Integer> {
        static final String ACTION = "admin apikey revoke";

        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--name", required = true, description = "The key to revoke")
        String name;

        @Override
        public Integer call() throws SQLException {
            try (var ds = AdminDatabase.open(config.settings())) {
                var repo = new ApiKeyRepository(ds);
                var audit = new AuditRepository(ds);
                if (repo.revoke(name)) {
                    audit.record(AdminSupport.cliActor(), ACTION, name, "ok", null, null);
                    spec.commandLine().getOut().println("API key '" + name + "' revoked");
                    return 0;
                }
                var existing = repo.findByName(name);
                if (existing.isEmpty()) {
                    audit.record(AdminSupport.cliActor(), ACTION, name, "refused: not found", null, null);
                    throw new CommandFailedException("API key '" + name + "' does not exist");
                }
                audit.record(AdminSupport.cliActor(), ACTION, name, "ok: already revoked", null, null);
                spec.commandLine()
                        .getOut()
                        .println("API key '" + name + "' was already revoked ("
                                + iso(existing.get().revokedAt()) + ")");
                return 0;
            }
        }
    }
}
