package routes.admin;

import static routes.admin.AdminSupport.change;
import static routes.admin.AdminSupport.iso;
import static routes.admin.AdminSupport.object;
import static routes.admin.AdminSupport.orDash;
import static routes.admin.AdminSupport.plural;

import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.cli.CommandFailedException;
import routes.config.ConfigOptions;
import routes.config.Setting;
import routes.ingest.SourceAllowList;
import routes.store.CameraRegistry;
import routes.store.CameraRegistry.CameraChanges;
import routes.store.CameraSilence;
import routes.store.CertificateRepository;
import routes.store.Change;
import routes.store.EndpointRepository;
import routes.store.MunicipalityRepository;
import routes.store.QueueAdminRepository;

/** {@code admin camera …}. */
@Command(
        name = "camera",
        mixinStandardHelpOptions = true,
        description = "Manage cameras.",
        subcommands = {
            CameraCommand.Add.class,
            CameraCommand.ListCameras.class,
            CameraCommand.Update.class,
            CameraCommand.Delete.class
        })
public class CameraCommand {

    /** The optional camera fields add and update share. */
    static class Fields {
        @Option(
                names = "--codigo-lector",
                description = "Reader code Mossos knows this camera by (default: the serial; \"\" clears it)")
        String codigoLector;

        @Option(names = "--description", description = "Free text, e.g. where it is (\"\" clears it)")
        String description;

        @Option(
                names = "--endpoint",
                paramLabel = "NAME|none",
                description = "Endpoint overriding its municipality's (none: clear)")
        String endpoint;

        @Option(
                names = "--certificate",
                paramLabel = "NAME|none",
                description = "Certificate overriding its municipality's (none: clear)")
        String certificate;

        @Option(names = "--coord-x", description = "coordenadaX sent to Mossos")
        Double coordX;

        @Option(names = "--coord-y", description = "coordenadaY sent to Mossos")
        Double coordY;

        @Option(names = "--utm-x", description = "UTM X (kept for reference)")
        Double utmX;

        @Option(names = "--utm-y", description = "UTM Y (kept for reference)")
        Double utmY;

        @Option(
                names = "--timezone",
                paramLabel = "TZ|none",
                description = "Time zone of the camera's clock (none: CAMERA_TIMEZONE)")
        String timezone;

        @Option(
                names = "--active",
                arity = "1",
                paramLabel = "true|false",
                description = "false: its readings are refused at ingest")
        Boolean active;

        @Option(
                names = "--allowed-sources",
                paramLabel = "CIDR[,CIDR...]|none",
                description =
                        "Addresses its readings may come from, e.g. 192.0.2.10/32 (none: any address); others are refused")
        String allowedSources;

        @Option(
                names = "--expect-readings-within",
                paramLabel = "PERIOD|none|default",
                description = "Report the camera when it sends nothing for this long, e.g. 1h, 30m, 2d (none: never;"
                        + " default: CAMERA_SILENCE_DEFAULT)")
        String expectReadingsWithin;

        /** --expect-readings-within in seconds (0: never watched); null for "default" or when not given. */
        Integer expectSeconds() {
            if (expectReadingsWithin == null || expectReadingsWithin.strip().equalsIgnoreCase("default")) {
                return null;
            }
            Long seconds = CameraSilence.seconds(expectReadingsWithin);
            if (seconds == null || seconds > Integer.MAX_VALUE) {
                throw new CommandFailedException("Invalid --expect-readings-within '" + expectReadingsWithin + "': "
                        + CameraSilence.PROBLEM + ", or default");
            }
            return seconds.intValue();
        }

        boolean any() {
            return expectReadingsWithin != null
                    || codigoLector != null
                    || description != null
                    || endpoint != null
                    || certificate != null
                    || coordX != null
                    || coordY != null
                    || utmX != null
                    || utmY != null
                    || timezone != null
                    || active != null
                    || allowedSources != null;
        }

        /** The blocks of --allowed-sources in their normal form; empty for none; null when not given. */
        List<String> sources() {
            if (allowedSources == null) {
                return null;
            }
            if (AdminSupport.isNone(allowedSources)) {
                return List.of();
            }
            try {
                var list = SourceAllowList.parseList(allowedSources);
                if (list.allowsAny()) {
                    throw new CommandFailedException(
                            "Invalid --allowed-sources '" + allowedSources + "': give CIDR blocks, or none");
                }
                return list.blocks();
            } catch (IllegalArgumentException e) {
                throw new CommandFailedException("Invalid --allowed-sources: " + e.getMessage());
            }
        }

        void check() {
            if (timezone != null && !AdminSupport.isNone(timezone)) {
                AdminSupport.checkZone(timezone);
            }
            AdminSupport.checkFinite("--coord-x", coordX);
            AdminSupport.checkFinite("--coord-y", coordY);
            AdminSupport.checkFinite("--utm-x", utmX);
            AdminSupport.checkFinite("--utm-y", utmY);
            sources();
            expectSeconds();
        }

        /** The changes these options ask for, names resolved to ids; a name that does not exist fails the command. */
        CameraChanges changes(DataSource ds, Change<UUID> municipality) throws SQLException {
            List<String> sources = sources();
            return new CameraChanges(
                    change(codigoLector),
                    change(description),
                    municipality,
                    reference(endpoint, "Endpoint", new EndpointRepository(ds)::endpointId),
                    reference(certificate, "Certificate", new CertificateRepository(ds)::certificateId),
                    change(coordX),
                    change(coordY),
                    change(utmX),
                    change(utmY),
                    timezone == null ? null : Change.to(AdminSupport.isNone(timezone) ? null : timezone),
                    change(active),
                    sources == null ? null : Change.to(sources.isEmpty() ? null : sources),
                    expectReadingsWithin == null ? null : Change.to(expectSeconds()));
        }

        /** What changed, for the confirmation line. */
        List<String> described() {
            List<String> what = new ArrayList<>();
            add(what, "codigo_lector", codigoLector);
            add(what, "description", description);
            add(what, "endpoint", endpoint);
            add(what, "certificate", certificate);
            add(what, "coord_x", coordX);
            add(what, "coord_y", coordY);
            add(what, "utm_x", utmX);
            add(what, "utm_y", utmY);
            add(what, "timezone", timezone);
            if (active != null) {
                what.add(active ? "active" : "inactive");
            }
            if (expectReadingsWithin != null) {
                Integer seconds = expectSeconds();
                what.add(
                        seconds == null
                                ? "expected activity: CAMERA_SILENCE_DEFAULT"
                                : seconds == 0
                                        ? "expected activity: not watched"
                                        : "expects readings within " + CameraSilence.format(seconds));
            }
            List<String> sources = sources();
            if (sources != null) {
                what.add(
                        sources.isEmpty()
                                ? "allowed sources cleared (any address)"
                                : "allowed sources " + String.join(",", sources));
            }
            return what;
        }

        private static void add(List<String> what, String label, Object value) {
            if (value != null) {
                what.add(
                        value instanceof String s && (s.isEmpty() || AdminSupport.isNone(s))
                                ? label + " cleared"
                                : label + " " + value);
            }
        }
    }

    @FunctionalInterface
    interface Lookup {
        Optional<UUID> find(String name) throws SQLException;
    }

    /** A certificate or endpoint given by name: absent, "none" (clear) or an existing one. */
    static Change<UUID> reference(String name, String what, Lookup lookup) throws SQLException {
        if (name == null) {
            return null;
        }
        if (AdminSupport.isNone(name)) {
            return Change.to(null);
        }
        return Change.to(lookup.find(name)
                .orElseThrow(() -> new CommandFailedException(what + " '" + name + "' does not exist")));
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Register a camera under a municipality.")
    static class Add implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Mixin
        Fields fields;

        @Option(names = "--serial", required = true, description = "The camera's DEVICE_SN (letters, digits, '-', '_')")
        String serial;

        @Option(names = "--municipality", required = true, description = "Name of a registered municipality")
        String municipality;

        @Override
        public Integer call() throws SQLException {
            AdminSupport.checkSerial(serial);
            fields.check();
            try (var ds = AdminDatabase.open(config.settings())) {
                CameraRegistry repo = new CameraRegistry(ds);
                var municipalityId = new MunicipalityRepository(ds)
                        .municipalityId(municipality)
                        .orElseThrow(
                                () -> new CommandFailedException("Municipality '" + municipality + "' does not exist"));
                if (repo.cameraId(serial).isPresent()) {
                    throw new CommandFailedException("Camera '" + serial + "' already exists");
                }
                var id = repo.addCamera(serial, municipalityId, fields.changes(ds, null));
                spec.commandLine()
                        .getOut()
                        .println(
                                "Camera '" + serial + "' added to municipality '" + municipality + "' (id " + id + ")");
                return 0;
            }
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List cameras, all or one municipality's, with their last reading and how long they have been"
                    + " silent.")
    static class ListCameras implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--municipality", description = "Only this municipality's cameras")
        String municipality;

        @Option(
                names = "--silent",
                paramLabel = "PERIOD",
                description = "Only active cameras silent for longer than this (e.g. 1h, 30m, 2d): no reading for that"
                        + " long, or none since they were registered that long ago")
        String silent;

        @Option(names = "--json", description = "JSON output for scripts")
        boolean json;

        @Override
        public Integer call() throws SQLException {
            Long silentSeconds = silent == null ? null : CameraSilence.seconds(silent);
            if (silent != null && (silentSeconds == null || silentSeconds == 0)) {
                throw new CommandFailedException(
                        "Invalid --silent '" + silent + "': must be a period such as 90s, 30m, 1h or 2d");
            }
            var settings = config.settings();
            long silenceDefault = CameraSilence.seconds(settings.text(Setting.CAMERA_SILENCE_DEFAULT));
            try (var ds = AdminDatabase.open(settings)) {
                UUID municipalityId = municipality == null
                        ? null
                        : new MunicipalityRepository(ds)
                                .municipalityId(municipality)
                                .orElseThrow(() -> new CommandFailedException(
                                        "Municipality '" + municipality + "' does not exist"));
                Instant now = Instant.now();
                var rows = new CameraRegistry(ds)
                        .cameras(municipalityId).stream()
                                .filter(k -> silentSeconds == null
                                        || k.active()
                                                && CameraSilence.silentFor(k.lastReadingAt(), k.createdAt(), now)
                                                        > silentSeconds)
                                .toList();
                if (json) {
                    List<Object> list = new ArrayList<>();
                    for (var k : rows) {
                        long allowed = CameraSilence.allowed(k.expectSeconds(), silenceDefault);
                        long quiet = CameraSilence.silentFor(k.lastReadingAt(), k.createdAt(), now);
                        list.add(object(
                                "id",
                                k.id().toString(),
                                "serial",
                                k.serial(),
                                "codigo_lector",
                                k.codigoLector(),
                                "description",
                                k.description(),
                                "municipality",
                                k.municipality(),
                                "endpoint",
                                k.endpoint(),
                                "certificate",
                                k.certificate(),
                                "coord_x",
                                k.coordX(),
                                "coord_y",
                                k.coordY(),
                                "utm_x",
                                k.utmX(),
                                "utm_y",
                                k.utmY(),
                                "timezone",
                                k.timezone(),
                                "active",
                                k.active(),
                                "last_sent_at",
                                iso(k.lastSentAt()),
                                "allowed_sources",
                                k.allowedSources(),
                                "last_reading_at",
                                iso(k.lastReadingAt()),
                                "last_source_address",
                                k.lastSourceAddress(),
                                "silent_for_seconds",
                                quiet,
                                "expect_readings_within",
                                allowed == 0 ? null : CameraSilence.format(allowed),
                                "expect_readings_within_seconds",
                                allowed == 0 ? null : allowed,
                                "silent",
                                allowed > 0 && k.active() && quiet > allowed));
                    }
                    AdminSupport.printJson(spec, list);
                    return 0;
                }
                var out = spec.commandLine().getOut();
                String format = "%-16s %-20s %-12s %-6s %-20s %-12s %-8s %-16s %-16s %-16s %-20s %s%n";
                out.printf(
                        format,
                        "SERIAL",
                        "MUNICIPALITY",
                        "CODIGO",
                        "ACTIVE",
                        "LAST READING",
                        "SILENT FOR",
                        "EXPECT",
                        "ENDPOINT",
                        "CERTIFICATE",
                        "TIMEZONE",
                        "SOURCES",
                        "DESCRIPTION");
                for (var k : rows) {
                    long allowed = CameraSilence.allowed(k.expectSeconds(), silenceDefault);
                    long quiet = CameraSilence.silentFor(k.lastReadingAt(), k.createdAt(), now);
                    out.printf(
                            format,
                            k.serial(),
                            k.municipality(),
                            orDash(k.codigoLector()),
                            k.active() ? "yes" : "no",
                            k.lastReadingAt() == null
                                    ? "never"
                                    : k.lastReadingAt()
                                            .truncatedTo(ChronoUnit.SECONDS)
                                            .toString(),
                            AdminSupport.duration(quiet) + (allowed > 0 && k.active() && quiet > allowed ? " !" : ""),
                            allowed == 0 ? "-" : CameraSilence.format(allowed),
                            orDash(k.endpoint()),
                            orDash(k.certificate()),
                            orDash(k.timezone()),
                            k.allowedSources().isEmpty() ? "any" : String.join(",", k.allowedSources()),
                            k.description() == null ? "" : k.description());
                }
                return 0;
            }
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Change a camera.")
    static class Update implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Mixin
        Fields fields;

        @Option(names = "--serial", required = true, description = "The camera to change")
        String serial;

        @Option(names = "--municipality", description = "Move it to this municipality")
        String municipality;

        @Override
        public Integer call() throws SQLException {
            if (municipality == null && !fields.any()) {
                throw new CommandFailedException("Nothing to update: give at least one option (see --help)");
            }
            fields.check();
            try (var ds = AdminDatabase.open(config.settings())) {
                Change<UUID> moved = municipality == null
                        ? null
                        : Change.to(new MunicipalityRepository(ds)
                                .municipalityId(municipality)
                                .orElseThrow(() -> new CommandFailedException(
                                        "Municipality '" + municipality + "' does not exist")));
                if (!new CameraRegistry(ds).updateCamera(serial, fields.changes(ds, moved))) {
                    throw new CommandFailedException("Camera '" + serial + "' does not exist");
                }
                List<String> what = fields.described();
                if (municipality != null) {
                    what.add(0, "municipality " + municipality);
                }
                spec.commandLine().getOut().println("Camera '" + serial + "' updated: " + String.join(", ", what));
                return 0;
            }
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description =
                    "Delete a camera. With readings it is refused unless --force, which deletes them (and their images) first.")
    static class Delete implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--serial", required = true, description = "The camera to delete")
        String serial;

        @Option(names = "--force", description = "Also delete its readings (with their images), in one transaction")
        boolean force;

        @Override
        public Integer call() throws SQLException {
            var settings = config.settings();
            try (var ds = AdminDatabase.open(settings)) {
                var result = new CameraRegistry(ds).deleteCamera(serial, force);
                if (!result.found()) {
                    throw new CommandFailedException("Camera '" + serial + "' does not exist");
                }
                if (!result.deleted()) {
                    throw new CommandFailedException("Camera '" + serial + "' has "
                            + plural(result.readings(), "queued reading", "queued readings")
                            + "; use --force to delete them too");
                }
                QueueAdminRepository.deleteImages(AdminSupport.images(settings), result.removed());
                spec.commandLine()
                        .getOut()
                        .println("Camera '" + serial + "' deleted"
                                + (result.readings() == 0
                                        ? ""
                                        : " with its " + plural(result.readings(), "reading", "readings")
                                                + " (and their images)"));
                return 0;
            }
        }
    }
}
