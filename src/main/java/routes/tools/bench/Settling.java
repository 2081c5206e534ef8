package routes.tools.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The warm-up after the first one: batches of readings until the JIT compilers settle, so the measured runs see
 * compiled code. On two cores C2 compiles the sender's or the ingest's hot code for 30,000-odd units of work (its one
 * thread is behind, and HotSpot raises the invocation thresholds with the length of its queue), so a fixed warm-up
 * of a few thousand measured a machine still compiling.
 */
final class Settling {

    /** Settled: the compiler threads used less than this share of the service's CPU over one batch. */
    static final double SETTLED_SHARE = 0.05;
    /** Readings per batch, at most. */
    static final int BATCH = 5000;

    /** One batch of {@code readings}; its figures include {@code serviceCompilerCpuShare}. */
    @FunctionalInterface
    interface Batch {
        Map<String, Object> run(int readings, long seed) throws Exception;
    }

    private Settling() {}

    /**
     * Runs batches until one settles or {@code max} readings have been used.
     *
     * @param before readings already handled (the first warm-up), counted in {@code settledAfter}
     * @return the batches, and after how many readings (warm-up included) the compilers settled, or null
     */
    static Map<String, Object> run(int max, int before, Batch batch, long seed) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("settledBelowCompilerShare", SETTLED_SHARE);
        List<Map<String, Object>> batches = new ArrayList<>();
        Integer settledAfter = null;
        int used = 0;
        int size = Math.min(BATCH, max);
        while (size > 0 && used + size <= max) {
            Map<String, Object> b = batch.run(size, seed + batches.size());
            batches.add(b);
            used += size;
            if (((Number) b.get("serviceCompilerCpuShare")).doubleValue() < SETTLED_SHARE) {
                settledAfter = before + used;
                break;
            }
        }
        result.put("batches", batches);
        result.put("settledAfter", settledAfter);
        return result;
    }
}
