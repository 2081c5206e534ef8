package routes.api;

import java.sql.SQLException;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import routes.ingest.ParsedReading;
import routes.store.ApiKeyRepository;
import routes.store.AuditRepository;
import routes.store.CameraRepository;

/**
 * The Camel side of the API's access control. {@link ApiGate} has already checked the key, its role and
 * the limits before the body was read; {@link #caller} attaches who is calling (from the gate, never from
 * request data) to the exchange, and {@link #audit} records what a caller changed.
 */
public final class ApiGuard {

    public static final String CALLER_PROPERTY = "apiCaller";
    public static final String CLIENT_PROPERTY = "apiClient";
    public static final String ROLE_PROPERTY = "apiRole";
    public static final String KEY_ID_PROPERTY = "apiKeyId";
    public static final String SCOPE_PROPERTY = "apiScope";
    /** The one answer for a camera outside a key's scope and for an unknown camera: it does not tell which. */
    static final String OUT_OF_SCOPE = "this API key may not send readings for this camera";

    private final ApiGate gate;
    private final AuditRepository audit;
    private final CameraRepository cameras;

    public ApiGuard(ApiGate gate, AuditRepository audit, CameraRepository cameras) {
        this.gate = gate;
        this.audit = audit;
        this.cameras = cameras;
    }

    /** Puts the caller the gate let in on the exchange; a request that did not pass the gate is refused (401). */
    public void caller(Exchange exchange) {
        HttpMessage message = exchange.getIn(HttpMessage.class);
        ApiGate.Caller caller = gate.callerOf(message == null ? null : message.getRequest())
                .orElseThrow(() -> new ApiException(401, "missing " + ApiGate.KEY_HEADER + " header"));
        exchange.setProperty(CALLER_PROPERTY, caller.actor());
        exchange.setProperty(CLIENT_PROPERTY, caller.client());
        exchange.setProperty(ROLE_PROPERTY, caller.role());
        exchange.setProperty(KEY_ID_PROPERTY, caller.keyId());
        exchange.setProperty(SCOPE_PROPERTY, caller.scope());
    }

    /**
     * A scoped SOURCE_WRITER key sends readings only for the cameras of its scope (its municipalities' cameras and
     * its serials); any other camera, registered or not, gets the same 403, so the answer does not tell which
     * serials exist. Unscoped keys are not limited here.
     */
    public ParsedReading requireScope(Exchange exchange, ParsedReading reading) throws SQLException {
        ApiKeyRepository.Scope scope = exchange.getProperty(SCOPE_PROPERTY, ApiKeyRepository.Scope.class);
        if (scope == null) {
            return reading;
        }
        var camera = cameras.findBySerial(reading.deviceSn());
        if (camera.isEmpty() || !scope.covers(reading.deviceSn(), camera.get().municipalityId())) {
            audit.record(
                    exchange.getProperty(CALLER_PROPERTY, "anonymous", String.class),
                    action(exchange),
                    null,
                    "FORBIDDEN",
                    client(exchange),
                    "camera outside the key's scope");
            throw new ApiException(403, OUT_OF_SCOPE);
        }
        return reading;
    }

    /** Records a change made through the API: who, what, on what, with which outcome. */
    public void audit(Exchange exchange, String target, String outcome) throws SQLException {
        audit.record(
                exchange.getProperty(CALLER_PROPERTY, "anonymous", String.class),
                action(exchange),
                target,
                outcome,
                client(exchange),
                null);
    }

    /** The client's address as the gate saw it (the connection's, or the PROXY protocol header's). */
    public String client(Exchange exchange) {
        return exchange.getProperty(CLIENT_PROPERTY, "unknown", String.class);
    }

    private static String action(Exchange exchange) {
        return exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class) + " "
                + exchange.getMessage()
                        .getHeader(
                                Exchange.HTTP_PATH,
                                exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class),
                                String.class);
    }
}
