package io.stoker.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.stoker.core.model.Decision;
import io.stoker.core.model.Observation;
import io.stoker.core.model.Reason;
import io.stoker.core.model.ScalingOptions;
import io.stoker.core.model.ScalingOptions.Behavior;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rules of {@link Batches}: what Spark's micro-batches change in the decision. */
class MicroBatchesTest {

  /** A batch as Spark's progress reports it; interval NaN: unknown (back to back). */
  static Observation.MicroBatch batch(
      long rows, double seconds, double taskSeconds, double interval) {
    return batch(rows, seconds, taskSeconds, interval, Double.NaN);
  }

  /** With the batch's summed task time (slot-seconds; NaN: not published). */
  static Observation.MicroBatch batch(
      long rows, double seconds, double taskSeconds, double interval, double slotSeconds) {
    return new Observation.MicroBatch(
        rows, seconds, optional(taskSeconds), optional(interval), optional(slotSeconds));
  }

  /** One tick's signals: 1-core executors over 128 partitions, none pending, and the last batch. */
  private static UnaryOperator<Observation.Builder> observed(
      long backlog, double arrival, double processing, int ready, Observation.MicroBatch last) {
    UnaryOperator<Observation.Builder> signals =
        Drive.signals(backlog, arrival, processing, ready, 1, 128);
    return b -> signals.apply(b).lastBatch(last);
  }

  private static OptionalDouble optional(double v) {
    return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  /**
   * Rule "batch rate": one executor's rate is the batch's records over the time its tasks ran on
   * the executors that could run them, not the processing rate over a tick (offsets move once per
   * batch) nor over the idle part of an interval.
   */
  @ParameterizedTest(name = "{0} rows, tasks {2}s ({3} slot-s), ready {4}, partitions {5}: μ {8}")
  @CsvSource({
    // rows, batch s, task s, task slot-s, ready, partitions, busy, processing/s, expected μ
    // a 30 s trigger: the tick in which the batch committed saw 105000 rows in 10 s
    "105000, 11.5, 10.5, NaN, 10, 128, 0.35, 10500, 1000",
    // more executors than partitions: 8 of 10 run tasks
    "84000, 11.5, 10.5, NaN, 10, 8, 0.30, 8400, 1000",
    // the summed task time: right although 20 executors are ready now and 10 ran the batch
    "105000, 11.5, 10.5, 105, 20, 128, 0.35, 10500, 1000",
    // Spark does not say how long the tasks ran: the busy fraction as with continuous processing
    "105000, 11.5, NaN, NaN, 10, 128, 0.35, 10500, 3000",
  })
  void learnsTheExecutorRateFromTheBatchsRecordsOverItsTaskTime(
      long rows,
      double seconds,
      double taskSeconds,
      double slotSeconds,
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
                    .lastBatch(batch(rows, seconds, taskSeconds, 30, slotSeconds)));
    assertThat(decision.inputs().executorRate()).isCloseTo(expected, within(1.0));
  }

  /**
   * A batch is one measurement however many ticks it stays the last one: a minute-long batch must
   * not outweigh the short ones before it by the six ticks it took (seen on a real driver, where
   * the burst's batch ran for a minute).
   */
  @Test
  void aBatchThatStaysTheLastOneForSeveralTicksIsOneMeasurement() {
    Drive d = new Drive(ScalingOptions.defaults(), 10);
    // 1000/s per executor: 100000 rows over 100 slot-seconds, one core each
    Observation.MicroBatch fast = batch(100_000, 11, 10, 10, 100);
    // 500/s per executor, and it stays the last batch for six ticks
    Observation.MicroBatch slow = batch(50_000, 11, 10, 10, 100);
    Decision decision = null;
    for (Observation.MicroBatch b : List.of(fast, slow, slow, slow, slow, slow, slow)) {
      decision =
          d.tick(
              10,
              o ->
                  o.backlog(0)
                      .arrivalRate(3000)
                      .processingRate(3000)
                      .readyExecutors(10)
                      .pendingExecutors(0)
                      .coresPerExecutor(1)
                      .partitions(128)
                      .lastBatch(b));
    }
    // 1000 + 0.3 · (500 − 1000), where one sample per tick would give 500 + 500 · 0.7^6 = 559
    assertThat(decision.inputs().executorRate()).isCloseTo(850, within(1.0));
  }

  /**
   * Rule "batch fit": the least capacity per record/s that ends a batch within T, T = min(I, L − I)
   * with a trigger, L / 2 back to back or overrunning the trigger (the cheaper), overhead paid
   * first; then the utilisation's margin on capacity (m = 1 / u − 1 = 1/9), of which rule "slack"
   * gives back half the share s of the objective that the wait and the batch leave: fit · (1 + m ·
   * (1 − s / 2)), never below 1.
   */
  @ParameterizedTest(name = "interval {0}s, overhead {1}s, L {2}s, u {3}: {4}")
  @CsvSource({
    // interval (NaN: continuous), overhead, latency, utilisation, expected factor
    "NaN, NaN, 60, 0.9, 1.0556", // continuous processing: nothing waits, s = 1: 1 + m / 2
    "10, 0, 60, 0.9, 1.0731", // short trigger, no overhead: batches of 9 s, s = 1 − 19 / 60
    "10, 1, 60, 0.9, 1.1108", // within the interval 10 / 9; overrunning it, batches of up to 30 s:
    // 30 / 29, the cheaper; batches of 9.7 s, s = 1 − 19.7 / 60
    "30, 1, 60, 0.9, 1.1466", // T = min(30, 30): 30 / 29; batches of 27.1 s leave s = 0.05
    "40, 1, 60, 0.9, 2.3355", // T = min(40, 20): the wait leaves 20 s, 40 / 19; no overrun (the
    // interval exceeds L / 2)
    "0, 1, 60, 0.9, 1.1067", // back to back: 30 / 29; batches of 7.7 s, s = 1 − 15.4 / 60
    "0, 20, 60, 0.9, 3.3254", // back to back, heavy overhead: 30 / 10, s = 0.05
    "0, 3, 60, 0.9, 1.2053", // 30 / 27, s = 0.47; a tenth off the duration instead (27 / 24 =
    // 1.125) ran batches of 27 s, and of 30 s at 1 % more arrivals
    "10, 9.5, 60, 0.9, 1.6116", // within the interval 10 / 0.5 = 20; overrunning it 30 / 20.5
    "10, 12, 60, 0.9, 1.8398", // overhead beyond the interval: batches overrun it, 30 / 18
    "5, 2, 60, 0.9, 1.1558", // within the interval 5 / 3; overrunning it 30 / 28
    "60, 1, 60, 0.9, 1.1111", // the wait alone is the objective: capacity cannot help, 1 / u
    "0, 40, 60, 0.9, 1.1111", // the overhead alone exceeds L / 2: capacity cannot help, 1 / u
    "NaN, NaN, 60, 1.0, 1.0", // no margin to give back
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
   * Rule "standing backlog": λ·(max(I, d) + d), d the batch in flight's duration (the last batch's,
   * or longer when the arrivals rose since: rule "batch in flight") up to the one sizing aims at (a
   * slower batch has fallen behind), at most λ·L.
   */
  @ParameterizedTest(
      name = "interval {0}s, overhead {1}s, batch {2}s, capacity {3}/s: {4} s of arrivals")
  @CsvSource({
    // interval (0: back to back, NaN: continuous), overhead s, last batch s, ready capacity
    // (NaN: executor rate unknown), expected seconds; arrivals 1000/s
    "NaN, 0, 0, NaN, 0", // continuous processing: nothing stands
    "10, 0, 4, NaN, 14", // the wait for the next trigger plus the batch
    "10, 0, 4, 5000, 14", // the batch in flight is no shorter than the last (2 s at 5000/s)
    "10, 1, 51, NaN, 20.0467", // a slow batch counts as the 10.02 s aimed at (1 / (1 − 1 /
    // 1.1108): at that capacity batches just overrun the trigger)
    "0, 1, 5, NaN, 10", // back to back: 2D
    "0, 1, 40, NaN, 20.7459", // counts as the 10.4 s aimed at (1 / (1 − 1 / 1.1067))
    "30, 1, 27, NaN, 57", // 1 + 30 / 1.1466 = 27.2
    // rule "batch in flight": the last batch ran 6.3 s at lower arrivals; the one in flight reads
    // 30 s at 1000/s and runs them on the capacity there is
    "30, 1, 6.3, NaN, 36.3", // capacity unknown: the last batch's duration
    "30, 1, 6.3, 1250, 55", // 1 + 30000 / 1250 = 25 s
    "30, 1, 6.3, 1000, 57.1640", // 31 s: counts as the 27.16 s aimed at (1 + 30 / 1.1466)
    "30, 1, 6.3, 0, 57.1640", // no executor ready: it does not end, and counts as the 27.16 s
    "60, 1, 5, NaN, 60", // at most the objective (here the trigger alone exceeds it)
  })
  void countsWhatWaitsForTheNextTriggerAndTheBatchInFlight(
      double interval, double overhead, double seconds, double capacity, double expected) {
    Optional<Observation.MicroBatch> b =
        Double.isNaN(interval)
            ? Optional.empty()
            : Optional.of(
                batch(
                    1000,
                    seconds,
                    Math.max(0, seconds - overhead),
                    interval == 0 ? Double.NaN : interval));
    assertThat(Batches.standingBacklog(b, 1000, 60, 0.9, capacity))
        .isCloseTo(expected * 1000, within(1.0));
  }

  /**
   * Rule "needed on their way": with micro-batches a burst first hides in the batch in flight, so
   * the executors asked for are kept while the ready ones cannot process the arrivals; once the
   * burst is gone they may be cancelled.
   */
  @ParameterizedTest(name = "burst to {0}/s, then {1}/s: held {2}")
  @CsvSource({
    // burst arrival, next tick's arrival, executors asked for kept
    "17500, 17500, true",
    "17500, 3800, true", // 4 ready process 4000/s, but batches fit the objective at 3800·1.15
    "17500, 3000, false",
  })
  void keepsExecutorsOnTheirWayWhileTheReadyOnesCannotKeepUp(
      double burst, double next, boolean held) {
    Drive d = new Drive(ScalingOptions.defaults(), 4);
    double[] arrivals = {3000, 3000, 3000, 3000, 3000, 3000, burst};
    for (double arrival : arrivals) {
      int ready = 4;
      // the fleet of 4 with a 30 s trigger and 1 s overhead: a batch of 3000·30 records
      double seconds = 1 + 3000.0 * 30 / (ready * 1000);
      d.tick(
          10,
          b ->
              b.backlog(Math.round(arrival * 40))
                  .arrivalRate(arrival)
                  .processingRate(90000 / seconds)
                  .readyExecutors(ready)
                  .pendingExecutors(Math.max(0, d.target() - ready))
                  .coresPerExecutor(1)
                  .partitions(128)
                  .lastBatch(batch(90000, seconds, seconds - 1, 30)));
    }
    int asked = d.target();
    assertThat(asked).isGreaterThan(20);
    d.tick(
        10,
        b ->
            b.backlog(Math.round(next * 40))
                .arrivalRate(next)
                .processingRate(90000 / 23.5)
                .readyExecutors(4)
                .pendingExecutors(asked - 4)
                .coresPerExecutor(1)
                .partitions(128)
                .lastBatch(batch(90000, 23.5, 22.5, 30)));
    assertThat(d.target() >= asked).as(d.last().reason()).isEqualTo(held);
  }

  /**
   * Rule "catching up": what the last batch read beyond a batch of the executors keeping up,
   * λ·max(I, D), D the shorter of the duration aimed at and the one the ready capacity gives.
   */
  @ParameterizedTest(name = "interval {0}s, capacity {1}/s, {2} rows read: {3} beyond")
  @CsvSource({
    // interval (0: back to back), ready capacity (NaN: unknown), rows read, expected (λ 1000/s)
    "0, NaN, 30000, 19627", // D aimed at 1 / (1 − 1 / 1.1067) = 10.4 s
    "0, 2000, 30000, 28000", // twice the arrivals keep up with batches of 1 / (1 − 0.5) = 2 s
    "0, 1000, 30000, 19627", // no faster than the arrivals: the duration aimed at
    "10, 2000, 10000, 0", // a trigger's worth of records: nothing to work off
    "10, 2000, 25000, 15000",
  })
  void catchingUpIsWhatTheLastBatchReadBeyondASteadyOne(
      double interval, double capacity, long rows, double expected) {
    Optional<Observation.MicroBatch> b =
        Optional.of(batch(rows, 5, 4, interval == 0 ? Double.NaN : interval));
    assertThat(Batches.catchingUp(b, 1000, 60, 0.9, capacity)).isCloseTo(expected, within(1.0));
    assertThat(Batches.catchingUp(Optional.empty(), 1000, 60, 0.9, capacity)).isZero();
  }

  /**
   * Rule "catching up": the lag rises and falls with each commit, and a tick may see it just after
   * one; the last batch's input rows still show a backlog being worked off, so the fleet is kept
   * until batches are back to their steady size.
   */
  @ParameterizedTest(name = "last batch {0} rows: target {1}")
  @CsvSource({
    // rows the last batch read at 3000/s on 10 executors, back to back with 1 s overhead
    "200000, 10", // far more than a steady batch's: still catching up
    "3500, 4", // a steady batch (D = 1 / (1 − 0.3) = 1.4 s): 3000·1.1067 / 1000 → 4
  })
  void noScaleInWhileTheLastBatchWorkedOffABacklog(long rows, int expected) {
    Drive d = new Drive(ScalingOptions.defaults(), 10);
    for (int i = 0; i < 6; i++) {
      // 8000/s on 10 executors: batches of D = 1 / (1 − 0.8) = 5 s, 40000 rows
      d.tick(10, observed(80_000, 8000, 8000, 10, batch(40_000, 5, 4, Double.NaN)));
    }
    assertThat(d.target()).isEqualTo(10);
    // the arrivals drop; the lag is seen just after a commit, a few seconds of arrivals
    for (int i = 0; i < 8; i++) {
      d.tick(
          10,
          observed(
              6000,
              3000,
              rows / (1 + rows / 10_000.0),
              10,
              batch(rows, 1 + rows / 10_000.0, rows / 10_000.0, Double.NaN)));
    }
    assertThat(d.target()).as(d.last().reason()).isEqualTo(expected);
  }

  /**
   * Rule "catching up", the batch in flight: a batch that overran its 30 s trigger (50 s on the 4
   * executors there were after a step to 8000/s) is followed at once by one reading the 50 s that
   * arrived meanwhile. When the executors asked for arrive, the lag holds that batch and 10 s more,
   * barely beyond the standing backlog; cut back to the steady 10, the batch in flight would take
   * 40 s more on records already 50 s old.
   */
  @Test
  void noScaleInWhileTheBatchInFlightHoldsWhatArrivedDuringAnOverrun() {
    Drive d = new Drive(ScalingOptions.defaults(), 19);
    // 240000 rows in 240 slot-seconds on 1-core executors: 1000/s each
    Observation.MicroBatch overran = batch(240_000, 50, 49, 30, 240);
    for (int i = 0; i < 3; i++) {
      Decision decision = d.tick(10, observed(480_000, 8000, 8000, 19, overran));
      assertThat(decision.target()).as(decision.reason()).isEqualTo(19);
    }
    // once a batch of one interval's records commits in time, the fleet comes down
    Observation.MicroBatch steady = batch(240_000, 13.6, 12.6, 30, 240);
    for (int i = 0; i < 12; i++) {
      d.tick(10, observed(350_000, 8000, 8000, d.target(), steady));
    }
    assertThat(d.target()).as(d.last().reason()).isEqualTo(10);
  }

  /**
   * Rule "batch in flight": after arrivals rise from 3000 to 15800/s, the last batch (6.3 s at the
   * old rate) says nothing of the one in flight, which reads 30 s of the new arrivals and takes 1 +
   * 474000 / 17000 = 28.9 s on the 17 executors there are. The lag holding that batch and what
   * arrived since is what waits as a matter of course, not a backlog to drain (records wait at most
   * 30 + 28.9 s). Counted as one, 10 s into the batch it asked for 20 executors (the arrivals need
   * 18.1, within the tolerance of 17), to come back once the batch committed.
   */
  @Test
  void theBatchInFlightAtRisenArrivalsIsNoBacklogToDrain() {
    // 17 held while little arrives, as burst headroom would hold them: here minExecutors
    ScalingOptions o = ScalingOptions.defaults().toBuilder().bounds(17, 128).build();
    Drive d = new Drive(o, 17);
    // 3000/s on 17 executors at 1000/s each: batches of 1 + 90000 / 17000 = 6.3 s
    Observation.MicroBatch last = batch(90_000, 6.294, 5.294, 30);
    for (int i = 0; i < 18; i++) {
      d.tick(10, observed(Math.round(3000 * 36.294), 3000, 3000, 17, last));
    }
    assertThat(d.last().inputs().executorRate()).isCloseTo(1000, within(1.0));
    // 10 and 20 s into the batch in flight: its 474000 rows and what arrived since
    for (long lag : new long[] {632_000, 790_000}) {
      Decision decision = d.tick(10, observed(lag, 15_800, 3000, 17, last));
      assertThat(decision.target()).as(decision.reason()).isEqualTo(17);
    }
  }

  /**
   * Rule "catching up" while nothing arrives: no batch runs, and the driver goes on publishing the
   * last one, which says nothing about a backlog now. The fleet scales in.
   */
  @Test
  void scalesInWhenNothingArrivesWhateverTheLastBatchRead() {
    Drive d = new Drive(ScalingOptions.defaults(), 7);
    // 5500/s on 7 executors at 1000/s, back to back with 1 s overhead: batches of 4.7 s
    Observation.MicroBatch last = batch(25_667, 4.667, 3.667, Double.NaN);
    for (int i = 0; i < 6; i++) {
      d.tick(10, observed(51_333, 5500, 5500, 7, last));
    }
    assertThat(d.target()).isEqualTo(7);
    for (int i = 0; i < 30; i++) {
      d.tick(10, observed(0, 0, 0, d.target(), last));
    }
    assertThat(d.target()).as(d.last().reason()).isLessThan(7);
  }

  /**
   * Rule "beyond the objective": a lag worth more than an objective of arrivals means records older
   * than the objective wait, whatever the standing backlog of a 30 s trigger (up to 57 s of
   * arrivals here) and the rows of the last batch say: no scale-in then.
   */
  @ParameterizedTest(name = "lag {0}: target {1}")
  @CsvSource({
    "1100000, 32", // 62.9 s of arrivals: records beyond the objective
    "1000000, 21", // 57.1 s: what waits for the next trigger and the batch in flight (17500·1.154)
  })
  void noScaleInWhileTheLagHoldsMoreThanAnObjectiveOfArrivals(long lag, int expected) {
    ScalingOptions o =
        ScalingOptions.defaults().toBuilder()
            .scaleDown(Behavior.unlimited().withWindow(Duration.ZERO))
            .build();
    Drive d = new Drive(o, 32);
    for (int i = 0; i < 6; i++) {
      // 27000/s on 32 executors at 1000/s: batches of 1 + 30·27000/32000 = 26.3 s
      d.tick(10, observed(1_520_000, 27_000, 27_000, 32, batch(810_000, 26.3, 25.3, 30, 810)));
    }
    assertThat(d.target()).isEqualTo(32);
    // the arrivals fall to 17500/s; the last batch read 600000 rows, hardly more than a steady
    // batch (525000), and ended within its interval (an overrun would put what arrived meanwhile in
    // the batch in flight: rule "catching up")
    Decision decision =
        d.tick(10, observed(lag, 17_500, 17_500, 32, batch(600_000, 29, 28, 30, 600)));
    assertThat(decision.target()).as(decision.reason()).isEqualTo(expected);
  }

  /**
   * Rule "read cap": the source hands each batch at most 50000 records (Kafka's {@code
   * maxOffsetsPerTrigger}) while 20000/s arrive. The batches fit their 10 s trigger on 8 executors
   * and the lag grows by 150000 a tick whatever the fleet: more executors would idle. The first
   * batch alone could be a burst that began after it started, and the lag is scaled out for; once a
   * second batch read as little while records waited, the fleet is sized for the capped batches and
   * never grows again: 50000 / (1000 · 0.9 · (10 − 1)) = 6.2, so 7.
   */
  @Test
  void aCappedReadIsNoReasonToAddExecutors() {
    Drive d = new Drive(ScalingOptions.defaults(), 8);
    List<Decision> decisions = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      decisions.add(d.tick(10, capped(d.target(), 400_000 + 150_000L * i, 10)));
    }
    // the first tick sizes for the lag: nothing says yet that the batches cannot read it
    assertThat(decisions.get(0).reasonCode()).isNotEqualTo(Reason.READ_CAPPED);
    assertThat(decisions.get(0).target()).isGreaterThan(8);
    int seen =
        decisions.indexOf(
            decisions.stream()
                .filter(x -> x.reasonCode() == Reason.READ_CAPPED)
                .findFirst()
                .orElseThrow());
    assertThat(seen).as("ticks before the cap is seen").isBetween(1, 3);
    for (int i = seen; i < decisions.size(); i++) {
      Decision x = decisions.get(i);
      assertThat(x.target()).as(x.reason()).isLessThanOrEqualTo(x.from());
    }
    assertThat(d.target()).as(d.last().reason()).isEqualTo(7);
    assertThat(d.last().reasonCode()).isEqualTo(Reason.READ_CAPPED);
    assertThat(d.last().reason()).contains("maxOffsetsPerTrigger", "5000/s");
  }

  /**
   * Rule "read cap" remembers the cap once seen: while the lag drains, batches that read fewer
   * records (the query is catching up at the capped rate) still need no more executors than a
   * capped batch; a batch that reads more than the cap shows it was raised, and the lag is sized
   * for again.
   */
  @ParameterizedTest(name = "then batches of {0} records: capped {1}")
  @CsvSource({"30000, true", "80000, false"})
  void aReadCapHoldsUntilABatchReadsMore(long rows, boolean stillCapped) {
    Drive d = new Drive(ScalingOptions.defaults(), 8);
    for (int i = 0; i < 40; i++) {
      d.tick(10, capped(d.target(), 400_000 + 150_000L * i, 10));
    }
    assertThat(d.target()).isEqualTo(7);
    d.tick(10, cappedAt(rows, 7, 6_000_000, 10));
    if (stillCapped) {
      assertThat(d.last().reasonCode()).as(d.last().reason()).isEqualTo(Reason.READ_CAPPED);
      assertThat(d.target()).as(d.last().reason()).isEqualTo(7);
    } else {
      assertThat(d.last().reasonCode()).as(d.last().reason()).isNotEqualTo(Reason.READ_CAPPED);
      assertThat(d.target()).as(d.last().reason()).isGreaterThan(7);
    }
  }

  /**
   * Rule "read cap" names the cap while it holds records back, also when the demand asks for no
   * more executors than a capped batch needs: 20000 records wait beyond the standing backlog of
   * 200/s arrivals, the demand ((200 · 1.06 + 20000 / 60) / 1000) and the capped batches of 5000
   * records (5000 / (1000 · 0.9 · 9)) both need 1 executor. The user learns why the lag stays.
   */
  @Test
  void aCapHoldingRecordsBackIsNamedAlsoWhenTheDemandAsksNoMore() {
    Drive d = new Drive(ScalingOptions.defaults(), 1);
    for (int i = 0; i < 6; i++) {
      double seconds = 1 + 5000 / 1000.0;
      d.tick(10, observed(20_000, 200, 500, 1, batch(5000, seconds, seconds - 1, 10)));
    }
    assertThat(d.target()).isEqualTo(1);
    assertThat(d.last().reasonCode()).as(d.last().reason()).isEqualTo(Reason.READ_CAPPED);
    assertThat(d.last().reason()).contains("5000 records", "500/s");
  }

  /** The batches of {@link #aCappedReadIsNoReasonToAddExecutors} on {@code ready} executors. */
  private static UnaryOperator<Observation.Builder> capped(int ready, long lag, double interval) {
    return cappedAt(50_000, ready, lag, interval);
  }

  private static UnaryOperator<Observation.Builder> cappedAt(
      long rows, int ready, long lag, double interval) {
    double seconds = 1 + rows / (ready * 1000.0);
    return observed(lag, 20_000, 5000, ready, batch(rows, seconds, seconds - 1, interval));
  }

  /**
   * Rule "read cap" does not take a rise for a cap: batches reading more records each time are not
   * capped, and neither are batches back to back (there more executors shorten each batch, and so
   * raise a capped query's throughput). Both scale out for the lag.
   */
  @ParameterizedTest(name = "interval {0}s, rows growing {1}")
  @CsvSource({"10, true", "NaN, false"})
  void batchesThatReadMoreOrRunBackToBackAreNotCapped(double interval, boolean growing) {
    Drive d = new Drive(ScalingOptions.defaults(), 8);
    long rows = 50_000;
    for (int i = 0; i < 6; i++) {
      d.tick(10, cappedAt(rows, d.target(), 400_000 + 150_000L * i, interval));
      rows = growing ? rows * 11 / 10 : rows;
    }
    assertThat(d.last().reasonCode()).as(d.last().reason()).isNotEqualTo(Reason.READ_CAPPED);
    assertThat(d.target()).as(d.last().reason()).isGreaterThan(8);
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
    "30, 1, 3000, 0, 4", // 3000·1.1466 / 1000
    "10, 1, 3000, 0, 4", // 3000·1.1108 / 1000
    "0, 1, 3000, 0, 4", // back to back: 3000·1.1067 / 1000
    "0, 1, 3000, 100000, 10", // a real backlog: still draining, no scale-down
    "30, 1, 3500, 0, 5", // 3500·1.1466 / 1000 = 4.01 (3500 / 0.9 alone would need 4)
    "0, 3, 9000, 0, 11", // 9000·1.2053 / 1000: on 11, batches of 3 / (1 − 9000 / 11000) = 16.5 s,
    // a record waits 33 s of the 60
    "5, 2, 3000, 0, 4", // batches overrun the trigger, 2 / (1 − 0.75) = 8 s: 3000·1.1558 / 1000
    // (fitting them within 5 s would take twice the arrivals' rate: 6)
  })
  void scalesInWhenTheBacklogIsOnlyWhatWaitsForTheNextBatch(
      double interval, double overhead, double arrival, long extra, int expected) {
    double mu = 1000;
    Drive d = new Drive(ScalingOptions.defaults(), 10);
    for (int i = 0; i < 18; i++) {
      int ready = d.target();
      double capacity = ready * mu;
      // the steady batches of this fleet: a trigger's worth of records, or back to back (no
      // trigger, or overrunning it) what arrived during the previous batch (D = O / (1 − λ / C))
      double withinInterval = overhead + arrival * interval / capacity;
      double seconds =
          interval > 0 && withinInterval <= interval
              ? withinInterval
              : overhead / (1 - arrival / capacity);
      long rows = Math.round(arrival * Math.max(interval, seconds));
      double waited = Math.max(interval, seconds) + seconds;
      long backlog = Math.round(arrival * waited) + extra;
      d.tick(
          10,
          observed(
              backlog,
              arrival,
              rows / seconds,
              ready,
              batch(rows, seconds, seconds - overhead, interval > 0 ? interval : Double.NaN)));
    }
    assertThat(d.last().inputs().executorRate()).isCloseTo(mu, within(1.0));
    assertThat(d.target()).as(d.last().reason()).isEqualTo(expected);
  }

  /**
   * Rule "wait counted": a burst's records first wait for the next trigger, so burst headroom keeps
   * a burst within what the objective leaves beyond that wait. With a remembered burst to 12000/s
   * and executors 70 s away, the headroom grows with the interval. Each executor carries μ / f
   * through the burst, f the batch fit at full utilisation: batches pay their overhead.
   */
  @ParameterizedTest(name = "interval {0}s, overhead {1}s: burst latency {2}s, headroom {3}")
  @CsvSource({
    // interval (NaN: continuous), overhead, burst latency, expected target once the burst is over
    "NaN, 0, 60, 2", // 12000·(1 − 60/70) / 1000 = 1.7
    "10, 0, 50, 4", // 12000·(1 − 50/70) / 1000 = 3.4
    "30, 0, 30, 7", // 12000·(1 − 30/70) / 1000 = 6.9
    "30, 1, 30, 8", // 6857 / (1000·29/30) = 7.1
    "10, 5, 50, 5", // f = min(10/5, 30/25) = 1.2: 3429 / 833 = 4.1
  })
  void burstHeadroomCountsTheWaitForTheNextTrigger(
      double interval, double overhead, double burstLatency, int expected) {
    Optional<Observation.MicroBatch> b =
        Double.isNaN(interval) ? Optional.empty() : Optional.of(batch(1, 1, 1, interval));
    assertThat(Batches.burstLatency(b, 60)).isEqualTo(burstLatency);
    Drive d = new Drive(ScalingOptions.defaults(), 2);
    double[] arrivals = {1000, 1000, 1000, 12000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000};
    for (double arrival : arrivals) {
      d.tick(
          10,
          o -> {
            Observation.Builder x =
                o.backlog(0)
                    .arrivalRate(arrival)
                    .processingRate(Math.min(arrival, d.target() * 1000.0))
                    .readyExecutors(d.target())
                    .pendingExecutors(0)
                    .coresPerExecutor(1)
                    .partitions(128)
                    .busyFraction(Math.min(1, arrival / (d.target() * 1000.0)));
            return Double.isNaN(interval) ? x : x.lastBatch(batch(0, overhead, 0, interval));
          });
    }
    assertThat(d.last().inputs().burstRate()).isEqualTo(12000);
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
