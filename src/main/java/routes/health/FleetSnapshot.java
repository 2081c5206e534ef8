package routes.health;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import routes.store.CameraActivityRepository;
import routes.store.CameraActivityRepository.CameraStatus;
import routes.store.CertificateRepository;
import routes.store.EndpointRepository;
import routes.store.QueueAdminRepository;

/**
 * What the fleet metrics show, read from the shared database (so every instance reports the same, cluster-wide):
 * each camera's last reading and expectation, DEAD rows by reason, each active certificate's expiry and the endpoints'
 * names. Read at most once per {@code API_HEALTH_CACHE_SECONDS} whatever the number of scrapes; when the database does
 * not answer, the last one read is kept (a camera's silence still grows with the clock).
 */
public final class FleetSnapshot {

    /** The municipality label of a serial that is not a registered camera's (or before the fleet was first read). */
    public static final String NO_MUNICIPALITY = "none";

    /** One reading of the fleet; {@code endpointNames} maps an endpoint id (as the breakers key it) to its name. */
    public record Fleet(
            List<CameraStatus> cameras,
            Map<String, Long> deadByReason,
            Map<String, Instant> certificateExpiry,
            Map<String, String> endpointNames) {

        static final Fleet EMPTY = new Fleet(List.of(), Map.of(), Map.of(), Map.of());

        /** The municipality of a registered camera, "none" when it is not one. */
        public String municipalityOf(String serial) {
            for (CameraStatus c : cameras) {
                if (c.serial().equals(serial)) {
                    return c.municipality();
                }
            }
            return NO_MUNICIPALITY;
        }
    }

    private final CameraActivityRepository cameras;
    private final QueueAdminRepository queue;
    private final CertificateRepository certificates;
    private final EndpointRepository endpoints;
    private final long maxAgeMillis;
    private final Clock clock;
    private Fleet last = Fleet.EMPTY;
    private long lastAt = Long.MIN_VALUE;

    public FleetSnapshot(
            CameraActivityRepository cameras,
            QueueAdminRepository queue,
            CertificateRepository certificates,
            EndpointRepository endpoints,
            long maxAgeMillis,
            Clock clock) {
        this.cameras = cameras;
        this.queue = queue;
        this.certificates = certificates;
        this.endpoints = endpoints;
        this.maxAgeMillis = maxAgeMillis;
        this.clock = clock;
    }

    /** The latest reading of the fleet, read again when older than the cache time. */
    public synchronized Fleet get() {
        long now = clock.millis();
        if (lastAt != Long.MIN_VALUE && now - lastAt < maxAgeMillis) {
            return last;
        }
        lastAt = now; // also after a failure: a database outage is not asked again at every scrape
        try {
            last = read();
        } catch (SQLException e) {
            // keep the last one read
        }
        return last;
    }

    private Fleet read() throws SQLException {
        Map<String, Instant> expiry = new LinkedHashMap<>();
        for (var c : certificates.list()) {
            if (c.active() && c.validTo() != null) {
                expiry.put(c.name(), c.validTo());
            }
        }
        Map<String, String> names = new LinkedHashMap<>();
        for (var e : endpoints.endpoints()) {
            names.put(e.id().toString(), e.name());
        }
        return new Fleet(cameras.fleet(), queue.deadByReason(), expiry, names);
    }
}
