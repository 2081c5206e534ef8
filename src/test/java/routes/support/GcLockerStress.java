package routes.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;

/**
 * Run in a JVM of its own: many threads allocate while a few keep entering JNI critical regions, as the service's
 * sender workers do at start (classes inflated from the jar, Corretto's digests and signatures). On JDK 17 no
 * collection can run while a thread is inside such a region (the GC locker); an allocation that fails more than
 * {@code GCLockerRetryAllocationCount} times while the locker blocks the collection throws OutOfMemoryError with the
 * heap mostly free (JDK-8192647). The regions here are {@link Deflater} calls on heap arrays, which JDK 17 runs inside
 * {@code GetPrimitiveArrayCritical}.
 *
 * <p>Arguments: seconds, allocating threads, region-holding threads. Prints {@code survived <n> allocations} and exits
 * 0 if no allocation failed.
 */
public final class GcLockerStress {

    public static void main(String[] args) throws InterruptedException {
        long seconds = Long.parseLong(args[0]);
        int allocators = Integer.parseInt(args[1]);
        int holders = Integer.parseInt(args[2]);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong allocations = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < holders; i++) {
            threads.add(new Thread(() -> holdCriticalRegions(stop), "holder-" + i));
        }
        for (int i = 0; i < allocators; i++) {
            threads.add(new Thread(() -> allocate(stop, allocations), "allocator-" + i));
        }
        threads.forEach(Thread::start);
        Thread.sleep(seconds * 1000);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("survived " + allocations.get() + " allocations");
    }

    /** Deflates 2 MB of random bytes, again and again: each call holds both arrays critical for some milliseconds. */
    private static void holdCriticalRegions(AtomicBoolean stop) {
        byte[] input = new byte[2 << 20];
        ThreadLocalRandom.current().nextBytes(input);
        byte[] output = new byte[input.length + 4096];
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        while (!stop.get()) {
            deflater.reset();
            deflater.setInput(input);
            deflater.finish();
            deflater.deflate(output);
        }
        deflater.end();
    }

    /** Allocates 64 KB arrays and keeps the last 4 (256 KB a thread) alive, so collections have live data to copy. */
    private static void allocate(AtomicBoolean stop, AtomicLong allocations) {
        byte[][] kept = new byte[4][];
        int i = 0;
        while (!stop.get()) {
            kept[i++ & 3] = new byte[64 << 10];
            allocations.incrementAndGet();
        }
    }
}
