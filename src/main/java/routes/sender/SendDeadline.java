package routes.sender;

import java.net.HttpURLConnection;
import java.net.URL;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Service;
import org.apache.cxf.interceptor.MessageSenderInterceptor;
import org.apache.cxf.message.Exchange;
import org.apache.cxf.message.Message;
import org.apache.cxf.phase.AbstractPhaseInterceptor;
import org.apache.cxf.phase.Phase;
import org.apache.cxf.transport.http.HTTPConduit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the writing of a request by its endpoint's timeout plus a second. {@code HttpURLConnection}'s
 * timeouts cover connecting and each read, not writing: an endpoint that accepts the connection and stops
 * reading would hold a sender slot, and the reading's lease, for as long as it liked. When the deadline passes
 * before the answer starts to arrive, the connection is closed (one WARN line), which ends the blocked write
 * with an error, and the reading is retried. The deadline is lifted when the answer arrives (reading it is
 * bounded by the read timeout) or the send fails; lifting it late is harmless, as {@code disconnect()} on an
 * answered connection closes at most an idle pooled one.
 */
public final class SendDeadline implements Service {

    private static final String KEY = SendDeadline.class.getName();
    static final long GRACE_MILLIS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(SendDeadline.class);

    private final ScheduledThreadPoolExecutor timer;

    public SendDeadline() {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tattile-send-deadline");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /** For the out chain: arms the deadline once the conduit has made the connection object. */
    public AbstractPhaseInterceptor<Message> arm() {
        return new AbstractPhaseInterceptor<>("tattile-send-deadline-arm", Phase.PREPARE_SEND) {
            {
                addAfter(MessageSenderInterceptor.class.getName());
            }

            @Override
            public void handleMessage(Message message) {
                if (message.get(HTTPConduit.KEY_HTTP_CONNECTION) instanceof HttpURLConnection connection) {
                    long timeout = connection.getReadTimeout();
                    if (timeout > 0) {
                        // A second past the read timeout, so that a slow answer still ends as a read timeout.
                        long millis = timeout + GRACE_MILLIS;
                        message.getExchange()
                                .put(KEY, timer.schedule(() -> cut(connection, millis), millis, TimeUnit.MILLISECONDS));
                    }
                }
            }

            @Override
            public void handleFault(Message message) {
                lift(message.getExchange());
            }
        };
    }

    /** For the in and in-fault chains: the answer is arriving. */
    public AbstractPhaseInterceptor<Message> lift() {
        return new AbstractPhaseInterceptor<>("tattile-send-deadline-lift", Phase.RECEIVE) {
            @Override
            public void handleMessage(Message message) {
                lift(message.getExchange());
            }
        };
    }

    private static void cut(HttpURLConnection connection, long millis) {
        URL url = connection.getURL(); // without user info or query, which may carry credentials
        String where = url.getProtocol() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + url.getPath();
        LOG.warn("[SENDER] Envío cortado: {} no ha leído la petición ni respondido en {} ms", where, millis);
        connection.disconnect();
    }

    private static void lift(Exchange exchange) {
        if (exchange != null && exchange.remove(KEY) instanceof ScheduledFuture<?> deadline) {
            deadline.cancel(false);
        }
    }

    @Override
    public void start() {
        // the timer thread starts with the first deadline
    }

    @Override
    public void stop() {
        timer.shutdownNow();
    }
}
