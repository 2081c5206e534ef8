package routes.ingest;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.apache.camel.component.netty.ChannelHandlerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may send on the camera port, decided per connection before a byte of a document is framed.
 *
 * <p>Cameras connecting directly: {@code INGEST_ALLOWED_SOURCES} applies to the TCP peer; a connection from another
 * address is closed as soon as it opens, counted and logged (at most once a minute per address). With the default
 * (empty) list every address may connect and each camera's own list applies.
 *
 * <p>Behind a TCP balancer ({@code INGEST_PROXY_PROTOCOL=true}): only the balancers of {@code INGEST_PROXY_SOURCES}
 * may connect, and each connection must begin with a PROXY protocol header, v1 or v2 (Netty's
 * {@link HAProxyMessageDecoder}, which this handler puts in front of itself). {@code INGEST_ALLOWED_SOURCES} then
 * applies to the camera's address the header carries, which becomes the connection's {@link CameraAddress}. A
 * connection that does not begin with a valid header is closed with one line (counted as
 * {@link Rejection#PROXY_HEADER}); whatever it sent never reaches the framer. A header with the LOCAL command (v2) or
 * an UNKNOWN protocol (the balancer's own health checks) keeps the balancer's address, as the protocol says.
 */
public final class SourceFilterHandlerFactory extends ChannelHandlerAdapter implements ChannelHandlerFactory {

    private static final Logger LOG = LoggerFactory.getLogger(SourceFilterHandlerFactory.class);

    private final SourceAllowList allowed;
    /** Who may send PROXY headers; null when the cameras connect directly. */
    private final SourceAllowList balancers;

    private final RejectionLog rejections;

    /** Cameras connect directly: {@code allowed} ({@code INGEST_ALLOWED_SOURCES}) applies to the TCP peer. */
    public SourceFilterHandlerFactory(SourceAllowList allowed, RejectionLog rejections) {
        this(allowed, null, rejections);
    }

    private SourceFilterHandlerFactory(SourceAllowList allowed, SourceAllowList balancers, RejectionLog rejections) {
        this.allowed = allowed;
        this.balancers = balancers;
        this.rejections = rejections;
    }

    /**
     * Cameras connect through the {@code balancers} ({@code INGEST_PROXY_SOURCES}), which send the PROXY protocol;
     * {@code allowed} applies to the camera's address from the header.
     */
    public static SourceFilterHandlerFactory behindBalancers(
            SourceAllowList allowed, SourceAllowList balancers, RejectionLog rejections) {
        return new SourceFilterHandlerFactory(allowed, balancers, rejections);
    }

    @Override
    public ChannelHandler newChannelHandler() {
        return balancers == null ? new DirectFilter() : new ProxiedFilter();
    }

    private static String text(InetAddress address, SocketAddress fallback) {
        return address == null ? String.valueOf(fallback) : address.getHostAddress();
    }

    /** INGEST_ALLOWED_SOURCES on the TCP peer. */
    private final class DirectFilter extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            SocketAddress remote = ctx.channel().remoteAddress();
            InetAddress peer = SourceAllowList.address(remote);
            if (!allowed.allows(peer)) {
                rejections.connectionRefused(text(peer, remote), "", "INGEST_ALLOWED_SOURCES");
                ctx.close();
                return;
            }
            super.channelActive(ctx);
            ctx.pipeline().remove(this); // nothing more to check on this connection
        }
    }

    /** A balancer's connection: INGEST_PROXY_SOURCES on the TCP peer, then the PROXY header, then INGEST_ALLOWED_SOURCES. */
    private final class ProxiedFilter extends ChannelInboundHandlerAdapter {

        /** Refused and closing: nothing more is read, logged or passed on. */
        private boolean refused;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // The header is the first thing on the wire: its decoder reads before this handler, which gets the header.
            ctx.pipeline().addBefore(ctx.name(), null, new HAProxyMessageDecoder());
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            SocketAddress remote = ctx.channel().remoteAddress();
            InetAddress peer = SourceAllowList.address(remote);
            if (!balancers.allows(peer)) {
                rejections.connectionRefused(text(peer, remote), "", "INGEST_PROXY_SOURCES");
                refuse(ctx);
                return;
            }
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (refused) {
                    return; // bytes a refused connection had sent: never framed
                }
                if (msg instanceof HAProxyMessage header) {
                    admit(ctx, header);
                } else {
                    headerMissing(ctx); // only the decoder's output comes here before the header is admitted
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void admit(ChannelHandlerContext ctx, HAProxyMessage header) {
            SocketAddress balancer = ctx.channel().remoteAddress();
            if (header.command() == HAProxyCommand.LOCAL
                    || header.proxiedProtocol() == HAProxyProxiedProtocol.UNKNOWN) {
                // The balancer speaking for itself (a health check): the connection's own address stands.
                LOG.debug(
                        "[INGEST] Conexión propia del balanceador {} (cabecera PROXY {})", balancer, header.command());
                ctx.pipeline().remove(this);
                return;
            }
            HAProxyProxiedProtocol protocol = header.proxiedProtocol();
            InetAddress camera = protocol == HAProxyProxiedProtocol.TCP4 || protocol == HAProxyProxiedProtocol.TCP6
                    ? SourceAllowList.address(header.sourceAddress())
                    : null;
            if (camera == null) {
                headerMissing(ctx); // a UDP or UNIX socket source: not a camera's TCP connection
                return;
            }
            if (!allowed.allows(camera)) {
                rejections.connectionRefused(
                        camera.getHostAddress(),
                        " (vía el balanceador " + text(SourceAllowList.address(balancer), balancer) + ")",
                        "INGEST_ALLOWED_SOURCES");
                refuse(ctx);
                return;
            }
            CameraAddress.proxied(ctx.channel(), new InetSocketAddress(camera, header.sourcePort()));
            ctx.pipeline().remove(this); // the connection is the camera's from here on
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof HAProxyProtocolException) {
                if (!refused) {
                    headerMissing(ctx); // the decoder has already closed the connection
                }
                return;
            }
            ctx.fireExceptionCaught(cause);
        }

        /** No valid PROXY header: one line, the message of the decoder left out (it quotes what the client sent). */
        private void headerMissing(ChannelHandlerContext ctx) {
            SocketAddress remote = ctx.channel().remoteAddress();
            rejections.proxyHeaderMissing(text(SourceAllowList.address(remote), remote));
            refuse(ctx);
        }

        private void refuse(ChannelHandlerContext ctx) {
            refused = true;
            ctx.close();
        }
    }
}
