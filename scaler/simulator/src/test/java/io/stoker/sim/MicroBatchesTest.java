package io.stoker.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MicroBatchesTest {

  /** Runs {@code seconds} seconds at a constant arrival rate and capacity from a first backlog. */
  private static List<BatchProgress> run(
      MicroBatches b, double backlog, double rate, double capacity, int seconds) {
    double queued = backlog;
    for (int t = 0; t < seconds; t++) {
      MicroBatches.Second s = b.process(t, queued, rate, capacity);
      queued += rate - s.completedRecords();
    }
    return b.completed();
  }

  static Stream<Arguments> schedules() {
    return Stream.of(
        // interval, overhead, max records, first backlog, rate, capacity, seconds,
        // expected starts, expected rows
        Arguments.of(
            "a trigger with nothing queued waits for the next slot of the interval",
            5.0,
            0.0,
            0,
            0.0,
            10.0,
            20.0,
            18,
            new double[] {5, 10, 15},
            new long[] {50, 50, 50}),
        Arguments.of(
            "a batch that overruns the interval is followed at once; missed slots are not made up",
            10.0,
            1.0,
            0,
            1000.0,
            10.0,
            50.0,
            45,
            new double[] {0, 21, 30, 40},
            new long[] {1000, 210, 90, 100}),
        Arguments.of(
            "maxRecordsPerBatch bounds what a batch reads",
            10.0,
            0.0,
            300,
            1000.0,
            0.0,
            1000.0,
            35,
            new double[] {0, 10, 20, 30},
            new long[] {300, 300, 300, 100}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schedules")
  void startsBatchesAsSparksProcessingTimeExecutorDoes(
      String label,
      double interval,
      double overhead,
      int max,
      double backlog,
      double rate,
      double capacity,
      int seconds,
      double[] starts,
      long[] rows) {
    List<BatchProgress> done =
        run(new MicroBatches(interval, overhead, max), backlog, rate, capacity, seconds);

    assertThat(done.stream().mapToDouble(BatchProgress::startSecond).toArray())
        .containsExactly(starts, within(1e-6));
    assertThat(done.stream().mapToLong(BatchProgress::numInputRows).toArray())
        .containsExactly(rows);
  }

  @Test
  void aBatchLastsItsOverheadPlusItsRecordsOverTheCapacity() {
    // 1000 records, 1 s overhead, 50 records/s: 1 + 20 s.
    BatchProgress first = run(new MicroBatches(10, 1, 0), 1000, 10, 50, 25).get(0);

    assertThat(first.durationSeconds()).isCloseTo(21, within(1e-9));
    assertThat(first.addBatchSeconds()).isCloseTo(20, within(1e-9));
    assertThat(first.processedRowsPerSecond()).isCloseTo(1000 / 21.0, within(1e-9));
  }

  @Test
  void withNoIntervalBatchesRunBackToBackAndSettleWhereTheOverheadIsPaidOff() {
    // Steady state: D = overhead + rate x D / capacity, so D = 1 / (1 - 10/20) = 2 s, 20 rows.
    List<BatchProgress> done = run(new MicroBatches(0, 1, 0), 0, 10, 20, 120);

    for (int i = 1; i < done.size(); i++) {
      assertThat(done.get(i).startSecond()).isCloseTo(done.get(i - 1).endSecond(), within(1e-9));
    }
    BatchProgress last = done.get(done.size() - 1);
    assertThat(last.durationSeconds()).isCloseTo(2, within(1e-3));
    assertThat(last.numInputRows()).isEqualTo(20);
    assertThat(last.inputRowsPerSecond()).isCloseTo(10, within(1e-2));
  }

  @Test
  void countsRecordsAsProcessedOnlyWhenTheirBatchEndsAndSlotsBusyOnlyWhileTasksRun() {
    MicroBatches b = new MicroBatches(10, 2, 0);
    // 100 queued at 0: 2 s overhead, then 100 / 40 = 2.5 s of tasks, done at 4.5 s.
    double[] done = new double[6];
    double[] busy = new double[6];
    for (int t = 0; t < 6; t++) {
      MicroBatches.Second s = b.process(t, t == 0 ? 100 : 0, 0, 40);
      done[t] = s.completedRecords();
      busy[t] = s.busySeconds();
    }

    assertThat(done).containsExactly(new double[] {0, 0, 0, 0, 100, 0}, within(1e-9));
    assertThat(busy).containsExactly(new double[] {0, 0, 1, 1, 0.5, 0}, within(1e-9));
  }
}
