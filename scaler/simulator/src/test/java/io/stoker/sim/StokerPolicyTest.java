package io.stoker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StokerPolicyTest {

  @Test
  void readsTheLastBatchsProcessedRowsPerSecondWithMicroBatches() {
    Scenario sc = Fixtures.exact("triggerIntervalSeconds", 10, "batchOverheadSeconds", 1);
    TestingSimView v = new TestingSimView(sc).batch(0, 4, 400).batch(10, 5, 1000).at(20);

    // The batch that ended at 15 s: 1000 rows over its 5 s, overhead included.
    assertThat(StokerPolicy.processingRate(v, 10, Double.NaN)).isEqualTo(200);
    // No batch ended since 16 s: the gauge keeps the last value.
    assertThat(StokerPolicy.processingRate(v, 16, 200)).isEqualTo(200);
    assertThat(StokerPolicy.processingRate(v, 16, Double.NaN)).isNaN();
  }

  @Test
  void readsTheCommittedOffsetsDeltaWithContinuousProcessing() {
    Scenario sc = Fixtures.exact();
    TestingSimView v = new TestingSimView(sc).batch(0, 4, 400).at(10);

    assertThat(StokerPolicy.processingRate(v, 0, 123)).isZero();
  }

  /**
   * The trigger interval from the progress alone: the gap between two batches' starts when the
   * first ended before the second started; none when batches run back to back.
   */
  @ParameterizedTest(name = "starts {0} and {2}, first lasting {1}s, known {3}: {4}")
  @CsvSource({
    // first start, first duration, second start, known interval (NaN: none), expected
    "0, 4, 10, NaN, 10", // waited for the next trigger
    "10, 12, 22, NaN, NaN", // overran: the next started at once, nothing learned
    "22, 3, 30, 10, 10", // started late after an overrun, then waited: the gap is shorter
    "0, 4, 4, NaN, NaN", // back to back
  })
  void infersTheTriggerIntervalFromTheProgress(
      double start, double duration, double next, double known, double expected) {
    BatchProgress first = new BatchProgress(1, start, duration, duration, 100, 0);
    BatchProgress second = new BatchProgress(2, next, 1, 1, 100, 0);
    double seen = StokerPolicy.intervalSeen(first, second, known);
    if (Double.isNaN(expected)) {
      assertThat(seen).isNaN();
    } else {
      assertThat(seen).isEqualTo(expected);
    }
  }

  /**
   * Rule "read cap" on the simulator's own micro-batches, which read at most {@code
   * maxRecordsPerBatch}: 60000 records per 10 s trigger, 6000/s, while the step workload brings up
   * to 10000/s. After the first step the lag grows whatever the fleet; once two batches read the
   * cap while records waited, Stoker holds the 7 executors that run such a batch within its trigger
   * (60000 / (1000 · 0.9 · 10) = 6.7), where it used to go to 32, its partition cap.
   */
  @Test
  void aCappedSourceKeepsTheFleetToWhatTheCappedBatchesNeed() throws InputException {
    Scenario sc =
        Scenario.fromMap(Map.of("triggerIntervalSeconds", 10, "maxRecordsPerBatch", 60000));
    SimResult r = new Simulator(sc).run(Workloads.generate("step", 42), new StokerPolicy(), 0);
    int[] target = r.series().target();
    double[] rate = r.series().arrivalRate();
    int firstStep = 0;
    while (rate[firstStep] < 6000) {
      firstStep++;
    }
    // a few minutes for the batch in flight, the cap to show twice, and the scale-down window
    int settled = firstStep + 300;
    assertThat(Arrays.stream(target, settled, target.length).max()).hasValue(7);
    assertThat(r.slaViolationSeconds()).isPositive(); // the cap, not the executors, breaks it
  }
}
