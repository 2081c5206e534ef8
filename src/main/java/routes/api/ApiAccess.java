package routes.api;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may call what on the HTTP API, and how large its body may be: the one table the API gate
 * ({@link ApiGate}) checks before it reads a single byte of a request's body. Every {@code platform-http}
 * route in {@code api.yaml} has its entry here (ApiAccessTest keeps the two in step).
 */
public final class ApiAccess {

    /** Bodies of the admin resources: a few fields of JSON. */
    public static final int ADMIN_JSON_MAX_BYTES = 64 * 1024;

    /** One resource: method, path, the roles that may call it (none: public) and its largest body (0: none). */
    public record Resource(String method, String path, Set<String> roles, long maxBodyBytes) {
        public boolean isPublic() {
            return roles.isEmpty();
        }

        public boolean hasBody() {
            return maxBodyBytes > 0;
        }
    }

    private static final Set<String> PUBLIC = Set.of();
    private static final Set<String> READERS = Set.of("ADMIN", "READ_ONLY");
    private static final Set<String> ADMIN = Set.of("ADMIN");
    private static final Set<String> WRITERS = Set.of("ADMIN", "SOURCE_WRITER");

    private final Map<String, Resource> byPath;

    /** @param lectorVisionMaxBytes the largest Lector Vision reading ({@code API_MAX_BODY_BYTES}) */
    public ApiAccess(long lectorVisionMaxBytes) {
        List<Resource> all = List.of(
                new Resource("GET", "/health/live", PUBLIC, 0),
                new Resource("GET", "/health/ready", PUBLIC, 0),
                new Resource("GET", "/health", READERS, 0),
                new Resource("GET", "/metrics", READERS, 0),
                new Resource("POST", "/ingest/lectorvision", WRITERS, lectorVisionMaxBytes),
                new Resource("GET", "/api/municipalities", READERS, 0),
                new Resource("POST", "/api/municipalities/add", ADMIN, ADMIN_JSON_MAX_BYTES),
                new Resource("GET", "/api/cameras", READERS, 0),
                new Resource("POST", "/api/cameras/add", ADMIN, ADMIN_JSON_MAX_BYTES),
                new Resource("GET", "/api/endpoints", READERS, 0),
                new Resource("GET", "/api/queue/stats", READERS, 0),
                new Resource("POST", "/api/queue/requeue", ADMIN, ADMIN_JSON_MAX_BYTES));
        this.byPath = all.stream().collect(Collectors.toUnmodifiableMap(Resource::path, r -> r));
    }

    /** The resource at this path (exact match, no trailing slash), whatever the method. */
    public Optional<Resource> at(String path) {
        return Optional.ofNullable(byPath.get(path));
    }

    public Collection<Resource> all() {
        return byPath.values();
    }
}
