package routes.ingest;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of what the ingest did since start: stored, duplicates, and rejections by reason. */
public final class IngestStats {

    private final LongAdder stored = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final Map<Rejection, AtomicLong> rejected = new EnumMap<>(Rejection.class);

    public IngestStats() {
        for (Rejection r : Rejection.values()) {
            rejected.put(r, new AtomicLong());
        }
    }

    public void stored() {
        stored.increment();
    }

    public void duplicate() {
        duplicates.increment();
    }

    public void rejected(Rejection reason) {
        rejected.get(reason).incrementAndGet();
    }

    public long storedCount() {
        return stored.sum();
    }

    public long duplicateCount() {
        return duplicates.sum();
    }

    public long rejectedCount(Rejection reason) {
        return rejected.get(reason).get();
    }
}
