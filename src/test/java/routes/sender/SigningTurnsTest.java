package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.cxf.message.ExchangeImpl;
import org.apache.cxf.message.Message;
import org.apache.cxf.message.MessageImpl;
import org.junit.jupiter.api.Test;

/** Turns at building, signing and writing a request: each is given back exactly once, by whichever path ends first. */
class SigningTurnsTest {

    private final DefaultCamelContext camel = new DefaultCamelContext();

    @Test
    void aTurnGivenBackOnceWrittenAndAgainWhenTheSendEndsFreesOneTurn() throws Exception {
        SigningTurns turns = new SigningTurns(2);
        Exchange send = new DefaultExchange(camel);
        Exchange other = new DefaultExchange(camel);
        turns.take(send);
        turns.take(other);
        assertThat(turns.available()).isZero();

        turns.giveBackWhenWritten().handleMessage(cxfMessageOf(send));
        assertThat(turns.available()).isEqualTo(1);
        turns.giveBack(send);
        assertThat(turns.available()).as("given back twice, freed once").isEqualTo(1);
        turns.giveBack(other);
        assertThat(turns.allFree()).isTrue();
    }

    @Test
    void aSendThatNeverReachedItsTurnGivesNothingBack() {
        SigningTurns turns = new SigningTurns(1);
        turns.giveBack(new DefaultExchange(camel));
        turns.giveBackWhenWritten().handleMessage(new MessageImpl());
        assertThat(turns.available()).isEqualTo(1);
    }

    /** What camel-cxf does: the exchange's properties are the CXF request's context. */
    private static Message cxfMessageOf(Exchange exchange) {
        Message message = new MessageImpl();
        message.setExchange(new ExchangeImpl());
        message.put(SigningTurns.PROPERTY, exchange.getProperty(SigningTurns.PROPERTY));
        return message;
    }
}
