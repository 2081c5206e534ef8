package routes.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The import graph of src/main/java: no cycle, and every dependency points down the layers (the store and security at
 * the bottom import nothing of the flows; the flows meet only in the store).
 */
class PackageDependenciesTest {

    /** A reference to a class of another package: {@code routes.x.y.Name}, in an import or in code. */
    private static final Pattern REFERENCE = Pattern.compile("\\b(routes(?:\\.[a-z]+)*)\\.[A-Z]\\w*");

    private static Map<String, Set<String>> graph;

    @BeforeAll
    static void readSources() throws IOException {
        graph = dependencies(Path.of("src/main/java"));
    }

    @Test
    void theImportGraphHasNoCycle() {
        List<String> cycles = new ArrayList<>();
        for (var e : graph.entrySet()) {
            for (String to : e.getValue()) {
                if (reaches(to, e.getKey(), new TreeSet<>())) {
                    cycles.add(e.getKey() + " -> " + to);
                }
            }
        }
        assertThat(cycles).as("edges on a cycle").isEmpty();
    }

    /** The layers, top down, as the README's architecture section draws them; a package imports only layers below its own. */
    private static final List<Set<String>> LAYERS = List.of(
            Set.of("routes"),
            Set.of("routes.admin", "routes.tools.bench"),
            Set.of("routes.tools"),
            Set.of("routes.legacy"),
            Set.of("routes.config"),
            Set.of("routes.api", "routes.monitoring"),
            Set.of("routes.health"),
            Set.of("routes.ingest", "routes.sender"),
            Set.of("routes.store", "routes.security"),
            Set.of("routes.cli", "routes.http"));

    @Test
    void everyImportPointsDownTheLayers() {
        List<String> upOrSideways = new ArrayList<>();
        for (var e : graph.entrySet()) {
            int from = layer(e.getKey());
            for (String to : e.getValue()) {
                if (layer(to) <= from) {
                    upOrSideways.add(e.getKey() + " -> " + to);
                }
            }
        }
        assertThat(upOrSideways)
                .as("imports of a package in the same or a higher layer")
                .isEmpty();
    }

    private static int layer(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(pkg)) {
                return i;
            }
        }
        throw new AssertionError(pkg + " is in no layer: add it to LAYERS and to the README's architecture section");
    }

    @Test
    void theStoreAndSecurityImportNothingOfTheFlowsOrTheWiring() {
        for (String bottom : List.of("routes.store", "routes.security", "routes.http", "routes.cli")) {
            assertThat(graph.getOrDefault(bottom, Set.of()))
                    .as(bottom + " imports")
                    .allSatisfy(
                            to -> assertThat(to).isIn("routes.store", "routes.security", "routes.http", "routes.cli"));
        }
    }

    @Test
    void ingestAndSenderNeverImportEachOther() {
        assertThat(graph.getOrDefault("routes.ingest", Set.of())).doesNotContain("routes.sender");
        assertThat(graph.getOrDefault("routes.sender", Set.of())).doesNotContain("routes.ingest");
    }

    @Test
    void theFlowsImportNeitherTheWiringNorTheCommands() {
        for (String flow :
                List.of("routes.ingest", "routes.sender", "routes.api", "routes.health", "routes.monitoring")) {
            assertThat(graph.getOrDefault(flow, Set.of()))
                    .as(flow + " imports")
                    .doesNotContain("routes", "routes.config", "routes.admin", "routes.tools", "routes.legacy");
        }
    }

    @Test
    void theReaderSeesAnEdgeInCodeButNotInACommentOrAString() {
        Set<String> seen = references("""
                package routes.store;
                import routes.cli.CommandFailedException; // routes.admin.AdminCommand
                /** {@link routes.config.Settings} */
                class X { String s = "routes.tools.Thing"; Object o = routes.http.HttpServers.class; }
                """, "routes.store");
        assertThat(seen).containsExactlyInAnyOrder("routes.cli", "routes.http");
    }

    private static boolean reaches(String from, String target, Set<String> seen) {
        for (String next : graph.getOrDefault(from, Set.of())) {
            if (next.equals(target) || seen.add(next) && reaches(next, target, seen)) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Set<String>> dependencies(Path root) throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(file.getParent()).toString().replace('/', '.');
                out.computeIfAbsent(pkg, p -> new TreeSet<>()).addAll(references(Files.readString(file), pkg));
            }
        }
        return out;
    }

    /** The other packages a source refers to, comments and string literals left out. */
    static Set<String> references(String source, String pkg) {
        String code = source.replaceAll("(?s)/\\*.*?\\*/", "")
                .replaceAll("//[^\\n]*", "")
                .replaceAll("(?s)\"\"\".*?\"\"\"", "\"\"")
                .replaceAll("\"(?:\\\\.|[^\"\\\\\\n])*+\"", "\"\"");
        Set<String> out = new TreeSet<>();
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
            if (!m.group(1).equals(pkg)) {
                out.add(m.group(1));
            }
        }
        return out;
    }
}
