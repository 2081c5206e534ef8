package routes.ingest;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import org.apache.camel.component.netty.ChannelHandlerFactory;

/** Gives each camera connection its own {@link TattileFrameDecoder}: decoders keep per-connection state. */
public final class TattileFrameDecoderFactory extends ChannelHandlerAdapter implements ChannelHandlerFactory {

    private final int maxFrameBytes;
    private final IngestStats stats;

    public TattileFrameDecoderFactory(int maxFrameBytes, IngestStats stats) {
        this.maxFrameBytes = maxFrameBytes;
        this.stats = stats;
    }

    @Override
    public ChannelHandler newChannelHandler() {
        return new TattileFrameDecoder(maxFrameBytes, stats);
    }
}
