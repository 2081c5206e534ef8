package routes.ingest;

import java.net.InetAddress;
import java.sql.SQLException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import routes.store.CameraRepository;
import routes.store.CameraRepository.CameraInfo;
import routes.store.NewReading;
import routes.store.SqlErrors;

/**
 * Lets in only readings of registered, active cameras sent from an address the camera allows
 * ({@code admin camera update --allowed-sources}), and puts their time in UTC with the camera's time zone
 * (camera row, else {@code CAMERA_TIMEZONE}), daylight saving included: a time in the spring gap is moved
 * forward by the gap, a time in the autumn overlap takes the earlier (summer) offset. Lookups are cached for
 * a few seconds so a busy camera costs no query per reading.
 */
public final class CameraGate {

    private record Cached(Optional<CameraInfo> camera, SourceAllowList sources, long expiresAtMillis) {}

    private static final int MAX_CACHED = 100_000;

    private final CameraRepository cameras;
    private final ZoneId defaultZone;
    private final long cacheMillis;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public CameraGate(CameraRepository cameras, ZoneId defaultZone, int cacheSeconds, Clock clock) {
        this.cameras = cameras;
        this.defaultZone = defaultZone;
        this.cacheMillis = cacheSeconds * 1000L;
        this.clock = clock;
    }

    /**
     * @param source the address the reading came from: the camera's TCP peer, or the HTTP client of a Lector
     *               Vision reading (a SocketAddress, an InetAddress or text)
     */
    public NewReading admit(ParsedReading r, Object source) throws SQLException {
        Cached found;
        try {
            found = lookup(r.deviceSn());
        } catch (SQLException e) {
            if (SqlErrors.isTransient(e)) {
                throw new DatabaseUnavailableException(
                        r.plate(), r.deviceSn(), e); // retried like the store (ingest-errors)
            }
            throw e;
        }
        CameraInfo camera = found.camera()
                .orElseThrow(() -> new RejectedReadingException(
                        Rejection.UNKNOWN_CAMERA, "cámara no registrada (" + r.deviceSn() + ")", r.deviceSn()));
        if (!camera.active()) {
            throw RejectedReadingException.ofCamera(
                    Rejection.INACTIVE_CAMERA, "cámara inactiva (" + r.deviceSn() + ")", r.deviceSn());
        }
        InetAddress address = SourceAllowList.address(source);
        String from = address == null ? null : address.getHostAddress();
        if (!found.sources().allows(address)) {
            throw new RejectedReadingException(
                    Rejection.SOURCE_NOT_ALLOWED,
                    "la cámara (" + r.deviceSn() + ") no envía desde " + from + " (orígenes permitidos: "
                            + found.sources() + ")",
                    r.deviceSn() + "@" + from,
                    r.deviceSn());
        }
        return new NewReading(
                UUID.randomUUID(),
                camera.id(),
                r.plate(),
                toUtc(r, camera),
                r.deviceSn(),
                r.deviceName(),
                r.direction(),
                r.laneId(),
                r.laneDescr(),
                r.ocrScore(),
                r.countryCode(),
                r.country(),
                r.bboxMinX(),
                r.bboxMinY(),
                r.bboxMaxX(),
                r.bboxMaxY(),
                r.charHeight(),
                r.imageOcr(),
                r.imageCtx(),
                r.rawXml(),
                from);
    }

    private Instant toUtc(ParsedReading r, CameraInfo camera) {
        ZoneId zone = defaultZone;
        if (camera.timezone() != null && !camera.timezone().isBlank()) {
            try {
                zone = ZoneId.of(camera.timezone());
            } catch (DateTimeException e) {
                zone = defaultZone; // the admin command validates zones; an old bad row falls back
            }
        }
        return r.localTime().atZone(zone).toInstant();
    }

    private Cached lookup(String serial) throws SQLException {
        long now = clock.millis();
        Cached hit = cacheMillis <= 0 ? null : cache.get(serial);
        if (hit != null && hit.expiresAtMillis() > now) {
            return hit;
        }
        Optional<CameraInfo> found = cameras.findBySerial(serial);
        SourceAllowList sources;
        try {
            sources = found.map(c -> SourceAllowList.of(c.allowedSources())).orElse(SourceAllowList.ANY);
        } catch (IllegalArgumentException e) {
            sources =
                    SourceAllowList.of(List.of("0.0.0.0/32")); // PostgreSQL's cidr always parses; never allow on doubt
        }
        Cached fresh = new Cached(found, sources, now + cacheMillis);
        if (cacheMillis > 0) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear(); // hostile serials cannot grow the cache without bound
            }
            cache.put(serial, fresh);
        }
        return fresh;
    }
}
