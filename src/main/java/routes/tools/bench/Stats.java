package routes.tools.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Percentiles of one run's samples, and median / min / max of a figure over runs. */
final class Stats {

    private Stats() {}

    /** p50, p95, p99 and max of the samples (nearest rank), rounded to 0.01. */
    static Map<String, Double> percentiles(double[] samples) {
        double[] s = samples.clone();
        Arrays.sort(s);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("p50", round(rank(s, 0.50)));
        out.put("p95", round(rank(s, 0.95)));
        out.put("p99", round(rank(s, 0.99)));
        out.put("max", round(s.length == 0 ? Double.NaN : s[s.length - 1]));
        return out;
    }

    static double rank(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** Median, min and max of one figure over runs. */
    static Map<String, Double> overRuns(List<Double> values) {
        return overRuns(values, 100);
    }

    /** {@link #overRuns} of the number each run holds under {@code key}. */
    static Map<String, Double> figureOverRuns(List<Map<String, Object>> runs, String key) {
        return overRuns(
                runs.stream().map(r -> ((Number) r.get(key)).doubleValue()).toList());
    }

    /** {@link #overRuns} of one quantile ({@code p50}...) of the {@link #percentiles} each run holds under {@code key}. */
    static Map<String, Double> quantileOverRuns(List<Map<String, Object>> runs, String key, String quantile) {
        return overRuns(runs.stream()
                .map(r -> ((Number) ((Map<?, ?>) r.get(key)).get(quantile)).doubleValue())
                .toList());
    }

    /**
     * Median, min and max over runs of each run's figure divided by a reference measured in the same window, to
     * 0.001: a ratio moves far less than the figure when the machine is shared.
     */
    static Map<String, Double> ratioOverRuns(List<Double> values, double reference) {
        return overRuns(values.stream().map(v -> v / reference).toList(), 1000);
    }

    private static Map<String, Double> overRuns(List<Double> values, double scale) {
        double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        Map<String, Double> out = new LinkedHashMap<>();
        out.put(
                "median",
                round(
                        s.length == 0
                                ? Double.NaN
                                : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2,
                        scale));
        out.put("min", round(s.length == 0 ? Double.NaN : s[0], scale));
        out.put("max", round(s.length == 0 ? Double.NaN : s[s.length - 1], scale));
        return out;
    }

    static double round(double v) {
        return round(v, 100);
    }

    /** A share (0..1) to three decimals, so that 0.049 stays under 0.05. */
    static double share(double v) {
        return round(v, 1000);
    }

    private static double round(double v, double scale) {
        return Double.isNaN(v) || Double.isInfinite(v) ? v : Math.round(v * scale) / scale;
    }
}
