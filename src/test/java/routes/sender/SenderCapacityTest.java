package routes.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

    /**
     * The wait is the semaphore's own timeout, which never ends early: a claim that returned nothing at once would
     * make the poller spin. That it returns at all is checked by a deadline, not by how soon.
     */
    @Test
    void withEverySlotBusyAClaimWaitsASecondThenAsksForNothing() throws Exception {
        SenderCapacity slots = new SenderCapacity(8, 50);
        assertThat(slots.reserve()).isEqualTo(8);
        Thread[] claimer = new Thread[1];
        Future<Integer> claim = claim(slots, claimer);
        await("waited for a slot first: parked in the semaphore's timed wait")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> claim.isDone()
                        ? false
                        : claimer[0] != null && claimer[0].getState() == Thread.State.TIMED_WAITING);
        assertThat(claim.get(30, TimeUnit.SECONDS)).isZero();
    }

    /**
     * With a window of a minute, a claim that returns with the group before the test's deadline returned because the
     * group gathered, not because its window ended.
     */
    @Test
    void aClaimGathersTheSlotsThatFreeUpWithinItsWindowRatherThanClaimingOneRowAtATime() throws Exception {
        SenderCapacity slots = new SenderCapacity(16, 50, 60_000);
        slots.reserve();
        slots.release(); // one slot free: the claim takes it and waits for a group of four
        Future<Integer> claim = claim(slots);
        await().atMost(Duration.ofSeconds(5)).until(() -> slots.available() == 0);
        assertThat(claim.isDone()).as("waiting for the group").isFalse();
        slots.release();
        slots.release();
        slots.release();
        assertThat(claim.get(30, TimeUnit.SECONDS)).isEqualTo(4);
    }

    /** A lone free slot waits for its window (never ending early), then is claimed alone rather than waiting for a group. */
    @Test
    void aLoneFreeSlotIsClaimedWhenTheWindowEndsSoItDoesNotStayIdle() throws Exception {
        SenderCapacity slots = new SenderCapacity(16, 50, 2_000); // a window long enough to see the claim wait in it
        slots.reserve();
        slots.release();
        Thread[] claimer = new Thread[1];
        Future<Integer> claim = claim(slots, claimer);
        await("waited for a group first: parked in the gathering window's timed wait")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> claim.isDone()
                        ? false
                        : claimer[0] != null && claimer[0].getState() == Thread.State.TIMED_WAITING);
        assertThat(claim.get(30, TimeUnit.SECONDS)).isEqualTo(1);
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
        await().atMost(Duration.ofSeconds(5)).until(() -> slots.available() == 0);
        claimer.interrupt();
        claimer.join(5000);
        assertThat(slots.available()).isEqualTo(2);
    }

    /** A claim on its own thread, so that the test can act while it waits and give up on it at a deadline. */
    private static Future<Integer> claim(SenderCapacity slots) {
        return claim(slots, new Thread[1]);
    }

    /** The claim on its own thread, which {@code thread[0]} names once it runs (to see it wait). */
    private static Future<Integer> claim(SenderCapacity slots, Thread[] thread) {
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            return one.submit(() -> {
                thread[0] = Thread.currentThread();
                return slots.reserve();
            });
        } finally {
            one.shutdown();
        }
    }
}
