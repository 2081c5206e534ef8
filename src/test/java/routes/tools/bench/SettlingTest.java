package routes.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The warm-up goes on in batches until the JIT compilers' share of the service's CPU falls under 5 %. */
class SettlingTest {

    /** A service whose compilers use the given shares, batch after batch; records the batch sizes asked for. */
    private static Settling.Batch shares(List<Integer> asked, double... shares) {
        return (readings, seed) -> {
            asked.add(readings);
            return Map.of("serviceCompilerCpuShare", shares[Math.min(asked.size() - 1, shares.length - 1)]);
        };
    }

    @Test
    void stopsAtTheFirstBatchUnderFivePercentAndCountsTheWarmUp() throws Exception {
        List<Integer> asked = new ArrayList<>();

        Map<String, Object> r = Settling.run(40_000, 6000, shares(asked, 0.22, 0.12, 0.049, 0.01), 1);

        assertThat(asked).containsExactly(5000, 5000, 5000);
        assertThat(r.get("settledAfter")).isEqualTo(6000 + 15_000);
        assertThat((List<?>) r.get("batches")).hasSize(3);
    }

    @Test
    void aShareOfExactlyFivePercentIsNotSettled() throws Exception {
        List<Integer> asked = new ArrayList<>();

        Map<String, Object> r = Settling.run(10_000, 0, shares(asked, 0.05), 1);

        assertThat(asked).containsExactly(5000, 5000);
        assertThat(r.get("settledAfter")).isNull();
    }

    @Test
    void neverUsesMoreThanTheMaximumAndSaysWhenTheCompilersDidNotSettle() throws Exception {
        List<Integer> asked = new ArrayList<>();

        Map<String, Object> r = Settling.run(12_000, 6000, shares(asked, 0.3), 1);

        assertThat(asked).containsExactly(5000, 5000);
        assertThat(r.get("settledAfter")).isNull();
    }

    @Test
    void aSmallMaximumIsOneBatchOfThatSizeAndZeroIsNone() throws Exception {
        List<Integer> asked = new ArrayList<>();

        Settling.run(400, 0, shares(asked, 0.3), 1);
        Map<String, Object> none = Settling.run(0, 0, shares(asked, 0.3), 1);

        assertThat(asked).containsExactly(400);
        assertThat((List<?>) none.get("batches")).isEmpty();
        assertThat(none.get("settledAfter")).isNull();
    }
}
