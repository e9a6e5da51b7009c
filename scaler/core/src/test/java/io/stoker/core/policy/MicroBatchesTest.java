package io.stoker.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.stoker.core.model.Decision;
import io.stoker.core.model.Observation;
import io.stoker.core.model.ScalingOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rules of {@link Batches}: what Spark's micro-batches change in the decision. */
class MicroBatchesTest {

  /** A batch as Spark's progress reports it; interval NaN: unknown (back to back). */
  static Observation.MicroBatch batch(
      long rows, double seconds, double taskSeconds, double interval) {
    return new Observation.MicroBatch(
        rows,
        seconds,
        Double.isNaN(taskSeconds) ? OptionalDouble.empty() : OptionalDouble.of(taskSeconds),
        Double.isNaN(interval) ? OptionalDouble.empty() : OptionalDouble.of(interval));
  }

  /**
   * Rule "batch rate": one executor's rate is the batch's records over the time its tasks ran on
   * the executors that could run them, not the processing rate over a tick (offsets move once per
   * batch) nor over the idle part of an interval.
   */
  @ParameterizedTest(name = "{0} rows, tasks {2}s, ready {3}, partitions {4}: μ {7}")
  @CsvSource({
    // rows, batch s, task s, ready, partitions, busy, processing/s, expected μ
    // a 30 s trigger: the tick in which the batch committed saw 105000 rows in 10 s
    "105000, 11.5, 10.5, 10, 128, 0.35, 10500, 1000",
    // more executors than partitions: 8 of 10 run tasks
    "84000, 11.5, 10.5, 10, 8, 0.30, 8400, 1000",
    // Spark does not say how long the tasks ran: the busy fraction as with continuous processing
    "105000, 11.5, NaN, 10, 128, 0.35, 10500, 3000",
  })
  void learnsTheExecutorRateFromTheBatchsRecordsOverItsTaskTime(
      long rows,
      double seconds,
      double taskSeconds,
      int ready,
      int partitions,
      double busy,
      double processing,
      double expected) {
    Drive d = new Drive(ScalingOptions.defaults(), ready);
    Decision decision =
        d.tick(
            10,
            b ->
                b.backlog(0)
                    .arrivalRate(3000)
                    .processingRate(processing)
                    .readyExecutors(ready)
                    .pendingExecutors(0)
                    .coresPerExecutor(1)
                    .partitions(partitions)
                    .busyFraction(busy)
                    .lastBatch(batch(rows, seconds, taskSeconds, 30)));
    assertThat(decision.inputs().executorRate()).isCloseTo(expected, within(1.0));
  }

  /**
   * Rule "batch fit": capacity per record/s so that a batch ends within {@code u·T}, T = min(I, L −
   * I) with a trigger, L / 2 back to back, overhead paid first; never below {@code 1 / u}.
   */
  @ParameterizedTest(name = "interval {0}s, overhead {1}s, L {2}s, u {3}: {4}")
  @CsvSource({
    // interval (NaN: continuous), overhead, latency, utilisation, expected factor
    "NaN, NaN, 60, 0.9, 1.1111", // continuous processing: 1 / u
    "10, 0, 60, 0.9, 1.1111", // short trigger, no overhead: 10 / 9
    "10, 1, 60, 0.9, 1.25", // 10 / (9 − 1)
    "30, 1, 60, 0.9, 1.1538", // T = min(30, 30), 30 / (27 − 1)
    "40, 1, 60, 0.9, 2.3529", // T = min(40, 20): the wait leaves 20 s; 40 / (18 − 1)
    "0, 1, 60, 0.9, 1.1111", // back to back: 27 / 26 < 1 / u
    "0, 20, 60, 0.9, 3.8571", // back to back, heavy overhead: 27 / 7
    "10, 9.5, 60, 0.9, 20", // overhead beyond u·T: aims at T itself, 10 / 0.5
    "10, 12, 60, 0.9, 1.1111", // overhead beyond the interval: capacity cannot help
    "60, 1, 60, 0.9, 1.1111", // the wait alone is the objective: capacity cannot help
  })
  void sizesSoThatBatchesEndWithinTheTargetTime(
      double interval, double overhead, double latency, double u, double expected) {
    Optional<Observation.MicroBatch> b =
        Double.isNaN(overhead)
            ? Optional.empty()
            : Optional.of(batch(1000, 5 + overhead, 5, interval == 0 ? Double.NaN : interval));
    assertThat(Batches.capacityFactor(b, latency, u)).isCloseTo(expected, within(1e-4));
  }

  /**
   * Rule "standing backlog": with a trigger, the records waiting for the next trigger and those of
   * the batch in flight, about λ·(I + D), are the steady state, not a backlog to drain: an
   * over-provisioned fleet scales in to what the batches need. Only a backlog beyond it defers
   * scale-down. The last row is above the plain {@code λ / u} because of the overhead ("batch
   * fit").
   */
  @ParameterizedTest(name = "interval {0}s, overhead {1}s, λ {2}/s, backlog beyond {3}: {4}")
  @CsvSource({
    // interval (0: back to back), overhead s, arrival/s, backlog beyond the standing one, target
    "30, 1, 3000, 0, 4", // 3000·1.1538 / 1000
    "10, 1, 3000, 0, 4", // 3000·1.25 / 1000
    "0, 1, 3000, 0, 4", // back to back: 3000 / 0.9 / 1000
    "10, 1, 3000, 100000, 10", // a real backlog: still draining, no scale-down
    "30, 1, 3500, 0, 5", // 3500·1.1538 / 1000 = 4.04 (3500 / 0.9 alone would need 4)
  })
  void scalesInWhenTheBacklogIsOnlyWhatWaitsForTheNextBatch(
      double interval, double overhead, double arrival, long extra, int expected) {
    double mu = 1000;
    Drive d = new Drive(ScalingOptions.defaults(), 10);
    for (int i = 0; i < 18; i++) {
      int ready = d.target();
      double capacity = ready * mu;
      // the steady batches of this fleet: a trigger's worth of records, or back to back what
      // arrived during the previous batch (D = O / (1 − λ / C))
      double seconds =
          interval > 0
              ? overhead + arrival * interval / capacity
              : overhead / (1 - arrival / capacity);
      long rows = Math.round(arrival * Math.max(interval, seconds));
      double waited = Math.max(interval, seconds) + seconds;
      long backlog = Math.round(arrival * waited) + extra;
      d.tick(
          10,
          b ->
              b.backlog(backlog)
                  .arrivalRate(arrival)
                  .processingRate(rows / seconds)
                  .readyExecutors(ready)
                  .pendingExecutors(0)
                  .coresPerExecutor(1)
                  .partitions(128)
                  .lastBatch(
                      batch(
                          rows,
                          seconds,
                          seconds - overhead,
                          interval > 0 ? interval : Double.NaN)));
    }
    assertThat(d.last().inputs().executorRate()).isCloseTo(mu, within(1.0));
    assertThat(d.target()).as(d.last().reason()).isEqualTo(expected);
  }

  /**
   * Burst memory covers a daily pattern (issue 18): a burst seen hours ago still sizes the headroom
   * of today's quiet periods, so that yesterday's peak is not a surprise.
   */
  @Test
  void remembersABurstForADay() {
    assertThat(ScalingOptions.defaults().burstMemory())
        .isGreaterThanOrEqualTo(Duration.ofHours(24));
    Drive d = new Drive(ScalingOptions.defaults(), 4);
    d.tick(10, Drive.steady(2000, 4, 0.5));
    d.tick(10, Drive.steady(20000, 4, 1.0));
    for (int i = 0; i < 6 * 60 * 3; i++) {
      d.tick(10, Drive.steady(2000, d.target(), 0.5));
    }
    assertThat(d.last().inputs().burstRate()).isGreaterThanOrEqualTo(20000);
  }
}
