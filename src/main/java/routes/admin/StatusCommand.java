package routes.admin;

import static routes.admin.AdminSupport.iso;
import static routes.admin.AdminSupport.object;
import static routes.admin.AdminSupport.orDash;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import routes.config.ConfigOptions;
import routes.config.Setting;
import routes.store.CameraActivityRepository;
import routes.store.CameraActivityRepository.CameraStatus;
import routes.store.CameraSilence;
import routes.store.CertificateRepository;
import routes.store.CertificateRepository.Listed;
import routes.store.ImageStorage;
import routes.store.QueueAdminRepository;
import routes.store.QueueAdminRepository.DeliveryDelay;
import routes.store.QueueAdminRepository.EndpointHealth;

/**
 * {@code admin status}: the queue, the readings, each endpoint's recent deliveries, the certificates' expiry, the
 * silent cameras, the delivery delay of the last hour and the DEAD readings by reason, at a glance (one page for
 * people without Grafana).
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description =
                "Queue counts, readings stored, the image store (and whether it answers), per-endpoint deliveries in the"
                        + " last 15 minutes, certificate expiry, silent cameras, delivery delay (p50/p95) over the last"
                        + " hour and DEAD readings by reason.")
public class StatusCommand implements Callable<Integer> {

    /** The window of the endpoint health figures. */
    static final Duration WINDOW = Duration.ofMinutes(15);
    /** Certificates expiring within this many days are flagged. */
    static final int EXPIRY_WARNING_DAYS = 30;
    /** The window of the delivery delay percentiles. */
    static final Duration DELAY_WINDOW = Duration.ofHours(1);

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "JSON output for scripts and monitoring")
    boolean json;

    /** A READ_ONLY (or ADMIN) API key that lets {@code status} read the running service's breaker states. */
    static final String API_KEY_ENV = "TATTILE_API_KEY";

    /**
     * The running service's breaker states, from its {@code /health} on this machine (which needs a READ_ONLY
     * or ADMIN key, from {@code TATTILE_API_KEY}); null without a key or when the service does not answer
     * within a second (then the table shows "?").
     */
    static Map<String, String> liveBreakers(int apiPort) {
        String key = System.getenv(API_KEY_ENV);
        if (key == null || key.isBlank()) {
            return null;
        }
        try {
            var http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(1))
                    .build();
            var response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/health"))
                            .header("X-API-Key", key.strip())
                            .timeout(Duration.ofSeconds(1))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            var node = new ObjectMapper().readTree(response.body()).path("breakers");
            Map<String, String> out = new TreeMap<>();
            node.fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().asText()));
            return node.isObject() ? out : null;
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public Integer call() throws Exception {
        var settings = config.settings();
        try (var ds = AdminDatabase.open(settings)) {
            var queue = new QueueAdminRepository(ds);
            Map<String, Long> counts = queue.countsByStatus();
            Long oldest = queue.oldestPendingAgeSeconds();
            long readings = queue.readingsTotal();
            List<EndpointHealth> endpoints = new ArrayList<>(queue.endpointHealth(WINDOW));
            boolean hasGlobal = endpoints.stream().anyMatch(e -> e.endpoint().equals("global"));
            if (!hasGlobal && !settings.text(Setting.MOSSOS_ENDPOINT_URL).isEmpty()) {
                endpoints.add(new EndpointHealth("global", 0, 0, 0, null, null));
            }
            var certificates = new CertificateRepository(ds).list();
            Map<String, Long> deadByReason = queue.deadByReason();
            DeliveryDelay delay = queue.deliveryDelay(DELAY_WINDOW);
            boolean audited = settings.flag(Setting.AUDIT_ENABLED);
            Long silenceSetting = CameraSilence.seconds(settings.text(Setting.CAMERA_SILENCE_DEFAULT));
            long silenceDefault = silenceSetting == null ? 0 : silenceSetting;
            Instant now = Instant.now();
            List<CameraStatus> fleet = new CameraActivityRepository(ds).fleet();
            long watched = fleet.stream()
                    .filter(c -> c.allowedSilenceSeconds(silenceDefault) > 0)
                    .count();
            List<CameraStatus> silent =
                    fleet.stream().filter(c -> c.silent(now, silenceDefault)).toList();
            List<Listed> expiring = certificates.stream()
                    .filter(c -> c.active()
                            && c.validTo() != null
                            && c.validTo().isBefore(now.plus(Duration.ofDays(EXPIRY_WARNING_DAYS))))
                    .sorted(Comparator.comparing(Listed::validTo))
                    .toList();
            Map<String, String> breakers = liveBreakers(settings.integer(Setting.API_PORT));
            String imagesWhere;
            String imagesProblem = null;
            try (ImageStorage images = AdminSupport.images(settings)) {
                imagesWhere = images.describe();
                try {
                    images.check();
                } catch (IOException e) {
                    imagesProblem = e.getMessage();
                }
            }

            if (json) {
                List<Object> eps = new ArrayList<>();
                for (var e : endpoints) {
                    eps.add(object(
                            "endpoint",
                            e.endpoint(),
                            "delivered",
                            e.delivered(),
                            "failed",
                            e.failed(),
                            "dead",
                            e.dead(),
                            "last_outcome",
                            e.lastOutcome(),
                            "last_outcome_at",
                            iso(e.lastOutcomeAt()),
                            "breaker",
                            breakers == null ? null : breakers.getOrDefault(e.endpoint(), "CLOSED")));
                }
                List<Object> certs = new ArrayList<>();
                for (var c : certificates) {
                    Long days = c.validTo() == null
                            ? null
                            : Duration.between(now, c.validTo()).toDays();
                    certs.add(object(
                            "name",
                            c.name(),
                            "valid_to",
                            iso(c.validTo()),
                            "days_until_expiry",
                            days,
                            "expiring_soon",
                            days != null && days < EXPIRY_WARNING_DAYS,
                            "expired",
                            expired(c, now),
                            "used_by",
                            c.usedBy()));
                }
                List<Object> expiringJson = new ArrayList<>();
                for (var c : expiring) {
                    expiringJson.add(object(
                            "name",
                            c.name(),
                            "valid_to",
                            iso(c.validTo()),
                            "days_until_expiry",
                            Duration.between(now, c.validTo()).toDays(),
                            "expired",
                            expired(c, now),
                            "used_by",
                            c.usedBy()));
                }
                List<Object> silentJson = new ArrayList<>();
                for (var c : silent) {
                    silentJson.add(object(
                            "serial",
                            c.serial(),
                            "municipality",
                            c.municipality(),
                            "last_reading_at",
                            iso(c.lastReadingAt()),
                            "silent_for_seconds",
                            c.silentForSeconds(now),
                            "expect_readings_within_seconds",
                            c.allowedSilenceSeconds(silenceDefault)));
                }
                AdminSupport.printJson(
                        spec,
                        object(
                                "generated_at",
                                iso(now),
                                "queue",
                                counts,
                                "oldest_pending_age_seconds",
                                oldest,
                                "readings_total",
                                readings,
                                "image_store",
                                object(
                                        "kind",
                                        settings.text(Setting.IMAGE_STORE),
                                        "where",
                                        imagesWhere,
                                        "reachable",
                                        imagesProblem == null,
                                        "error",
                                        imagesProblem),
                                "endpoint_window_minutes",
                                WINDOW.toMinutes(),
                                "endpoints",
                                eps,
                                "certificates",
                                certs,
                                "certificates_expiring",
                                expiringJson,
                                "certificate_warning_days",
                                EXPIRY_WARNING_DAYS,
                                "cameras_watched",
                                watched,
                                "silent_cameras",
                                silentJson,
                                "delivery_delay_last_hour",
                                object(
                                        "deliveries",
                                        delay.deliveries(),
                                        "p50_ms",
                                        delay.p50Millis(),
                                        "p95_ms",
                                        delay.p95Millis(),
                                        "audit_enabled",
                                        audited),
                                "dead_by_reason",
                                deadByReason));
                return 0;
            }

            var out = spec.commandLine().getOut();
            StringBuilder q = new StringBuilder("Queue:");
            counts.forEach(
                    (status, n) -> q.append(' ').append(status).append(' ').append(n));
            out.println(q + " (oldest PENDING: " + (oldest == null ? "-" : oldest + " s") + ")");
            out.println("Readings stored: " + readings);
            out.println("Images: " + imagesWhere
                    + (imagesProblem == null ? "" : " (NOT REACHABLE: " + imagesProblem + ")"));
            out.println("Endpoints, last " + WINDOW.toMinutes() + " minutes:");
            if (endpoints.isEmpty()) {
                out.println("  (none registered, no deliveries)");
            } else {
                out.printf(
                        "  %-20s %-9s %-9s %-6s %-5s %s%n",
                        "ENDPOINT", "BREAKER", "DELIVERED", "FAILED", "DEAD", "LAST OUTCOME");
                for (var e : endpoints) {
                    out.printf(
                            "  %-20s %-9s %-9d %-6d %-5d %s%n",
                            e.endpoint(),
                            breakers == null ? "?" : breakers.getOrDefault(e.endpoint(), "CLOSED"),
                            e.delivered(),
                            e.failed(),
                            e.dead(),
                            e.lastOutcome() == null ? "-" : e.lastOutcome() + " at " + e.lastOutcomeAt());
                }
            }
            out.println("Certificates:");
            if (certificates.isEmpty()) {
                out.println("  (none)");
            } else {
                out.printf("  %-24s %-12s %-6s %s%n", "NAME", "VALID TO", "DAYS", "USED BY");
                for (var c : certificates) {
                    Long days = c.validTo() == null
                            ? null
                            : Duration.between(now, c.validTo()).toDays();
                    out.printf(
                            "  %-24s %-12s %-6s %s%s%n",
                            c.name(),
                            c.validTo() == null ? "?" : c.validTo().toString().substring(0, 10),
                            days == null ? "?" : days,
                            orDash(c.usedBy()),
                            days == null
                                    ? ""
                                    : expired(c, now)
                                            ? "  EXPIRED"
                                            : days < EXPIRY_WARNING_DAYS ? "  EXPIRES SOON" : "");
                }
            }
            if (expiring.isEmpty()) {
                out.println("Certificates expiring within " + EXPIRY_WARNING_DAYS + " days: none");
            } else {
                out.println("Certificates expiring within " + EXPIRY_WARNING_DAYS + " days (or expired):");
                for (var c : expiring) {
                    long seconds = Duration.between(now, c.validTo()).getSeconds();
                    out.println("  " + c.name() + ": "
                            + (seconds < 0
                                    ? "EXPIRED " + AdminSupport.duration(-seconds) + " ago"
                                    : "expires in " + AdminSupport.duration(seconds))
                            + " (" + c.validTo().truncatedTo(ChronoUnit.SECONDS) + ")"
                            + (c.usedBy() == null ? "" : ", used by " + c.usedBy()));
                }
            }
            printSilentCameras(out, fleet.size(), watched, silent, silenceDefault, now);
            out.println("Delivery delay, last hour: " + delayText(delay, audited));
            StringBuilder dead = new StringBuilder("DEAD by reason:");
            deadByReason.forEach((reason, n) -> {
                if (n > 0) {
                    dead.append(' ').append(reason).append(' ').append(n);
                }
            });
            out.println(dead.length() == "DEAD by reason:".length() ? dead + " none" : dead);
            return 0;
        }
    }

    /** Expired: valid_to already passed (a certificate expired hours ago is 0 days away, not -1). */
    private static boolean expired(Listed c, Instant now) {
        return c.validTo() != null && c.validTo().isBefore(now);
    }

    private static void printSilentCameras(
            PrintWriter out,
            int registered,
            long watched,
            List<CameraStatus> silent,
            long silenceDefault,
            Instant now) {
        String expectation = "CAMERA_SILENCE_DEFAULT " + CameraSilence.format(silenceDefault);
        if (watched == 0) {
            out.println("Silent cameras: none watched (" + registered + " registered; " + expectation
                    + "; set it, or admin camera update --expect-readings-within)");
            return;
        }
        out.println("Silent cameras: " + silent.size() + " of " + watched + " watched (" + expectation + ")");
        if (silent.isEmpty()) {
            return;
        }
        String format = "  %-16s %-20s %-21s %-11s %s%n";
        out.printf(format, "SERIAL", "MUNICIPALITY", "LAST READING", "SILENT FOR", "EXPECT");
        for (var c : silent) {
            out.printf(
                    format,
                    c.serial(),
                    c.municipality(),
                    c.lastReadingAt() == null
                            ? "never"
                            : c.lastReadingAt().truncatedTo(ChronoUnit.SECONDS).toString(),
                    AdminSupport.duration(c.silentForSeconds(now)),
                    CameraSilence.format(c.allowedSilenceSeconds(silenceDefault)));
        }
    }

    /** "12 deliveries, p50 850 ms, p95 2.4 s", or why there is none. */
    static String delayText(DeliveryDelay delay, boolean audited) {
        if (delay.deliveries() == 0) {
            return audited
                    ? "no deliveries in the last hour"
                    : "no deliveries in the last hour (AUDIT_ENABLED=false: deliveries are not logged)";
        }
        return AdminSupport.plural(delay.deliveries(), "delivery", "deliveries") + ", p50 " + millis(delay.p50Millis())
                + ", p95 " + millis(delay.p95Millis());
    }

    private static String millis(Long ms) {
        if (ms == null) {
            return "?";
        }
        return ms < 1000 ? ms + " ms" : String.format("%.1f s", ms / 1000.0);
    }
}
