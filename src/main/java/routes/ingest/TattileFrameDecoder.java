package routes.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts one camera connection's byte stream into XML documents ({@code byte[]} each), using a
 * {@link XmlDocumentScanner} that resumes where the previous read stopped instead of rescanning.
 * One instance per connection (see {@link TattileFrameDecoderFactory}).
 *
 * <p>A document larger than the limit closes the connection; a partial document at close or idle
 * time is logged and dropped; bytes between documents that are not whitespace are dropped with one
 * log line per run.
 */
public final class TattileFrameDecoder extends ByteToMessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(TattileFrameDecoder.class);
    private static final long GARBAGE_LOG_INTERVAL_NANOS = 60_000_000_000L;

    private final int maxFrameBytes;
    private final IngestStats stats;
    private final XmlDocumentScanner scanner = new XmlDocumentScanner();
    /** Bytes after the reader index already fed to the scanner (relative, so buffer compaction is harmless). */
    private int scanned;

    private boolean closing;
    private long garbageNotLogged;
    private long lastGarbageLogNanos;

    public TattileFrameDecoder(int maxFrameBytes, IngestStats stats) {
        this.maxFrameBytes = maxFrameBytes;
        this.stats = stats;
        setCumulator(COMPOSITE_CUMULATOR);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (closing) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (true) {
            int from = in.readerIndex() + scanned;
            int available = in.writerIndex() - from;
            if (available <= 0) {
                return;
            }
            if (scanner.inText()) {
                // Element text: jump to the next '<' (Netty's word-at-a-time search) instead of scanning byte by byte.
                int lt = in.indexOf(from, in.writerIndex(), (byte) '<');
                int skip = (lt < 0 ? in.writerIndex() : lt) - from;
                scanned += skip;
                from += skip;
                available -= skip;
                if (available <= 0) {
                    if (scanned > maxFrameBytes + 5) {
                        tooLarge(ctx, in);
                    }
                    return;
                }
            }
            int stop = in.forEachByte(from, available, scanner);
            if (stop < 0) {
                if (!scanner.inDocument()) {
                    in.skipBytes(in.readableBytes());
                    scanned = 0;
                } else {
                    scanned = in.readableBytes();
                    // The last 5 bytes may be "<?xml" of the next document (see takeRestart): not this one's.
                    if (scanned > maxFrameBytes + 5) {
                        tooLarge(ctx, in);
                    }
                }
                reportGarbage(ctx);
                return;
            }
            if (scanner.takeRestart()) {
                // An XML declaration inside a document: the cut-short document is dropped, the new one starts at its
                // '<'.
                int newStart = stop - 5;
                if (newStart - in.readerIndex() > maxFrameBytes) {
                    tooLarge(ctx, in);
                    return;
                }
                LOG.warn(
                        "[INGEST] Documento incompleto descartado: empieza otro documento antes de terminar ({} bytes) de {}",
                        newStart - in.readerIndex(),
                        CameraAddress.of(ctx.channel()));
                stats.rejected(Rejection.INCOMPLETE_DOCUMENT);
                in.readerIndex(newStart);
                scanned = 6;
                continue;
            }
            if (!scanner.complete()) {
                // A document starts at 'stop': drop what came before it.
                reportGarbage(ctx);
                in.readerIndex(stop);
                scanned = 1;
                continue;
            }
            int length = stop + 1 - in.readerIndex();
            scanner.reset();
            scanned = 0;
            if (length > maxFrameBytes) {
                tooLarge(ctx, in);
                return;
            }
            byte[] frame = new byte[length];
            in.readBytes(frame);
            out.add(frame);
        }
    }

    private void tooLarge(ChannelHandlerContext ctx, ByteBuf in) {
        LOG.warn(
                "[INGEST] Documento rechazado: supera INGEST_MAX_FRAME_BYTES ({} bytes) de {}; conexión cerrada",
                maxFrameBytes,
                CameraAddress.of(ctx.channel()));
        stats.rejected(Rejection.FRAME_TOO_LARGE);
        discard(ctx, in);
    }

    private void discard(ChannelHandlerContext ctx, ByteBuf in) {
        closing = true;
        in.skipBytes(in.readableBytes());
        scanner.reset();
        scanned = 0;
        ctx.close();
    }

    /** Logs dropped garbage at once the first time, then at most once a minute per connection (and at close). */
    private void reportGarbage(ChannelHandlerContext ctx) {
        garbageNotLogged += scanner.takeGarbage();
        long now = System.nanoTime();
        if (garbageNotLogged > 0
                && (lastGarbageLogNanos == 0 || now - lastGarbageLogNanos >= GARBAGE_LOG_INTERVAL_NANOS)) {
            logGarbage(ctx);
            lastGarbageLogNanos = now;
        }
    }

    private void logGarbage(ChannelHandlerContext ctx) {
        LOG.warn(
                "[INGEST] Descartados {} bytes que no son XML entre documentos de {}",
                garbageNotLogged,
                CameraAddress.of(ctx.channel()));
        garbageNotLogged = 0;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        decode(ctx, in, out);
        if (!closing && scanner.inDocument() && in.isReadable()) {
            LOG.warn(
                    "[INGEST] Documento incompleto descartado al cerrar la conexión ({} bytes) de {}",
                    in.readableBytes(),
                    CameraAddress.of(ctx.channel()));
            stats.rejected(Rejection.INCOMPLETE_DOCUMENT);
        }
        in.skipBytes(in.readableBytes());
        scanner.reset();
        scanned = 0;
        garbageNotLogged += scanner.takeGarbage();
        if (garbageNotLogged > 0) {
            logGarbage(ctx);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            int pending = internalBuffer().readableBytes();
            if (scanner.inDocument() && pending > 0) {
                LOG.warn(
                        "[INGEST] Conexión inactiva cerrada con un documento incompleto ({} bytes) de {}",
                        pending,
                        CameraAddress.of(ctx.channel()));
                stats.rejected(Rejection.INCOMPLETE_DOCUMENT);
            } else {
                LOG.info("[INGEST] Conexión inactiva cerrada: {}", CameraAddress.of(ctx.channel()));
            }
            closing = true;
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("[INGEST] Conexión cerrada por {}: {}", CameraAddress.of(ctx.channel()), cause.toString());
            closing = true;
            ctx.close();
            return;
        }
        LOG.warn(
                "[INGEST] Error en la conexión de {}: {}; conexión cerrada",
                CameraAddress.of(ctx.channel()),
                cause.toString());
        closing = true;
        ctx.close();
    }
}
