package routes.admin;

import static routes.admin.AdminSupport.iso;
import static routes.admin.AdminSupport.object;
import static routes.admin.AdminSupport.orDash;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import routes.store.CertificateRepository;
import routes.store.ImageStorage;
import routes.store.QueueAdminRepository;
import routes.store.QueueAdminRepository.EndpointHealth;

/** {@code admin status}: the queue, the readings, each endpoint's recent deliveries and the certificates' expiry, at a glance. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description =
                "Queue counts, readings stored, the image store (and whether it answers), per-endpoint deliveries in the"
                        + " last 15 minutes, certificate expiry.")
public class StatusCommand implements Callable<Integer> {

    /** The window of the endpoint health figures. */
    static final Duration WINDOW = Duration.ofMinutes(15);
    /** Certificates expiring within this many days are flagged. */
    static final int EXPIRY_WARNING_DAYS = 30;

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
            Instant now = Instant.now();
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
                            "used_by",
                            c.usedBy()));
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
                                certs));
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
                                    : days < 0 ? "  EXPIRED" : days < EXPIRY_WARNING_DAYS ? "  EXPIRES SOON" : "");
                }
            }
            return 0;
        }
    }
}
