package routes.health;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.health.HealthCheckResultBuilder;
import routes.sender.EndpointGuard;
import routes.store.EndpointRepository;

/**
 * The breaker state per endpoint name ("global" for {@code MOSSOS_ENDPOINT_URL}; endpoints never used yet are not
 * listed). Always UP: an open breaker is Mossos being down, which the sender waits out, not this process failing.
 */
public final class BreakersCheck extends TattileCheck {

    public static final String ID = "tattile-breakers";
    public static final String BREAKERS = "breakers";

    private final EndpointGuard guard;
    private final EndpointRepository endpoints;

    public BreakersCheck(EndpointGuard guard, EndpointRepository endpoints) {
        super(ID, false);
        this.guard = guard;
        this.endpoints = endpoints;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.up().detail(BREAKERS, byName());
    }

    private Map<String, String> byName() {
        Map<String, String> names = new HashMap<>();
        try {
            for (var e : endpoints.endpoints()) {
                names.put(e.id().toString(), e.name());
            }
        } catch (SQLException e) {
            // names unknown: the ids are shown
        }
        Map<String, String> out = new TreeMap<>();
        guard.states().forEach((key, state) -> out.put(names.getOrDefault(key, key), state));
        return out;
    }
}
