package routes.ingest;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import org.apache.camel.component.netty.ChannelHandlerFactory;

/**
 * {@code INGEST_ALLOWED_SOURCES} for the whole camera port: a connection from another address is closed as
 * soon as it opens, before a byte is read, counted and logged (at most once a minute per address). With the
 * default (empty) list every address may connect and each camera's own list applies.
 */
public final class SourceFilterHandlerFactory extends ChannelHandlerAdapter implements ChannelHandlerFactory {

    private final SourceAllowList allowed;
    private final RejectionLog rejections;

    public SourceFilterHandlerFactory(SourceAllowList allowed, RejectionLog rejections) {
        this.allowed = allowed;
        this.rejections = rejections;
    }

    @Override
    public ChannelHandler newChannelHandler() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) throws Exception {
                InetAddress peer = SourceAllowList.address(ctx.channel().remoteAddress());
                if (!allowed.allows(peer)) {
                    rejections.connectionRefused(
                            peer == null ? String.valueOf(ctx.channel().remoteAddress()) : peer.getHostAddress());
                    ctx.close();
                    return;
                }
                super.channelActive(ctx);
                ctx.pipeline().remove(this); // nothing more to check on this connection
            }
        };
    }
}
