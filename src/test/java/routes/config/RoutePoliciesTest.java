package routes.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.OnExceptionDefinition;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import routes.api.Metrics;
import routes.ingest.IngestStats;
import routes.ingest.Rejection;
import routes.support.InProcessService;
import routes.support.LogCapture;
import routes.support.TestDb;

/**
 * Every route of every flow runs under an error policy ({@code routeConfigurationId}) that exists and ends with a
 * catch-all: no exception of any route reaches Camel's default handler, which logs a stack trace per failure. (The
 * model test runs first: the second adds probe routes of its own.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoutePoliciesTest {

    static final int TRANSIT_PORT = 24811;
    static final int API_PORT = 24812;

    private InProcessService service;

    @BeforeAll
    void start() {
        String flows = String.join(",", new TreeSet<>(Kind.FLOWS_KNOWN));
        Map<String, String> settings = new HashMap<>(TestDb.serviceSettings(
                "TRANSIT_PORT",
                String.valueOf(TRANSIT_PORT),
                "API_PORT",
                String.valueOf(API_PORT),
                "IMAGES_BASE_DIR",
                Path.of("target/it-images/route-policies").toAbsolutePath().toString(),
                // The routes are loaded all the same; the sender does not poll the shared test database.
                "SENDER_ENABLED",
                "false",
                "JOLOKIA_PORT",
                "0"));
        service = InProcessService.start(settings, flows);
    }

    @AfterAll
    void stop() throws Exception {
        service.close();
    }

    @Test
    @Order(1)
    void everyRouteOfEveryFlowNamesAnErrorPolicyThatExistsAndCatchesEverything() {
        ModelCamelContext model = (ModelCamelContext) service.context();
        List<RouteDefinition> routes = model.getRouteDefinitions();
        Map<String, RouteConfigurationDefinition> policies = model.getRouteConfigurationDefinitions().stream()
                .collect(Collectors.toMap(RouteConfigurationDefinition::getId, c -> c));

        assertThat(routes.stream().map(r -> file(r.getResource())).collect(Collectors.toSet()))
                .as("the routes of every packaged route file are loaded")
                .containsExactlyInAnyOrderElementsOf(Service.ROUTE_FILES.stream()
                        .filter(f -> !f.equals("errors.yaml"))
                        .toList());
        assertThat(service.context().getRoutes())
                .as("every running route has its definition")
                .hasSameSizeAs(routes);

        assertThat(routes.stream()
                        .filter(r -> r.getRouteConfigurationId() == null
                                || r.getRouteConfigurationId().isBlank())
                        .map(RouteDefinition::getRouteId))
                .as("routes without routeConfigurationId")
                .isEmpty();
        Set<String> used = routes.stream()
                .map(RouteDefinition::getRouteConfigurationId)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(policies.keySet())
                .as("every policy a route names is defined")
                .containsAll(used);
        assertThat(used).as("the housekeeping policy is in use").contains("housekeeping-errors");

        for (String id : used) {
            List<OnExceptionDefinition> clauses = policies.get(id).getOnExceptions();
            assertThat(clauses).as("%s has onException clauses", id).isNotEmpty();
            OnExceptionDefinition last = clauses.get(clauses.size() - 1);
            assertThat(last.getExceptions()).as("%s ends with a catch-all", id).containsExactly("java.lang.Exception");
            assertThat(last.getHandled())
                    .as("%s's catch-all handles the error", id)
                    .isNotNull();
            assertThat(last.getHandled().getExpressionType().getExpression())
                    .as("%s's catch-all handles the error", id)
                    .isEqualTo("true");
        }
    }

    /**
     * An error no other clause names, in a route under each policy: the catch-all logs one line (no stack trace, nothing of
     * Camel's default handler), counts it and answers as the flow needs (HTTP: JSON 500). The ingest's is the camera
     * lookup's non-transient SQLException; a housekeeping route that keeps failing says so once.
     */
    @Test
    @Order(2)
    void theCatchAllsLogOneLineCountAndAnswer() throws Exception {
        IngestStats stats = service.bean("ingestStats", IngestStats.class);
        Metrics metrics = service.bean("metrics", Metrics.class);
        long unexpectedBefore = stats.rejectedCount(Rejection.UNEXPECTED_ERROR);
        service.context().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:probe-ingest")
                        .routeId("probe-ingest")
                        .routeConfigurationId("ingest-errors")
                        .throwException(new SQLException("ERROR: relation \"cameras\" does not exist", "42P01"));
                from("direct:probe-lectorvision")
                        .routeId("probe-lectorvision")
                        .routeConfigurationId("lectorvision-errors")
                        .throwException(new IllegalStateException("boom in lectorvision"));
                from("direct:probe-api")
                        .routeId("probe-api")
                        .routeConfigurationId("api-errors")
                        .throwException(new IllegalStateException("boom in api"));
                from("direct:probe-housekeeping")
                        .routeId("maintenance-probe")
                        .routeConfigurationId("housekeeping-errors")
                        .filter(header("fail"))
                        .throwException(new IllegalStateException("boom in maintenance"))
                        .end()
                        .bean("outageLog", "succeeded(${routeId})");
            }
        });
        ProducerTemplate template = service.context().createProducerTemplate();
        try (LogCapture logs = new LogCapture()) {
            Exchange ingest = template.request(
                    "direct:probe-ingest", e -> e.getIn().setHeader("CamelNettyRemoteAddress", "/192.0.2.7:40000"));
            assertThat(ingest.getException()).isNull();
            assertThat(stats.rejectedCount(Rejection.UNEXPECTED_ERROR)).isEqualTo(unexpectedBefore + 1);

            Exchange lectorVision = template.request(
                    "direct:probe-lectorvision", e -> e.getIn().setHeader("LectorVisionSource", "192.0.2.8"));
            assertThat(lectorVision.getException()).isNull();
            assertThat(lectorVision.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE))
                    .as("the forwarder retries a 500")
                    .isEqualTo(500);
            assertThat(lectorVision.getMessage().getBody(String.class))
                    .isEqualTo("{\"error\":\"unexpected error, try again\"}");
            assertThat(stats.rejectedCount(Rejection.UNEXPECTED_ERROR)).isEqualTo(unexpectedBefore + 2);

            Exchange api = template.request("direct:probe-api", e -> {});
            assertThat(api.getException()).isNull();
            assertThat(api.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(500);
            assertThat(api.getMessage().getHeader("Content-Type")).isEqualTo("application/json");
            assertThat(api.getMessage().getBody(String.class)).isEqualTo("{\"error\":\"internal error\"}");
            assertThat(metrics.scrape()).contains("tattile_api_errors_total 1.0");

            for (int run = 0; run < 3; run++) {
                assertThat(template.request(
                                        "direct:probe-housekeeping",
                                        e -> e.getIn().setHeader("fail", true))
                                .getException())
                        .isNull();
            }
            template.requestBody("direct:probe-housekeeping", "works again");

            assertThat(logs.lines())
                    .containsExactly(
                            "[INGEST] Lectura rechazada (error inesperado): SQLException: ERROR: relation \"cameras\" does not exist de /192.0.2.7:40000",
                            "[INGEST] Lectura rechazada (error inesperado): IllegalStateException: boom in lectorvision de 192.0.2.8",
                            "[API] Error inesperado en probe-api (respondido 500): IllegalStateException: boom in api",
                            "[MAINTENANCE] Error en maintenance-probe: IllegalStateException: boom in maintenance; se reintenta en cada ciclo, "
                                    + "sin más avisos hasta que funcione",
                            "[MAINTENANCE] Tareas periódicas recuperadas tras 3 ciclos fallidos");
        } finally {
            template.stop();
        }
    }

    /** The file name of a route's source ({@code classpath:camel/sender.yaml} → {@code sender.yaml}). */
    private static String file(Resource resource) {
        String location = resource == null ? "?" : resource.getLocation();
        return location.substring(location.lastIndexOf('/') + 1);
    }
}
