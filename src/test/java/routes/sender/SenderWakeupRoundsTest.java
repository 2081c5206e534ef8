package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the sender's poll starts a claim round (SenderWakeupTest proves the notifications end to end). */
class SenderWakeupRoundsTest {

    private final SenderWakeup wakeup = new SenderWakeup(() -> false);

    @Test
    void theFirstRoundRunsAtOnceForReadingsQueuedBeforeTheStart() throws Exception {
        assertThat(wakeup.await(60_000))
                .as("woken without waiting for the poll")
                .isTrue();
    }

    @Test
    void afterTheFirstRoundOnlyAQueuedReadingOrThePollStartsOne() throws Exception {
        wakeup.await(60_000);

        assertThat(wakeup.await(50)).as("the poll, not a notification").isFalse();
        wakeup.queued();
        assertThat(wakeup.await(60_000)).as("woken by the queued reading").isTrue();
    }

    @Test
    void manyNotificationsDuringARoundMakeOneMoreRound() throws Exception {
        wakeup.await(60_000);
        wakeup.queued();
        wakeup.queued();
        wakeup.queued();

        assertThat(wakeup.await(60_000)).isTrue();
        assertThat(wakeup.await(50))
                .as("no second round for the same notifications")
                .isFalse();
    }
}
