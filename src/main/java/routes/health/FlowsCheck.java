package routes.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * Readiness: each flow this process runs has its entry route started (the sender reports DISABLED when
 * {@code SENDER_ENABLED=false}). Its {@code flows} detail maps each flow to UP, DOWN or DISABLED.
 */
public final class FlowsCheck extends TattileCheck {

    public static final String ID = "tattile-flows";
    public static final String FLOWS = "flows";

    private static final Map<String, String> FLOW_ROUTES = Map.of(
            "ingest",
            "ingest-tattile-tcp",
            "sender",
            "sender-poll",
            "maintenance",
            "maintenance-schedule",
            "api",
            "api-health");

    private final Set<String> flows;
    private final boolean senderEnabled;

    public FlowsCheck(Set<String> flows, boolean senderEnabled) {
        super(ID, true);
        this.flows = flows;
        this.senderEnabled = senderEnabled;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, String> states = new LinkedHashMap<>();
        builder.up().detail(FLOWS, states);
        for (String flow : flows) {
            String routeId = FLOW_ROUTES.get(flow);
            if (routeId == null) {
                continue;
            }
            if ("sender".equals(flow) && !senderEnabled) {
                states.put(flow, "DISABLED");
            } else if (getCamelContext().getRouteController().getRouteStatus(routeId) == ServiceStatus.Started) {
                states.put(flow, "UP");
            } else {
                builder.down();
                states.put(flow, "DOWN");
            }
        }
    }
}
