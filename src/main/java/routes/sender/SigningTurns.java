package routes.sender;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.cxf.interceptor.MessageSenderInterceptor;
import org.apache.cxf.message.Message;
import org.apache.cxf.phase.AbstractPhaseInterceptor;
import org.apache.cxf.phase.Phase;

/**
 * Turns at the part of a send that uses the CPU: building the request, signing it and writing it
 * ({@code SENDER_SIGNING_CONCURRENCY} at once). Of the {@code SENDER_CONCURRENCY} sends in flight, the others wait
 * for an answer (holding no request: {@link WrittenRequestRelease}), or for a turn (holding no image, but those read
 * from a bucket: {@link MatriculaRequest#read}). Without turns, a claim of 50 rows had 50 requests built,
 * buffered by the streaming signature and signed at once on two cores: each stayed in memory until all were done,
 * survived the young collections, and the collector grew the heap to its maximum.
 *
 * <p>A turn is taken before the request is built and given back as soon as it is written (the CXF interceptor
 * {@link #giveBackWhenWritten()}), or when the send ends by any other path ({@link #giveBack(Exchange)}, which the
 * route calls whatever happened); giving back twice is harmless.
 */
public final class SigningTurns {

    /** The exchange property (also read by CXF as a request context property) holding a send's turn. */
    static final String PROPERTY = "tattileSigningTurn";

    private final Semaphore turns;
    private final int size;

    public SigningTurns(int size) {
        this.turns = new Semaphore(size, true);
        this.size = size;
    }

    /** Waits for a turn and hands it to this send. */
    public void take(Exchange exchange) throws InterruptedException {
        turns.acquire();
        exchange.setProperty(PROPERTY, new Turn());
    }

    /** The send's turn back, if it still holds one. */
    public void giveBack(Exchange exchange) {
        if (exchange.removeProperty(PROPERTY) instanceof Turn turn) {
            turn.giveBack();
        }
    }

    /** Turns free now (for tests). */
    int available() {
        return turns.availablePermits();
    }

    /** No send holds a turn (for tests). */
    boolean allFree() {
        return turns.availablePermits() == size;
    }

    /**
     * For the CXF out chain: gives the message's turn back once the whole request has been written, just before the
     * conduit waits for the answer.
     */
    public AbstractPhaseInterceptor<Message> giveBackWhenWritten() {
        return new AbstractPhaseInterceptor<>("tattile-signing-turn-give-back", Phase.PREPARE_SEND_ENDING) {
            {
                addBefore(MessageSenderInterceptor.MessageSenderEndingInterceptor.class.getName());
            }

            @Override
            public void handleMessage(Message message) {
                if (message.getContextualProperty(PROPERTY) instanceof Turn turn) {
                    turn.giveBack();
                }
            }
        };
    }

    private final class Turn {
        private final AtomicBoolean held = new AtomicBoolean(true);

        void giveBack() {
            if (held.compareAndSet(true, false)) {
                turns.release();
            }
        }

        @Override
        public String toString() {
            return "signing turn"; // an exchange property may be logged
        }
    }
}
