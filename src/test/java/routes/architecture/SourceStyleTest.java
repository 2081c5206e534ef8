package routes.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Code names a class by its simple name and imports it: an inline fully-qualified class name
 * ({@code java.util.List<String>}, {@code new routes.store.OutageLog()}) is allowed only where the simple name is
 * already taken in that file, by an import of another class, a class of the same package, a type declared in the file
 * or a class of java.lang. Comments, string and character literals (text blocks too) and the import and package lines
 * are not code here. Layout and import order are Spotless's check, bound to {@code ./mvnw verify}.
 */
class SourceStyleTest {

    private static final Path MAIN = Path.of("src/main/java");
    private static final Path TEST = Path.of("src/test/java");

    /** Top-level packages a full name can start with, besides those the sources import from. */
    private static final Set<String> ROOTS = Set.of("java", "javax", "jakarta", "org", "com", "io", "net", "routes");

    private static final Pattern IMPORT = Pattern.compile("(?m)^\\s*import\\s+(static\\s+)?([\\w.]+?)(\\.\\*)?\\s*;");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");
    private static final Pattern DECLARED = Pattern.compile("\\b(?:class|interface|enum|record)\\s+([A-Z]\\w*)");
    /** Lower-case package parts, then a capitalised class name: {@code java.util.List}, {@code routes.Application}. */
    private static final Pattern FULL_NAME =
            Pattern.compile("(?<![\\w.$])([a-z]\\w*(?:\\.[a-z_][a-z0-9_]*)*)\\.([A-Z]\\w*)");

    @Test
    void mainCodeNamesNoClassByItsFullName() throws IOException {
        assertThat(fullNames(MAIN))
                .as("inline fully-qualified class names in %s (import the class and use its simple name)", MAIN)
                .isEmpty();
    }

    @Test
    void testCodeNamesNoClassByItsFullName() throws IOException {
        assertThat(fullNames(TEST))
                .as("inline fully-qualified class names in %s (import the class and use its simple name)", TEST)
                .isEmpty();
    }

    @Test
    void theScannerSeesAFullNameInCodeButNotInACommentAStringOrAnImport() {
        String source = """
                package routes.store;

                import java.util.List; // java.util.Map in a comment
                import static java.util.Objects.requireNonNull;

                /** {@link java.util.Set} in javadoc */
                class X {
                    /* java.util.Deque in a block comment */
                    String s = "java.util.Queue and \\" java.util.Stack";
                    char c = '"';
                    String t = \"""
                            java.util.Vector in a text block \\\"""
                            \""";
                    List<String> l = java.util.List.of();
                    java.util.Map<String, routes.cli.CommandFailedException> m;
                    Object o = new routes.Application();
                    @java.lang.Deprecated int d;
                }
                """;
        assertThat(fullNames("X.java", source, Set.of("X"), Set.of()))
                .containsExactly(
                        "X.java:14: java.util.List",
                        "X.java:15: java.util.Map",
                        "X.java:15: routes.cli.CommandFailedException",
                        "X.java:16: routes.Application",
                        "X.java:17: java.lang.Deprecated");
    }

    @Test
    void aFullNameIsAllowedWhereItsSimpleNameIsTaken() {
        String source = """
                package routes.config;

                import ch.qos.logback.classic.Logger;

                class X {
                    Logger root = (Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
                    routes.store.Setting own;
                    routes.store.Holder held;
                    org.example.Override o;
                    record Holder() {}
                }
                """;
        assertThat(fullNames("X.java", source, Set.of("X", "Setting"), Set.of()))
                .containsExactly("X.java:6: org.slf4j.LoggerFactory");
    }

    /** Every inline full name under a source root, as {@code file:line: name}. */
    private static List<String> fullNames(Path root) throws IOException {
        Map<Path, String> sources = new HashMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file :
                    files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                sources.put(file, Files.readString(file));
            }
        }
        Set<String> roots = new HashSet<>(ROOTS);
        for (String source : sources.values()) {
            Matcher m = IMPORT.matcher(source);
            while (m.find()) {
                roots.add(m.group(2).split("\\.")[0]);
            }
        }
        List<String> out = new ArrayList<>();
        for (var e : new TreeSet<>(sources.keySet())) {
            Set<String> samePackage = new HashSet<>();
            try (Stream<Path> siblings = Files.list(e.getParent())) {
                siblings.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".java"))
                        .forEach(n -> samePackage.add(n.substring(0, n.length() - ".java".length())));
            }
            out.addAll(fullNames(e.toString(), sources.get(e), samePackage, roots));
        }
        return out;
    }

    /**
     * The inline full names in one source whose simple name is free.
     *
     * @param samePackage the simple names of the classes of the source's package
     * @param roots the top-level packages a full name can start with ({@link #ROOTS} where empty)
     */
    static List<String> fullNames(String file, String source, Set<String> samePackage, Set<String> roots) {
        Set<String> starts = roots.isEmpty() ? ROOTS : roots;
        String code = codeOnly(source);
        Matcher pm = PACKAGE.matcher(code);
        String pkg = pm.find() ? pm.group(1) : "";
        Map<String, String> imported = new HashMap<>();
        Matcher im = IMPORT.matcher(code);
        while (im.find()) {
            if (im.group(1) == null && im.group(3) == null) {
                String name = im.group(2);
                imported.put(name.substring(name.lastIndexOf('.') + 1), name);
            }
        }
        Set<String> declared = new HashSet<>();
        Matcher dm = DECLARED.matcher(code);
        while (dm.find()) {
            declared.add(dm.group(1));
        }
        List<String> out = new ArrayList<>();
        String[] lines = code.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].matches("\\s*(import|package)\\s.*")) {
                continue;
            }
            Matcher m = FULL_NAME.matcher(lines[i]);
            while (m.find()) {
                String packageName = m.group(1);
                String simple = m.group(2);
                String full = packageName + "." + simple;
                if (!starts.contains(packageName.split("\\.")[0])) {
                    continue; // a field or a variable, not a package: this.config.MAX, settings.X
                }
                boolean taken =
                        imported.containsKey(simple) && !imported.get(simple).equals(full)
                                || samePackage.contains(simple) && !packageName.equals(pkg)
                                || declared.contains(simple) && !packageName.equals(pkg)
                                || inJavaLang(simple) && !packageName.equals("java.lang");
                if (!taken) {
                    out.add(file + ":" + (i + 1) + ": " + full);
                }
            }
        }
        return out;
    }

    private static boolean inJavaLang(String simpleName) {
        try {
            Class.forName("java.lang." + simpleName, false, SourceStyleTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * The source with comments and the insides of string, character and text-block literals blanked out, line breaks
     * kept, so that positions and line numbers stay those of the file.
     */
    static String codeOnly(String source) {
        char[] out = source.toCharArray();
        int n = out.length;
        int i = 0;
        while (i < n) {
            char c = source.charAt(i);
            int end;
            if (source.startsWith("//", i)) {
                end = source.indexOf('\n', i);
                end = end < 0 ? n : end;
                blank(out, i, end);
            } else if (source.startsWith("/*", i)) {
                end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blank(out, i, end);
            } else if (source.startsWith("\"\"\"", i)) {
                int close = i + 3;
                while (close < n && !(source.startsWith("\"\"\"", close) && !escaped(source, close))) {
                    close++;
                }
                blank(out, i + 3, close);
                end = Math.min(n, close + 3);
            } else if (c == '"' || c == '\'') {
                int close = i + 1;
                while (close < n && source.charAt(close) != c && source.charAt(close) != '\n') {
                    close += source.charAt(close) == '\\' ? 2 : 1;
                }
                blank(out, i + 1, Math.min(close, n));
                end = close + 1;
            } else {
                end = i + 1;
            }
            i = end;
        }
        return new String(out);
    }

    /** Whether the character at {@code at} follows an odd number of backslashes. */
    private static boolean escaped(String source, int at) {
        int backslashes = 0;
        for (int k = at - 1; k >= 0 && source.charAt(k) == '\\'; k--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    private static void blank(char[] chars, int from, int to) {
        for (int k = from; k < to && k < chars.length; k++) {
            if (chars[k] != '\n') {
                chars[k] = ' ';
            }
        }
    }
}
