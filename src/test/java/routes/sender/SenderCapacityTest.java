package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The sender's slots: a claim asks for the free ones, and every slot comes back whatever happens to the claim. */
class SenderCapacityTest {

    @Test
    void aClaimAsksForEveryFreeSlotUpToTheBatchSize() throws Exception {
        SenderCapacity slots = new SenderCapacity(64, 50);
        assertThat(slots.reserve()).isEqualTo(50);
        assertThat(slots.available()).isEqualTo(14);
        assertThat(slots.reserve()).isEqualTo(14);
    }

    @Test
    void slotsAClaimDidNotFillComeBackAndFinishedSendsFreeTheirs() throws Exception {
        SenderCapacity slots = new SenderCapacity(16, 50);
        int asked = slots.reserve();
        assertThat(asked).isEqualTo(16);
        slots.unused(asked, List.of("row1", "row2", "row3"));
        assertThat(slots.available()).isEqualTo(13);
        slots.release();
        slots.release();
        slots.release();
        assertThat(slots.available()).isEqualTo(16);
    }

    @Test
    void aFailedClaimGivesAllItsSlotsBack() throws Exception {
        SenderCapacity slots = new SenderCapacity(16, 50);
        int asked = slots.reserve();
        assertThat(slots.idle()).isFalse();
        slots.unused(asked, null);
        assertThat(slots.available()).isEqualTo(16);
        assertThat(slots.idle()).isTrue();
    }

    @Test
    void withEverySlotBusyAClaimWaitsASecondThenAsksForNothing() throws Exception {
        SenderCapacity slots = new SenderCapacity(8, 50);
        assertThat(slots.reserve()).isEqualTo(8);
        long t0 = System.nanoTime();
        assertThat(slots.reserve()).isZero();
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(900L, 5000L);
    }

    @Test
    void aClaimGathersTheSlotsThatFreeUpWithinItsWindowRatherThanClaimingOneRowAtATime() throws Exception {
        SenderCapacity slots = new SenderCapacity(16, 50, 3_000);
        slots.reserve();
        slots.release(); // one slot free: the claim waits for a group
        releaseLater(slots, 3, 200);
        long t0 = System.nanoTime();
        assertThat(slots.reserve()).isEqualTo(4);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2_500L);
    }

    @Test
    void aLoneFreeSlotIsClaimedWhenTheWindowEndsSoItDoesNotStayIdle() throws Exception {
        SenderCapacity slots = new SenderCapacity(16, 50, 100);
        slots.reserve();
        slots.release();
        long t0 = System.nanoTime();
        assertThat(slots.reserve()).isEqualTo(1);
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(90L, 900L);
    }

    @Test
    void aClaimInterruptedWhileGatheringGivesBackTheSlotsItTook() throws Exception {
        SenderCapacity slots = new SenderCapacity(16, 50, 60_000);
        slots.reserve();
        slots.release();
        slots.release(); // two free: the claim takes them and waits for two more
        Thread claimer = new Thread(() -> {
            try {
                slots.reserve();
            } catch (InterruptedException expected) {
                Thread.currentThread().interrupt();
            }
        });
        claimer.start();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> slots.available() == 0);
        claimer.interrupt();
        claimer.join(5000);
        assertThat(slots.available()).isEqualTo(2);
    }

    private static void releaseLater(SenderCapacity slots, int n, long millis) {
        new Thread(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < n; i++) {
                slots.release();
            }
        }).start();
    }
}
