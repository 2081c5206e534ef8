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
    void aClaimWaitsForAQuarterOfTheSlotsRatherThanClaimingOneRowAtATime() throws Exception {
        SenderCapacity slots = new SenderCapacity(16, 50);
        slots.reserve();
        slots.release(); // one slot free: not worth a claim yet
        new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < 3; i++) {
                slots.release();
            }
        }).start();
        assertThat(slots.reserve()).isEqualTo(4);
    }
}
