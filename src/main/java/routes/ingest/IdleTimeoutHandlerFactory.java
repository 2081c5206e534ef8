package routes.ingest;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import org.apache.camel.component.netty.ChannelHandlerFactory;

/**
 * Fires an idle event on a connection that has sent nothing for the configured time; the frame decoder
 * closes it. With 0 seconds it adds a handler that never fires.
 */
public final class IdleTimeoutHandlerFactory extends ChannelHandlerAdapter implements ChannelHandlerFactory {

    private final int idleSeconds;

    public IdleTimeoutHandlerFactory(int idleSeconds) {
        this.idleSeconds = idleSeconds;
    }

    @Override
    public ChannelHandler newChannelHandler() {
        return new IdleStateHandler(idleSeconds, 0, 0, TimeUnit.SECONDS);
    }
}
