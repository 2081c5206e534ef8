package routes.tools.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import routes.tools.SyntheticReadings;

/**
 * Cameras for the ingest benchmark: C persistent TCP connections, each a registered camera, sending
 * realistic Vega documents (unique plates, increasing times) as fast as they are accepted or at a
 * fixed total rate, and noting when the last byte of each document was handed to the socket.
 */
final class LoadGenerator {

    private static final String CONSONANTS = "BCDFGHJKLMNPRSTVWXYZ";

    /** What was sent: per reading index, its plate and when its last byte was written (epoch µs; 0 = not sent). */
    record Sent(String[] plates, long[] sentAtMicros, long firstMicros, long lastMicros, int count) {}

    private final String host;
    private final int port;
    private final int connections;
    private final SyntheticReadings documents;
    private final ZoneId cameraZone;

    LoadGenerator(String host, int port, int connections, SyntheticReadings documents, ZoneId cameraZone) {
        this.host = host;
        this.port = port;
        this.connections = connections;
        this.documents = documents;
        this.cameraZone = cameraZone;
    }

    /** A Spanish-style plate unique for each index below 80 million (4 digits, 3 consonants). */
    static String plate(long seed, int index) {
        int letters = (int) Math.floorMod(index / 10_000 + seed, 8000L);
        return String.format("%04d", index % 10_000)
                + CONSONANTS.charAt(letters / 400)
                + CONSONANTS.charAt(letters / 20 % 20)
                + CONSONANTS.charAt(letters % 20);
    }

    /**
     * @param total       documents to send over all connections
     * @param rate        documents per second over all connections; 0 = as fast as accepted
     * @param seed        makes this run's plates differ from other runs'
     */
    Sent run(int total, double rate, long seed) throws Exception {
        String[] plates = new String[total];
        long[] sentAt = new long[total];
        AtomicInteger next = new AtomicInteger();
        LocalDateTime base = LocalDateTime.now(cameraZone).minusMinutes(10);
        long startNanos = System.nanoTime();
        long startMicros = micros();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                String serial = BenchEnvironment.serial(c);
                results.add(pool.submit(() -> send(serial, total, next, base, startNanos, rate, seed, plates, sentAt)));
            }
            int sent = 0;
            for (Future<Integer> f : results) {
                sent += f.get();
            }
            long last = 0;
            for (long t : sentAt) {
                last = Math.max(last, t);
            }
            return new Sent(plates, sentAt, startMicros, last, sent);
        } finally {
            pool.shutdownNow();
        }
    }

    private int send(
            String serial,
            int total,
            AtomicInteger next,
            LocalDateTime base,
            long startNanos,
            double rate,
            long seed,
            String[] plates,
            long[] sentAt)
            throws IOException, InterruptedException {
        int sent = 0;
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.setSendBufferSize(256 * 1024);
            socket.connect(new InetSocketAddress(host, port), 5000);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 128 * 1024);
            int i;
            while ((i = next.getAndIncrement()) < total) {
                if (rate > 0) {
                    long wait = startNanos + (long) (i * 1e9 / rate) - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                String plate = plate(seed, i);
                for (byte[] part : documents.vegaParts(serial, plate, base.plusNanos(i * 1_000_000L))) {
                    out.write(part);
                }
                out.flush();
                sentAt[i] = micros();
                plates[i] = plate;
                sent++;
            }
            // Keep the connection open until the service has read everything (it closes idle ones, not us).
            socket.shutdownOutput();
            socket.setSoTimeout(60_000);
            try {
                while (socket.getInputStream().read() >= 0) {
                    // nothing is expected back; the service closes after reading the end of the stream
                }
            } catch (IOException timeout) {
                // the service keeps half-closed connections: fine
            }
        }
        return sent;
    }

    static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
