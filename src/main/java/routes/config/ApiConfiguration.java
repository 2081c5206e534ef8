package routes.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import routes.api.AdminApi;
import routes.api.ApiAccess;
import routes.api.ApiErrors;
import routes.api.ApiGate;
import routes.api.ApiGuard;
import routes.api.ApiResponseHeaders;
import routes.api.ApiServer;
import routes.health.HealthReport;
import routes.store.ApiKeyRepository;
import routes.store.AuditRepository;
import routes.store.CameraRepository;

/**
 * The API flow (api.yaml): the HTTP server with its gate (connections, deadlines, rate limits), the API-key guard,
 * health, and the administration operations.
 */
public final class ApiConfiguration {

    private final CoreConfiguration core;
    private final Settings settings;
    private final AuditRepository audit;
    private final ApiGate gate;
    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    ApiConfiguration(CamelContext context, CoreConfiguration core) throws Exception {
        this.core = core;
        this.settings = core.settings();
        this.audit = new AuditRepository(core.dataSource());
        this.gate = new ApiGate(
                new ApiAccess(settings.integer(Setting.API_MAX_BODY_BYTES)),
                new ApiKeyRepository(core.dataSource()),
                audit,
                limits(settings),
                core.clock());
        context.getComponent("platform-http", PlatformHttpComponent.class)
                .setHeaderFilterStrategy(new ApiResponseHeaders());
        context.addService(
                new ApiServer(
                        settings.text(Setting.API_BIND_HOST),
                        settings.integer(Setting.API_PORT),
                        settings.integer(Setting.API_MAX_BODY_BYTES),
                        gate,
                        // A backstop for any silent connection; the gate's own deadlines (header, keep-alive, request)
                        // come first.
                        settings.integer(Setting.API_IDLE_TIMEOUT_SECONDS)
                                + settings.integer(Setting.API_REQUEST_TIMEOUT_SECONDS),
                        settings.flag(Setting.API_PROXY_PROTOCOL)),
                true,
                true);
    }

    private static ApiGate.Limits limits(Settings settings) {
        return new ApiGate.Limits(
                settings.integer(Setting.API_MAX_CONNECTIONS),
                settings.integer(Setting.API_MAX_CONNECTIONS_PER_CLIENT),
                settings.integer(Setting.API_MAX_REQUESTS_IN_PROGRESS),
                settings.integer(Setting.API_HEADER_TIMEOUT_SECONDS) * 1000L,
                settings.integer(Setting.API_IDLE_TIMEOUT_SECONDS) * 1000L,
                settings.integer(Setting.API_REQUEST_TIMEOUT_SECONDS) * 1000L,
                settings.integer(Setting.API_IP_RATE_LIMIT_PER_MINUTE),
                settings.integer(Setting.API_RATE_LIMIT_PER_MINUTE));
    }

    @BindToRegistry
    public ObjectMapper apiObjectMapper() {
        return json;
    }

    @BindToRegistry
    public ApiGate apiGate() {
        return gate;
    }

    @BindToRegistry
    public ApiGuard apiGuard() {
        return new ApiGuard(gate, audit, new CameraRepository(core.dataSource()));
    }

    @BindToRegistry
    public ApiErrors apiErrors() {
        return new ApiErrors();
    }

    @BindToRegistry
    public HealthReport healthReport() {
        return new HealthReport(core.healthCacheMillis());
    }

    @BindToRegistry
    public AdminApi adminApi() {
        return AdminApi.of(core.dataSource(), core.queueAdmin(), json);
    }
}
