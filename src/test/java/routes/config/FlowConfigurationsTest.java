package routes.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.cxf.jaxws.CxfEndpoint;
import org.junit.jupiter.api.Test;
import routes.support.InProcessService;
import routes.support.TestDb;

/**
 * {@code TATTILE_FLOWS} selects beans as it selects route files: each flow has its configuration class, and a process
 * builds only those of its flows. Every bean the routes name ({@code ref: x}, {@code #x}, {@code bean:x}) is a
 * {@code @BindToRegistry} method of that name, so a grep for the name finds where it is made.
 */
class FlowConfigurationsTest {

    static final int TRANSIT_PORT = 24821;
    static final int API_PORT = 24822;

    private static final List<Class<?>> CONFIGURATIONS = List.of(
            CoreConfiguration.class,
            ReadingIntakeConfiguration.class,
            IngestConfiguration.class,
            SenderConfiguration.class,
            MaintenanceConfiguration.class,
            ApiConfiguration.class);
    private static final Pattern BEAN_NAMES =
            Pattern.compile("ref: *\"?([A-Za-z]\\w*)|(?<![:\\w])#([A-Za-z]\\w*)|bean:([A-Za-z]\\w*)");

    @Test
    void everyBeanTheRoutesNameIsABindToRegistryMethodOfThatName() throws IOException {
        Map<String, Class<?>> methods = new HashMap<>();
        for (Class<?> configuration : CONFIGURATIONS) {
            for (Method m : configuration.getMethods()) {
                BindToRegistry bind = m.getAnnotation(BindToRegistry.class);
                if (bind != null) {
                    assertThat(bind.value())
                            .as("%s.%s is bound under its own name", configuration.getSimpleName(), m.getName())
                            .isEmpty();
                    assertThat(methods.put(m.getName(), configuration))
                            .as("%s is made in one place", m.getName())
                            .isNull();
                }
            }
        }
        Set<String> named = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/camel"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Matcher m = BEAN_NAMES.matcher(Files.readString(file));
                while (m.find()) {
                    for (int g = 1; g <= m.groupCount(); g++) {
                        if (m.group(g) != null) {
                            named.add(m.group(g));
                        }
                    }
                }
            }
        }
        assertThat(named)
                .as("beans the routes name")
                .contains("readingRecorder", "tattileFrameDecoders", "mossosEndpoint", "apiGuard");
        assertThat(named.stream().filter(name -> !methods.containsKey(name)).toList())
                .as("named in a route but made by no bean method")
                .isEmpty();
    }

    @Test
    void anIngestOnlyProcessBuildsNoCxfEndpointNoSenderTimerAndNoApi() throws Exception {
        try (InProcessService service = InProcessService.start(settings(), "ingest")) {
            CamelContext context = service.context();
            assertThat(context.getRegistry().lookupByName("readingRecorder")).isNotNull();
            assertThat(context.getRegistry().lookupByName("tattileFrameDecoders"))
                    .isNotNull();
            for (String absent : List.of(
                    "mossosEndpoint",
                    "deliveries",
                    "sendOutcomes",
                    "matriculaRequest",
                    "apiGate",
                    "apiGuard",
                    "orphanImageSweeper")) {
                assertThat(context.getRegistry().lookupByName(absent))
                        .as(absent)
                        .isNull();
            }
            assertThat(context.getEndpoints()).noneMatch(e -> e instanceof CxfEndpoint);
            assertThat(context.getEndpoints()).noneMatch(e -> e.getEndpointUri().startsWith("timer:"));
            assertThat(routeIds(context)).allMatch(id -> id.startsWith("ingest-") || id.startsWith("lectorvision-"));
        }
    }

    @Test
    void aSenderOnlyProcessBuildsTheSenderAndNeitherTheCameraPortNorTheApi() throws Exception {
        try (InProcessService service = InProcessService.start(settings(), "sender")) {
            CamelContext context = service.context();
            assertThat(context.getRegistry().lookupByName("mossosEndpoint")).isInstanceOf(CxfEndpoint.class);
            assertThat(context.getRegistry().lookupByName("sendOutcomes")).isNotNull();
            for (String absent : List.of(
                    "tattileFrameDecoders",
                    "readingRecorder",
                    "cameraGate",
                    "apiGate",
                    "healthReport",
                    "deadRetention")) {
                assertThat(context.getRegistry().lookupByName(absent))
                        .as(absent)
                        .isNull();
            }
            assertThat(routeIds(context)).isNotEmpty().allMatch(id -> id.startsWith("sender-"));
        }
    }

    private static Set<String> routeIds(CamelContext context) {
        return context.getRoutes().stream().map(Route::getRouteId).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Map<String, String> settings() {
        return TestDb.serviceSettings(
                "TRANSIT_PORT",
                String.valueOf(TRANSIT_PORT),
                "API_PORT",
                String.valueOf(API_PORT),
                "IMAGES_BASE_DIR",
                Path.of("target/it-images/flow-configurations").toAbsolutePath().toString(),
                // The sender's routes and beans are built; it does not poll the shared test database.
                "SENDER_ENABLED",
                "false");
    }
}
