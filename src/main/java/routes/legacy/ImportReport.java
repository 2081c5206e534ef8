package routes.legacy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an import did (or, dry, would do): per entity how many rows were imported, already imported by an earlier run,
 * or skipped and why; what needs the operator; the notes an operator should read once.
 */
public final class ImportReport {

    public enum Entity {
        MUNICIPALITY,
        ENDPOINT,
        CERTIFICATE,
        CAMERA,
        READING;

        String label() {
            return this == MUNICIPALITY ? "municipalities" : name().toLowerCase(Locale.ROOT) + "s";
        }
    }

    /** A reason a row was not imported; {@code expected} reasons (a duplicate, a delivered row) do not fail the run. */
    public record Skip(String reason, boolean expected) {}

    private static final class Counts {
        int imported;
        int already;
        final Map<Skip, Integer> skipped = new LinkedHashMap<>();
    }

    private final boolean dryRun;
    private final Map<Entity, Counts> counts = new EnumMap<>(Entity.class);
    private final List<String> operator = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Integer> readingsByStatus = new LinkedHashMap<>();
    private List<String> settings = List.of();

    public ImportReport(boolean dryRun) {
        this.dryRun = dryRun;
        for (Entity e : Entity.values()) {
            counts.put(e, new Counts());
        }
    }

    void addImported(Entity e) {
        counts.get(e).imported++;
    }

    /** An imported reading, by the status it has here. */
    void importedReading(String status) {
        addImported(Entity.READING);
        readingsByStatus.merge(status, 1, Integer::sum);
    }

    void addAlready(Entity e) {
        counts.get(e).already++;
    }

    void addSkipped(Entity e, String reason, boolean expected) {
        counts.get(e).skipped.merge(new Skip(reason, expected), 1, Integer::sum);
    }

    /** Something the operator must do before or after the switch. */
    void operator(String line) {
        operator.add(line);
    }

    void note(String line) {
        notes.add(line);
    }

    public void settings(List<String> lines) {
        this.settings = List.copyOf(lines);
    }

    public int imported(Entity e) {
        return counts.get(e).imported;
    }

    public int already(Entity e) {
        return counts.get(e).already;
    }

    public int skipped(Entity e, String reason) {
        return counts.get(e).skipped.entrySet().stream()
                .filter(s -> s.getKey().reason().equals(reason))
                .mapToInt(Map.Entry::getValue)
                .sum();
    }

    public List<String> operatorItems() {
        return List.copyOf(operator);
    }

    /** True when a row was skipped for a reason that is not expected, or something needs the operator. */
    public boolean needsOperator() {
        return !operator.isEmpty()
                || counts.values().stream()
                        .anyMatch(c -> c.skipped.keySet().stream().anyMatch(s -> !s.expected()));
    }

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dry_run", dryRun);
        Map<String, Object> entities = new LinkedHashMap<>();
        counts.forEach((e, c) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("imported", c.imported);
            one.put("already_imported", c.already);
            List<Map<String, Object>> skipped = new ArrayList<>();
            c.skipped.forEach(
                    (s, n) -> skipped.add(Map.of("reason", s.reason(), "expected", s.expected(), "count", n)));
            one.put("skipped", skipped);
            entities.put(e.label(), one);
        });
        out.put("entities", entities);
        out.put("readings_by_status", readingsByStatus);
        out.put("needs_operator", operator);
        out.put("notes", notes);
        out.put("settings", settings);
        out.put("ok", !needsOperator());
        return out;
    }

    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append(dryRun ? "Import plan (dry run: nothing written)\n" : "Import report\n");
        b.append(String.format(
                Locale.ROOT, "%-15s %9s %9s %9s%n", "", dryRun ? "to import" : "imported", "already", "skipped"));
        counts.forEach((e, c) -> b.append(String.format(
                Locale.ROOT,
                "%-15s %9d %9d %9d%n",
                e.label(),
                c.imported,
                c.already,
                c.skipped.values().stream().mapToInt(Integer::intValue).sum())));
        if (!readingsByStatus.isEmpty()) {
            b.append("Readings ")
                    .append(dryRun ? "to import" : "imported")
                    .append(" by status here: ")
                    .append(readingsByStatus)
                    .append('\n');
        }
        counts.forEach((e, c) -> c.skipped.forEach((s, n) -> b.append("  skipped ")
                .append(e.label())
                .append(": ")
                .append(n)
                .append(" × ")
                .append(s.reason())
                .append(s.expected() ? " (expected)" : " (UNEXPECTED)")
                .append('\n')));
        if (!operator.isEmpty()) {
            b.append("Needs the operator:\n");
            operator.forEach(l -> b.append("  - ").append(l).append('\n'));
        }
        if (!notes.isEmpty()) {
            b.append("Notes:\n");
            notes.forEach(l -> b.append("  - ").append(l).append('\n'));
        }
        if (!settings.isEmpty()) {
            b.append("Settings for this product's .env (admin import-legacy --print-settings):\n");
            settings.forEach(l -> b.append("  ").append(l).append('\n'));
        }
        b.append(needsOperator() ? "Result: finished, with items that need the operator (exit 2)\n" : "Result: OK\n");
        return b.toString();
    }
}
