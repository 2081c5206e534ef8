package routes.tools;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays cameras: C persistent TCP connections sending N documents back to back, alternating the two
 * document shapes, with unique plates and times. Optionally paced to a total rate.
 */
public final class CameraSimulator {

    /** What a run sent. */
    public record Report(int sent, int connections, long elapsedMillis) {
        public double perSecond() {
            return elapsedMillis == 0 ? sent : sent * 1000.0 / elapsedMillis;
        }
    }

    private final String host;
    private final int port;
    private final List<String> serials;
    private final SyntheticReadings readings;
    private final ZoneId cameraZone;

    public CameraSimulator(String host, int port, List<String> serials, SyntheticReadings readings, ZoneId cameraZone) {
        this.host = host;
        this.port = port;
        this.serials = serials;
        this.readings = readings;
        this.cameraZone = cameraZone;
    }

    /**
     * @param ratePerSecond total documents per second over all connections; 0 = as fast as accepted
     */
    public Report run(int total, int connections, double ratePerSecond) throws Exception {
        AtomicInteger next = new AtomicInteger();
        LocalDateTime base = LocalDateTime.now(cameraZone).minusMinutes(5);
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                results.add(pool.submit(() -> send(total, next, base, start, ratePerSecond)));
            }
            int sent = 0;
            for (Future<Integer> f : results) {
                sent += f.get();
            }
            return new Report(sent, connections, (System.nanoTime() - start) / 1_000_000);
        } finally {
            pool.shutdownNow();
        }
    }

    private int send(int total, AtomicInteger next, LocalDateTime base, long startNanos, double rate)
            throws IOException, InterruptedException {
        int sent = 0;
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 5000);
            OutputStream out = socket.getOutputStream();
            int i;
            while ((i = next.getAndIncrement()) < total) {
                if (rate > 0) {
                    long due = startNanos + (long) (i * 1_000_000_000L / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                String serial = serials.get(i % serials.size());
                // Times just before now (whole seconds for the HH:MM:SS shape, one per reading): never ahead of the
                // server's clock.
                LocalDateTime when = base.plusNanos(i * 1_000_000L);
                String doc = i % 2 == 0
                        ? readings.vega(serial, readings.plate(), when)
                        : readings.msg(
                                serial,
                                readings.plate(),
                                base.withNano(0).minusSeconds(total).plusSeconds(i));
                out.write(readings.bytes(doc));
                out.flush();
                sent++;
            }
            socket.shutdownOutput();
            // Wait for the server to finish reading (it closes its side or we time out quietly).
            socket.setSoTimeout(2000);
            try {
                while (socket.getInputStream().read() >= 0) {
                    // nothing is expected back
                }
            } catch (IOException timeout) {
                // the service keeps connections open: fine
            }
        }
        return sent;
    }
}
