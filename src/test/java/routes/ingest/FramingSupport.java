package routes.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Drives a {@link TattileFrameDecoder} in an {@link EmbeddedChannel} for the framing tests. */
final class FramingSupport {

    private static final Field CUMULATION;

    static {
        try {
            CUMULATION = ByteToMessageDecoder.class.getDeclaredField("cumulation");
            CUMULATION.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final IngestStats stats = new IngestStats();
    final TattileFrameDecoder decoder;
    final EmbeddedChannel channel;
    private final List<byte[]> frames = new ArrayList<>();

    FramingSupport(int maxFrameBytes) {
        decoder = new TattileFrameDecoder(maxFrameBytes, stats);
        channel = new EmbeddedChannel(decoder);
    }

    /** Writes one chunk (if the channel is still open) and returns every frame emitted so far. */
    List<byte[]> write(byte[] chunk) {
        if (channel.isOpen()) {
            channel.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        drain();
        return frames;
    }

    List<byte[]> write(String chunk) {
        return write(utf8(chunk));
    }

    /** Writes {@code data} in the given chunk sizes (cycled; empty means one buffer) and returns the frames. */
    List<byte[]> writeChunked(byte[] data, List<Integer> chunkSizes) {
        if (chunkSizes.isEmpty()) {
            return write(data);
        }
        int at = 0;
        int k = 0;
        while (at < data.length && channel.isOpen()) {
            int n = Math.min(chunkSizes.get(k++ % chunkSizes.size()), data.length - at);
            write(slice(data, at, at + n));
            at += n;
        }
        return frames;
    }

    /** Closes the channel (runs decodeLast) and returns every frame emitted. */
    List<byte[]> close() {
        channel.finish();
        drain();
        return frames;
    }

    List<byte[]> frames() {
        drain();
        return frames;
    }

    /** Bytes the decoder keeps buffered right now (its cumulation buffer; internalBuffer() is protected). */
    int buffered() {
        try {
            ByteBuf cumulation = (ByteBuf) CUMULATION.get(decoder);
            return cumulation == null ? 0 : cumulation.readableBytes();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    long rejected(Rejection r) {
        return stats.rejectedCount(r);
    }

    private void drain() {
        Object o;
        while ((o = channel.readInbound()) != null) {
            frames.add((byte[]) o);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Byte-exact view of a frame (ISO-8859-1 maps each byte to one char), for readable assertion diffs. */
    static String bytes(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static List<String> bytes(List<byte[]> frames) {
        return frames.stream().map(FramingSupport::bytes).toList();
    }

    static List<String> bytesOfUtf8(List<String> docs) {
        return docs.stream().map(d -> bytes(utf8(d))).toList();
    }

    static byte[] slice(byte[] data, int from, int to) {
        byte[] s = new byte[to - from];
        System.arraycopy(data, from, s, 0, s.length);
        return s;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
