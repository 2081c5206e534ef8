package routes.ingest;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.apache.camel.Message;
import org.apache.camel.component.netty.NettyConstants;

/**
 * Where a camera connection comes from: its TCP peer, or, behind a TCP balancer ({@code INGEST_PROXY_PROTOCOL=true}),
 * the source of the connection's PROXY header, which {@link SourceFilterHandlerFactory} keeps on the channel before a
 * byte of a document is framed. camel-netty fills {@code CamelNettyRemoteAddress} with the TCP peer; the route step
 * {@code camera-address} (ingest.yaml) puts this address there instead, so the camera gate, the stored
 * {@code source_address}, the error policies' log lines and the rejection counters all see the camera, not the
 * balancer. The framer's log lines name it too.
 */
public final class CameraAddress {

    /** The PROXY header's source, set once per connection before its first document. */
    private static final AttributeKey<InetSocketAddress> PROXIED = AttributeKey.valueOf(CameraAddress.class, "proxied");

    /** The camera's address on this connection: the PROXY header's source when there is one, else the TCP peer. */
    public static SocketAddress of(Channel channel) {
        InetSocketAddress proxied = channel.attr(PROXIED).get();
        return proxied != null ? proxied : channel.remoteAddress();
    }

    static void proxied(Channel channel, InetSocketAddress camera) {
        channel.attr(PROXIED).set(camera);
    }

    /** The step {@code camera-address}: the camera's address in {@code CamelNettyRemoteAddress}, which the routes read. */
    public void toHeader(Message message) {
        ChannelHandlerContext ctx =
                message.getHeader(NettyConstants.NETTY_CHANNEL_HANDLER_CONTEXT, ChannelHandlerContext.class);
        if (ctx != null) {
            message.setHeader(NettyConstants.NETTY_REMOTE_ADDRESS, of(ctx.channel()));
        }
    }
}
