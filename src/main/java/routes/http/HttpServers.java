package routes.http;

import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;

/** The Vert.x HTTP server options the API and the Lector Vision forwarder's port share. */
public final class HttpServers {

    private HttpServers() {}

    /**
     * A server that reads little before it must: an idle backstop, small request line and headers, no form parsing, no
     * HTTP/2 upgrade, no compression; the PROXY protocol when the server is behind HAProxy.
     */
    public static HttpServerOptions options(int idleTimeoutSeconds, boolean proxyProtocol) {
        return new HttpServerOptions()
                .setIdleTimeout(idleTimeoutSeconds)
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setMaxInitialLineLength(4096)
                .setMaxHeaderSize(8192)
                .setMaxChunkSize(8192)
                .setMaxFormAttributeSize(0)
                .setHttp2ClearTextEnabled(false)
                .setCompressionSupported(false)
                .setDecompressionSupported(false)
                .setUseProxyProtocol(proxyProtocol)
                .setProxyProtocolTimeout(10)
                .setProxyProtocolTimeoutUnit(TimeUnit.SECONDS)
                .setAcceptBacklog(256);
    }
}
