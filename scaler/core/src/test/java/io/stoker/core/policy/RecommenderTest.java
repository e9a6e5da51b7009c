package io.stoker.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.core.model.Decision;
import io.stoker.core.model.Direction;
import io.stoker.core.model.Observation;
import io.stoker.core.model.Reason;
import io.stoker.core.model.ScalingOptions;
import io.stoker.core.model.ScalingOptions.Behavior;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The decision rules of the core, one table or scenario per rule. */
class RecommenderTest {

  private static final ScalingOptions DEFAULTS = ScalingOptions.defaults();

  // ---- demand sizing ------------------------------------------------------------------------

  static Stream<Arguments> demandTable() {
    // arrival, busy, ready, backlog, expected target  (μ learned = arrival/(busy·ready))
    return Stream.of(
        // 9000/s at 1000/s per executor and utilisation 0.9, half its margin given back with
        // continuous processing (rule "slack"): 9000·1.0556 / 1000 → 10 executors
        Arguments.of(9000.0, 0.9, 10, 0L, 10),
        // same load observed on 15 executors at 60% busy → still 10
        Arguments.of(9000.0, 0.6, 15, 0L, 10),
        // 1800/s → 2 executors
        Arguments.of(1800.0, 0.9, 2, 0L, 2),
        // a backlog of 240000: the ready 10 work 30000 off beyond 9000·1.0556 until new
        // executors could arrive (60 s), the rest drains within the 60 s objective:
        // (9500 + 210000 / 60) / 1000 → 13 executors
        Arguments.of(9000.0, 0.9, 10, 240_000L, 13));
  }

  @ParameterizedTest
  @MethodSource("demandTable")
  void sizesForArrivalsAtTargetUtilisationPlusBacklogDrainedWithinObjective(
      double arrival, double busy, int ready, long backlog, int expected) {
    Drive d = new Drive(DEFAULTS, ready);
    Decision decision =
        d.tick(
            10,
            b ->
                Drive.steady(arrival, ready, busy)
                    .apply(b)
                    .backlog(backlog)
                    .processingRate(arrival));
    assertThat(decision.target()).isEqualTo(expected);
    assertThat(decision.inputs().executorRate())
        .isCloseTo(1000, org.assertj.core.data.Offset.offset(1.0));
  }

  @Test
  void scaleUpReasonNamesRatesBacklogAndExecutorRate() {
    Drive d = new Drive(DEFAULTS, 4);
    Decision decision =
        d.tick(10, b -> Drive.steady(9000, 4, 1.0).apply(b).processingRate(4000).backlog(90_000));
    assertThat(decision.direction()).isEqualTo(Direction.UP);
    assertThat(decision.reasonCode()).isEqualTo(Reason.DEMAND);
    assertThat(decision.reason())
        .contains("scale up 4 →", "arrival 9000/s", "backlog 90000", "1000/s each");
  }

  @Test
  void backlogGrowthUntilNewExecutorsArriveIsSizedIn() {
    // 4 ready at 1000/s, 8000/s arriving: the backlog grows by 4000/s for the 60 s start-up.
    Drive d = new Drive(DEFAULTS, 4);
    Decision decision =
        d.tick(10, b -> Drive.steady(8000, 4, 1.0).apply(b).processingRate(4000).backlog(40_000));
    // 8000·1.0556 + (40000 + 4000·60) / 60 = 8444 + 4667 → 14 executors
    assertThat(decision.target()).isEqualTo(14);
  }

  // ---- executor rate learning (DS2 true processing rate) ---------------------------------------

  @Test
  void learnsTheTrueRateFromBusyFraction() {
    Drive d = new Drive(DEFAULTS, 6);
    d.tick(10, Drive.steady(3000, 6, 0.5));
    assertThat(d.state().executorRate()).isEqualTo(1000.0);
  }

  @Test
  void learnsFromThroughputUnderBacklogWhenBusyFractionIsUnknown() {
    Drive d = new Drive(DEFAULTS, 4);
    UnaryOperator<Observation.Builder> saturated =
        b ->
            b.backlog(100_000)
                .arrivalRate(6000)
                .processingRate(4000)
                .readyExecutors(4)
                .pendingExecutors(0);
    // the processing rate is an average: it shows what these 4 executors do only once they have
    // been saturated for rateSettleTime (60 s)
    for (int i = 0; i < 6; i++) {
      d.tick(10, saturated);
      assertThat(d.state().executorRate()).isNaN();
    }
    d.tick(10, saturated);
    assertThat(d.state().executorRate()).isEqualTo(1000.0);
  }

  @Test
  void neverLearnsFromIdlePeriods() {
    Drive d = new Drive(DEFAULTS, 4);
    d.tick(10, Drive.steady(3000, 4, 0.75));
    assertThat(d.state().executorRate()).isEqualTo(1000.0);
    // nearly idle, no backlog, busy 5 %: says nothing about capacity
    d.tick(10, Drive.steady(100, 4, 0.05));
    // no busy fraction and no backlog: throughput is demand-limited
    d.tick(
        10,
        b ->
            b.backlog(0)
                .arrivalRate(100)
                .processingRate(100)
                .readyExecutors(4)
                .pendingExecutors(0));
    assertThat(d.state().executorRate()).isEqualTo(1000.0);
    assertThat(d.state().rateSamples()).isEqualTo(1);
  }

  @Test
  void doesNotLearnWhileTheExecutorCountChanges() {
    Drive d = new Drive(DEFAULTS, 4);
    d.tick(10, Drive.steady(3000, 4, 0.75));
    d.tick(10, Drive.steady(3000, 6, 0.25)); // 2000/s per executor would be wrong: count changed
    assertThat(d.state().executorRate()).isEqualTo(1000.0);
  }

  @Test
  void doublesToLearnWhenTheRateIsUnknownAndWorkIsWaiting() {
    Drive d = new Drive(DEFAULTS, 3);
    Decision decision =
        d.tick(10, b -> b.backlog(5000).arrivalRate(2000).readyExecutors(3).pendingExecutors(0));
    assertThat(decision.reasonCode()).isEqualTo(Reason.LEARNING);
    assertThat(decision.target()).isEqualTo(6);
  }

  /** Kafka-only signals (no busy fraction), as a KEDA-style setup without the Spark driver. */
  private static java.util.function.UnaryOperator<io.stoker.core.model.Observation.Builder> kafka(
      long backlog, double arrival, double processing, int ready) {
    return Drive.signals(backlog, arrival, processing, ready, 4, 128);
  }

  @Test
  void aConsumerKeepingUpWithASmallLagIsNotDoubledWhileTheRateIsUnknown() {
    Drive d = new Drive(DEFAULTS, 2);
    for (int i = 0; i < 12; i++) {
      // 20 records in flight at 100/s: a healthy consumer, not a backlog
      Decision decision = d.tick(10, kafka(20, 100, 100, d.target()));
      assertThat(decision.reasonCode()).isEqualTo(Reason.LEARNING);
      assertThat(decision.target()).as("tick %d: %s", i, decision.reason()).isEqualTo(2);
    }
  }

  @Test
  void nothingArrivingAndNothingWaitingNeedsNoExecutorEvenWhileTheRateIsUnknown() {
    ScalingOptions toZero = DEFAULTS.toBuilder().bounds(0, DEFAULTS.maxExecutors()).build();
    Drive d = new Drive(toZero, 3);
    Decision decision = null;
    // Nothing has ever been processed (no rate, no floor); the scale-down window still applies.
    for (int i = 0; i < 60 && d.target() > 0; i++) {
      decision = d.tick(10, kafka(0, 0, 0, d.target()));
    }
    assertThat(d.target()).as("%s", decision == null ? "" : decision.reason()).isZero();
    assertThat(decision.reasonCode()).isEqualTo(Reason.LEARNING);
    // With a floor of one executor the fleet shrinks to it, not below.
    Drive one = new Drive(DEFAULTS, 3);
    for (int i = 0; i < 60; i++) {
      one.tick(10, kafka(0, 0, 0, one.target()));
    }
    assertThat(one.target()).isEqualTo(DEFAULTS.minExecutors());
  }

  @Test
  void recordsWaitingWithNothingArrivingNeverShrinkTheFleetWhileTheRateIsUnknown() {
    Drive d = new Drive(DEFAULTS, 4);
    d.tick(10, kafka(10, 100, 100, 4)); // a rate floor of 25/s per executor is known
    for (int i = 0; i < 40; i++) {
      // a burst arrived and stopped; nobody has consumed it yet
      Decision decision = d.tick(10, kafka(12_000, 0, 0, d.target()));
      assertThat(decision.target())
          .as("tick %d: %s", i, decision.reason())
          .isGreaterThanOrEqualTo(4);
    }
  }

  @Test
  void aBurstNobodyConsumesYetDoublesTheFleetToLearnTheRate() {
    Drive d = new Drive(DEFAULTS, 1);
    d.tick(1, kafka(0, 10, 10, 1));
    // 12000 records arrived within the tick and nothing processed them
    Decision decision = d.tick(1, kafka(12_000, 12_000, 0, 1));
    assertThat(decision.reasonCode()).isEqualTo(Reason.LEARNING);
    assertThat(decision.target()).isEqualTo(2);
  }

  @Test
  void afterABurstDrainedBeforeTheRateWasMeasuredTheFleetShrinksToWhatTheArrivalsNeed() {
    Drive d = new Drive(DEFAULTS, 1);
    // A burst while executors keep arriving: every tick sees a new ready count, so no measurement
    // is stable enough for the executor rate; each executor processes about 1000/s.
    d.tick(10, kafka(10, 100, 100, 1));
    int[] ready = {2, 4, 8};
    for (int r : ready) {
      d.tick(10, kafka(200_000, 5000, 1000.0 * r, r));
    }
    assertThat(d.state().executorRate()).isNaN();
    int afterBurst = d.target();
    assertThat(afterBurst).isGreaterThanOrEqualTo(8);
    // drained: 300/s arrive and are processed at once, a small lag in flight
    for (int i = 0; i < 60; i++) {
      d.tick(10, kafka(30, 300, 300, d.target()));
    }
    // at least 1000/s per executor was seen (8000/s on 8): 300/s at 0.7 utilisation needs 1
    assertThat(d.target()).as(d.last().reason()).isEqualTo(1);
    assertThat(d.last().reason()).contains("executor rate not measured yet");
  }

  @Test
  void usesTheInitialExecutorRateUntilOneIsMeasured() {
    ScalingOptions o = DEFAULTS.toBuilder().initialExecutorRate(500).build();
    Drive d = new Drive(o, 1);
    Decision decision =
        d.tick(10, b -> b.backlog(0).arrivalRate(4500).readyExecutors(1).pendingExecutors(0));
    // 4500·1.0556 / 500 → 10 for the arrivals, plus the backlog that builds up at 4000/s while new
    // executors start (60 s), drained within 60 s: 8 more
    assertThat(decision.target()).isEqualTo(18);
  }

  // ---- forecast --------------------------------------------------------------------------------

  @Test
  void forecastsAGradualRiseOverTheReactionDelay() {
    Drive d = new Drive(DEFAULTS, 5);
    for (int i = 0; i < 6; i++) {
      double rate = 4000 + 100 * i; // +10/s per second
      d.tick(10, Drive.steady(rate, 5, rate / 5000));
    }
    // 4500/s now, rising 10/s²: in 70 s (60 s start-up + one tick) ≈ 5200/s
    assertThat(d.last().inputs().forecastRate()).isBetween(5100.0, 5300.0);
  }

  @Test
  void doesNotExtrapolateAStep() {
    Drive d = new Drive(DEFAULTS, 5);
    for (int i = 0; i < 5; i++) {
      d.tick(10, Drive.steady(2000, 5, 0.4));
    }
    d.tick(10, b -> Drive.steady(8000, 5, 1.0).apply(b).processingRate(5000).backlog(30_000));
    assertThat(d.last().inputs().forecastRate()).isEqualTo(8000.0);
    d.tick(10, b -> Drive.steady(8000, 5, 1.0).apply(b).processingRate(5000).backlog(60_000));
    assertThat(d.last().inputs().forecastRate()).isEqualTo(8000.0);
  }

  // ---- forecast for placeholders (Headroom) -----------------------------------------------------

  /** A state that has learned that scale-ups beyond the warm capacity take 220 s (new nodes). */
  private static ScalerState coldKnown() {
    return new ScalerState.Builder()
        .provisioning(ScalerState.Provisioning.UNKNOWN.withColdSeconds(220).withLearnedAt(Drive.T0))
        .build();
  }

  @Test
  void forecastsTheExecutorsARiseNeedsByTheTimeANewNodeCouldArrive() {
    Drive warmOnly = new Drive(DEFAULTS, 5);
    Drive slowNodes = new Drive(DEFAULTS, 5).withState(coldKnown());
    for (int i = 0; i < 6; i++) {
      double rate = 4200 + 100 * i; // +10/s per second
      warmOnly.tick(10, Drive.steady(rate, 5, rate / 5000));
      slowNodes.tick(10, Drive.steady(rate, 5, rate / 5000));
    }
    // new nodes unknown: the rise over 70 s (≈ 5400/s) needs what the target holds
    assertThat(warmOnly.last().inputs().forecastExecutors()).isEqualTo(warmOnly.target());
    // nodes take 220 s: ≈ 4700 + 10·230 = 7000/s, 7000·1.0556 / 1000 → 8 executors
    assertThat(slowNodes.last().inputs().forecastExecutors()).isEqualTo(8);
    int target = slowNodes.target();
    assertThat(target).isLessThan(8);
    Headroom.Plan plan =
        Headroom.placeholders(Headroom.Input.of(slowNodes.last(), target, 0, 0, 40));
    assertThat(plan.placeholders()).isEqualTo(8 - target);
    assertThat(plan.basis()).isEqualTo(Headroom.Basis.FORECAST);
  }

  @Test
  void forecastIsUnknownUntilTheExecutorRateIsKnown() {
    Drive d = new Drive(DEFAULTS, 1);
    Decision decision =
        d.tick(10, b -> b.backlog(0).arrivalRate(4500).readyExecutors(1).pendingExecutors(0));
    assertThat(decision.reasonCode()).isEqualTo(Reason.LEARNING);
    assertThat(decision.inputs().forecastExecutors()).isEqualTo(-1);
  }

  // ---- caps and bounds -------------------------------------------------------------------------

  @Test
  void capsAtUsefulParallelismOfThePartitions() {
    Drive d = new Drive(DEFAULTS, 10);
    Decision decision =
        d.tick(10, b -> Drive.steady(50_000, 10, 1.0).apply(b).processingRate(10_000));
    // 128 partitions / 4 cores = 32 executors; more would leave task slots idle
    assertThat(decision.target()).isEqualTo(32);
    assertThat(decision.limited()).isTrue();
    assertThat(decision.reason()).contains("partitions / cores");
  }

  static Stream<Arguments> boundsTable() {
    return Stream.of(
        Arguments.of(1, 40, 500.0, 1), // needs 1
        Arguments.of(3, 40, 500.0, 3), // raised to minExecutors
        Arguments.of(1, 6, 20_000.0, 6)); // capped at maxExecutors
  }

  @ParameterizedTest
  @MethodSource("boundsTable")
  void staysWithinMinAndMax(int min, int max, double arrival, int expected) {
    ScalingOptions o =
        DEFAULTS.toBuilder()
            .bounds(min, max)
            .scaleDown(Behavior.unlimited().withWindow(Duration.ZERO))
            .build();
    Drive d = new Drive(o, 4);
    double busy = Math.min(1.0, arrival / 4000);
    Decision decision =
        d.tick(
            10,
            b -> Drive.steady(arrival, 4, busy).apply(b).processingRate(Math.min(arrival, 4000)));
    assertThat(decision.target()).isEqualTo(expected);
  }

  // ---- missing and stale signals ----------------------------------------------------------------

  static Stream<Arguments> missingSignals() {
    UnaryOperator<Observation.Builder> noBacklog =
        b -> b.arrivalRate(100).processingRate(100).readyExecutors(8).busyFraction(0.1);
    UnaryOperator<Observation.Builder> noArrival =
        b -> b.backlog(0).processingRate(100).readyExecutors(8).busyFraction(0.1);
    UnaryOperator<Observation.Builder> nothing = b -> b;
    return Stream.of(
        Arguments.of("backlog", noBacklog, "backlog (Kafka lag) is missing"),
        Arguments.of("arrival", noArrival, "arrival rate is missing"),
        Arguments.of("both", nothing, "backlog and arrival rate are missing"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("missingSignals")
  void holdsTheTargetWhenASignalIsMissing(
      String name, UnaryOperator<Observation.Builder> signals, String sentence) {
    Drive d = new Drive(DEFAULTS, 8);
    Decision decision = d.tick(10, signals);
    assertThat(decision.target()).isEqualTo(8);
    assertThat(decision.direction()).isEqualTo(Direction.HOLD);
    assertThat(decision.reasonCode()).isEqualTo(Reason.SIGNAL_MISSING);
    assertThat(decision.reason()).contains("holding 8 executors", sentence);
  }

  @Test
  void holdsTheTargetWhenSignalsAreStaleEvenIfTheyCallForLess() {
    Drive d = new Drive(DEFAULTS, 8);
    Observation old =
        Drive.steady(100, 8, 0.1).apply(Observation.at(Drive.T0)).build(); // 100/s needs 1
    d.advance(120);
    Decision decision = d.apply(old);
    assertThat(decision.target()).isEqualTo(8);
    assertThat(decision.reasonCode()).isEqualTo(Reason.SIGNAL_STALE);
    assertThat(decision.reason()).contains("120s old", "limit 60s");
  }

  @Test
  void holdsOnNegativeBacklog() {
    Drive d = new Drive(DEFAULTS, 8);
    Decision decision = d.tick(10, b -> Drive.steady(100, 8, 0.1).apply(b).backlog(-5));
    assertThat(decision.target()).isEqualTo(8);
    assertThat(decision.reasonCode()).isEqualTo(Reason.SIGNAL_MISSING);
  }

  @Test
  void aHeldTargetStillRespectsANewMaximum() {
    ScalingOptions o = DEFAULTS.toBuilder().bounds(1, 5).build();
    Drive d = new Drive(o, 8);
    Decision decision = d.tick(10, b -> b);
    assertThat(decision.target()).isEqualTo(5);
  }

  // ---- stabilisation ---------------------------------------------------------------------------

  @Test
  void ignoresChangesWithinTolerance() {
    Drive d = new Drive(DEFAULTS, 10);
    // needs ceil(9500·1.0556 / 1000) = 11: within 10 % of 10
    Decision decision = d.tick(10, Drive.steady(9500, 10, 0.95));
    assertThat(decision.target()).isEqualTo(10);
    assertThat(decision.reasonCode()).isEqualTo(Reason.WITHIN_TOLERANCE);
  }

  @Test
  void scalesDownOnlyAfterTheWindowAndThenInOneStep() {
    ScalingOptions o =
        DEFAULTS.toBuilder()
            .scaleDown(Behavior.unlimited().withWindow(Duration.ofSeconds(60)))
            .build();
    Drive d = new Drive(o, 10);
    d.tick(10, Drive.steady(9000, 10, 0.9)); // steady at 10
    Decision first = d.tick(10, Drive.steady(3000, 10, 0.3)); // needs 4
    assertThat(first.target()).isEqualTo(10);
    assertThat(first.reasonCode()).isEqualTo(Reason.STABILISING);
    assertThat(first.reason()).contains("deferred", "60s");
    Decision down = null;
    for (int i = 0; i < 6; i++) {
      down = d.tick(10, Drive.steady(3000, 10, 0.3));
    }
    assertThat(down.target()).isEqualTo(4);
    assertThat(down.from()).isEqualTo(10);
  }

  @Test
  void defaultScaleDownWindowIsTheLearnedProvisioningDelay() {
    Drive d = new Drive(DEFAULTS, 10);
    d.tick(10, Drive.steady(9000, 10, 0.9));
    int holds = 0;
    while (d.tick(10, Drive.steady(3000, 10, 0.3)).target() == 10) {
      holds++;
    }
    // default start-up estimate 60 s: held while the high recommendation is at most 60 s old
    assertThat(holds).isEqualTo(6);
    assertThat(d.target()).isEqualTo(4);
  }

  @Test
  void neverScalesDownWhileTheBacklogDrains() {
    ScalingOptions o =
        DEFAULTS.toBuilder().scaleDown(Behavior.unlimited().withWindow(Duration.ZERO)).build();
    Drive d = new Drive(o, 20);
    d.tick(10, Drive.steady(18_000, 20, 0.9));
    assertThat(d.target()).isEqualTo(20);
    // arrival fell, but 30 s of backlog is still queued
    Decision decision =
        d.tick(
            10, b -> Drive.steady(3000, 20, 1.0).apply(b).processingRate(20_000).backlog(90_000));
    assertThat(decision.target()).isEqualTo(20);
    assertThat(decision.reason()).contains("backlog still draining");
  }

  @Test
  void keepsExecutorsOnTheirWayWhileRecordsWait() {
    ScalingOptions o =
        DEFAULTS.toBuilder().scaleDown(Behavior.unlimited().withWindow(Duration.ZERO)).build();
    Drive d = new Drive(o, 20);
    d.tick(10, Drive.steady(18_000, 20, 0.9));
    // 8 ready, 12 still starting, 40000 records waiting (less than a tenth of the objective's
    // worth, but more than two seconds of processing): the 12 are not cancelled
    Decision decision =
        d.tick(
            10,
            b ->
                Drive.steady(10_000, 8, 1.0)
                    .apply(b)
                    .processingRate(8000)
                    .backlog(40_000)
                    .pendingExecutors(12));
    assertThat(decision.target()).isEqualTo(20);
    assertThat(decision.reason()).contains("backlog still draining");
  }

  @Test
  void keepsExecutorsOnTheirWayWhileTheReadyOnesCannotProcessTheArrivals() {
    ScalingOptions o =
        DEFAULTS.toBuilder().scaleDown(Behavior.unlimited().withWindow(Duration.ZERO)).build();
    Drive d = new Drive(o, 14);
    burstOnFourteen(d);
    assertThat(d.target()).isGreaterThanOrEqualTo(21);
    int asked = d.target();
    // a burst: 14 ready at 1000/s each, the rest still starting, 15500/s arriving and 25000
    // records waiting (under two seconds of arrivals): the backlog grows until they come
    Decision decision =
        d.tick(
            10,
            b ->
                Drive.steady(15_500, 14, 1.0)
                    .apply(b)
                    .processingRate(14_000)
                    .backlog(25_000)
                    .pendingExecutors(asked - 14));
    assertThat(decision.target()).as(decision.reason()).isEqualTo(asked);
    assertThat(decision.reason()).contains("backlog still draining");
  }

  @Test
  void asksForNoMoreWhileThoseOnTheirWayWillWorkTheBacklogOffFirst() {
    Drive d = new Drive(DEFAULTS, 14);
    burstOnFourteen(d);
    int asked = d.target();
    // 15500·1.0556 (rule "slack") + (150000 + 1500·60) / 60 → 21
    assertThat(asked).isEqualTo(21);
    // 55 s later (the warm delay is 60 s) the 7 asked for are due in 5 s; 500000 records wait.
    // Draining them within the objective from now would take 25 executors, but any asked for now
    // arrive in 60 s, when the 21 will have worked the backlog down to what 21 drain in time
    Decision decision = waitingForThoseAsked(d, 55, asked, 500_000);
    assertThat(decision.target()).as(decision.reason()).isEqualTo(asked);
    // once they are late, more would come no sooner than they do
    decision = waitingForThoseAsked(d, 60, asked, 550_000);
    assertThat(decision.target()).as(decision.reason()).isEqualTo(asked);
    // with a backlog the 21 cannot work off in time, more are asked for
    decision = waitingForThoseAsked(d, 10, asked, 900_000);
    assertThat(decision.target()).as(decision.reason()).isGreaterThan(asked);
  }

  /**
   * Rule "first come", beyond the warm capacity: the executors that fit on nodes already there
   * arrive after the warm delay and work the backlog from then on; only what they leave when new
   * nodes could arrive calls for more.
   */
  @Test
  void sizesAColdScaleUpForWhatTheWarmCapacityLeaves() {
    // 11 executors ran 5 minutes ago (their room is warm), new nodes take 220 s
    ScalerState warmRoom =
        new ScalerState.Builder()
            .provisioning(
                ScalerState.Provisioning.UNKNOWN
                    .withColdSeconds(220)
                    .withLearnedAt(Drive.T0)
                    .withReadyHistory(List.of(new ScalerState.Sample(Drive.T0, 11))))
            .build();
    Drive d = new Drive(DEFAULTS, 7).withState(warmRoom);
    for (int i = 0; i < 3; i++) {
      d.tick(10, Drive.steady(6000, 7, 6000 / 7000.0));
    }
    assertThat(d.target()).isEqualTo(7);
    // 9000/s on 7 executors at 1000/s: 140000 records wait when the 4 warm ones arrive in 60 s,
    // and 11 work them off before a new node could come; 460000 would wait if all came at 220 s
    Decision decision =
        d.tick(10, b -> Drive.steady(9000, 7, 1.0).apply(b).processingRate(7000).backlog(20_000));
    assertThat(decision.target()).as(decision.reason()).isEqualTo(11);
  }

  /**
   * Rule "noise": arrivals that call for 6.2 executors at the target utilisation keep 6 while
   * nothing waits (the HPA's tolerance, on the ratio); the backlog of a real shortfall scales up.
   */
  @Test
  void holdsASmallFleetThroughArrivalsWithinTheToleranceUntilABacklogConfirmsThem() {
    Drive d = new Drive(DEFAULTS, 6);
    for (int i = 0; i < 6; i++) {
      d.tick(10, Drive.steady(5000, 6, 5000 / 6000.0));
    }
    assertThat(d.target()).isEqualTo(6);
    // 5870/s: 5870·1.0556 / 1000 = 6.2 executors (rule "slack": half the margin of u = 0.9 with
    // continuous processing), within 10 % of 6
    for (int i = 0; i < 6; i++) {
      Decision decision = d.tick(10, Drive.steady(5870, 6, 0.98));
      assertThat(decision.target()).as(decision.reason()).isEqualTo(6);
      assertThat(decision.reasonCode()).isEqualTo(Reason.WITHIN_TOLERANCE);
      assertThat(decision.reason()).contains("the arrivals need 6.2 executors and nothing waits");
    }
    Decision confirmed =
        d.tick(10, b -> Drive.steady(5870, 6, 1.0).apply(b).processingRate(5800).backlog(30_000));
    assertThat(confirmed.target()).as(confirmed.reason()).isGreaterThan(6);
  }

  /** 12600/s on 14 executors at 1000/s, then a burst to 15500/s with 150000 records waiting. */
  private static void burstOnFourteen(Drive d) {
    for (int i = 0; i < 3; i++) {
      d.tick(10, Drive.steady(12_600, 14, 0.9));
    }
    d.tick(10, b -> Drive.steady(15_500, 14, 1.0).apply(b).processingRate(14_000).backlog(150_000));
  }

  /** 15500/s on 14 ready executors at 1000/s, the rest of {@code asked} on their way. */
  private static Decision waitingForThoseAsked(Drive d, long seconds, int asked, long backlog) {
    return d.tick(
        seconds,
        b ->
            Drive.steady(15_500, 14, 1.0)
                .apply(b)
                .processingRate(14_000)
                .backlog(backlog)
                .pendingExecutors(asked - 14));
  }

  static Stream<Arguments> stepLimits() {
    Behavior pct = Behavior.unlimited().withMaxStepPercent(50);
    Behavior abs = Behavior.unlimited().withMaxStepExecutors(3);
    Behavior both = Behavior.unlimited().withMaxStepPercent(100).withMaxStepExecutors(8);
    return Stream.of(
        // current, desired, scale-up behaviour, expected
        Arguments.of(10, 30, pct, 15),
        Arguments.of(10, 30, abs, 13),
        Arguments.of(2, 30, both, 4),
        Arguments.of(10, 30, both, 18),
        Arguments.of(10, 30, Behavior.unlimited(), 30),
        Arguments.of(1, 5, pct, 2));
  }

  @ParameterizedTest
  @MethodSource("stepLimits")
  void limitsEachScaleUpStep(int current, int desired, Behavior up, int expected) {
    ScalingOptions o = DEFAULTS.toBuilder().scaleUp(up).build();
    assertThat(Stabiliser.step(current, desired, o)).isEqualTo(expected);
  }

  static Stream<Arguments> downStepLimits() {
    return Stream.of(
        Arguments.of(10, 2, Behavior.unlimited().withMaxStepPercent(50), 5),
        Arguments.of(10, 2, Behavior.unlimited().withMaxStepExecutors(4), 6),
        Arguments.of(3, 1, Behavior.unlimited().withMaxStepPercent(10), 2),
        Arguments.of(10, 2, Behavior.unlimited(), 2));
  }

  @ParameterizedTest
  @MethodSource("downStepLimits")
  void limitsEachScaleDownStep(int current, int desired, Behavior down, int expected) {
    ScalingOptions o = DEFAULTS.toBuilder().scaleDown(down).build();
    assertThat(Stabiliser.step(current, desired, o)).isEqualTo(expected);
  }

  // ---- burst headroom --------------------------------------------------------------------------

  /**
   * Arrivals at {@code base}/s on 4 executors, then a burst to {@code burst}/s: the executors asked
   * for wait 220 s for new nodes while {@code backlog} records, then twice as many, wait; then all
   * are ready. Executors process 1000/s each.
   *
   * @return the executors asked for
   */
  private static int burstOnNewNodes(Drive d, double base, double burst, long backlog) {
    for (int i = 0; i < 3; i++) {
      d.tick(10, Drive.steady(base, 4, base / 4000));
    }
    d.tick(10, b -> Drive.steady(burst, 4, 1.0).apply(b).processingRate(4000).backlog(backlog));
    int requested = d.target();
    for (int i = 0; i < 21; i++) {
      d.tick(
          10,
          b ->
              Drive.steady(burst, 4, 1.0)
                  .apply(b)
                  .processingRate(4000)
                  .backlog(2 * backlog)
                  .pendingExecutors(requested - 4));
    }
    d.tick(
        10, b -> Drive.steady(burst, requested, 0.8).apply(b).pendingExecutors(0).backlog(backlog));
    return requested;
  }

  /** One tick of arrivals at {@code rate}/s on the target in force, 1000/s per executor. */
  private static Decision quietTick(Drive d, double rate) {
    return d.tick(10, Drive.steady(rate, d.target(), rate / (1000.0 * d.target())));
  }

  @Test
  void holdsHeadroomForABurstOfTheSizeSeenOnceNewNodesAreKnownToBeSlow() {
    Drive d = new Drive(DEFAULTS, 4);
    assertThat(burstOnNewNodes(d, 3000, 15_000, 100_000)).isGreaterThan(16);
    assertThat(d.state().provisioning().coldSeconds()).isGreaterThanOrEqualTo(220.0);
    // the burst ends; demand alone would need 4 executors
    for (int i = 0; i < 80; i++) {
      quietTick(d, 3000);
    }
    Decision held = d.last();
    assertThat(held.reasonCode()).isEqualTo(Reason.BURST_HEADROOM);
    // with cold capacity only: 15000 · (1 − 60/230) ≈ 11100/s → 12 executors
    assertThat(held.target()).isBetween(11, 13);
    assertThat(held.reason()).contains("burst to 15000/s");
    // the executors held as headroom carry the burst until new nodes arrive: no placeholders needed
    assertThat(held.inputs().forecastExecutors()).isLessThanOrEqualTo(held.target());
  }

  /**
   * While the capacity of the burst stays warm, a scale-down still stops at the headroom the
   * executors held must carry on their own: going lower would only mean scaling back up once the
   * retained capacity ends, onto nodes that were about to go.
   */
  @Test
  void afterABurstScalesDownToTheHeldHeadroomNotBelowItAndBackUp() {
    Drive d = new Drive(DEFAULTS, 4);
    burstOnNewNodes(d, 3000, 15_000, 100_000);
    // the burst ends; over two capacity retentions the target only ever falls
    List<Integer> changes = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      if (quietTick(d, 3000).isChange()) {
        changes.add(d.target());
      }
    }
    assertThat(changes).as("targets after the burst").isSortedAccordingTo((a, b) -> b - a);
    assertThat(changes.get(changes.size() - 1)).isBetween(11, 13);
    assertThat(d.last().reasonCode()).isEqualTo(Reason.BURST_HEADROOM);
  }

  /**
   * The headroom follows the measured executor rate, which wanders by a few percent: within the
   * tolerance, on capacity, the target stays put instead of moving by one executor each time.
   */
  @Test
  void heldHeadroomDoesNotFlapWithTheExecutorRatesNoise() {
    Drive d = new Drive(DEFAULTS, 4);
    burstOnNewNodes(d, 2000, 8000, 50_000);
    for (int i = 0; i < 120; i++) {
      quietTick(d, 2000);
    }
    int held = d.target();
    assertThat(d.last().reasonCode()).isEqualTo(Reason.BURST_HEADROOM);
    // executors now 5 % faster, now 5 % slower, for two minutes each
    List<Integer> targets = new ArrayList<>();
    for (int i = 0; i < 96; i++) {
      double speed = (i / 12) % 2 == 0 ? 1.05 : 0.95;
      d.tick(10, Drive.steady(2000, d.target(), 2000.0 / (1000.0 * speed * d.target())));
      targets.add(d.target());
    }
    assertThat(targets)
        .as("targets while the executor rate wanders from " + held)
        .containsOnly(held);
  }

  @Test
  void noHeadroomWhenExecutorsArriveWithinTheLatencyObjective() {
    ScalingOptions o = DEFAULTS.toBuilder().executorStartup(Duration.ofSeconds(20)).build();
    Drive d = new Drive(o, 4);
    for (int i = 0; i < 3; i++) {
      d.tick(10, Drive.steady(3000, 4, 0.75));
    }
    d.tick(10, b -> Drive.steady(15_000, 4, 1.0).apply(b).processingRate(4000).backlog(20_000));
    int requested = d.target();
    d.tick(10, Drive.steady(15_000, requested, 0.9));
    for (int i = 0; i < 20; i++) {
      d.tick(10, Drive.steady(3000, d.target(), 3000.0 / (1000.0 * d.target())));
    }
    assertThat(d.target()).isEqualTo(4);
    assertThat(d.last().reasonCode()).isNotEqualTo(Reason.BURST_HEADROOM);
  }

  // ---- contract --------------------------------------------------------------------------------

  @Test
  void sameInputsGiveTheSameDecision() {
    Drive a = new Drive(DEFAULTS, 4);
    Drive b = new Drive(DEFAULTS, 4);
    for (int i = 0; i < 30; i++) {
      double rate = 3000 + 500 * (i % 7);
      UnaryOperator<Observation.Builder> s = Drive.steady(rate, 4, Math.min(1, rate / 4000));
      assertThat(a.tick(10, s)).isEqualTo(b.tick(10, s));
    }
  }

  @Test
  void refusesInvalidOptionsNamingEveryField() {
    ScalingOptions bad =
        DEFAULTS.toBuilder().bounds(5, 3).targetUtilization(1.5).tolerance(-1).build();
    assertThatThrownBy(() -> new Recommender(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minExecutors (5) must be <= maxExecutors (3)")
        .hasMessageContaining("objective.targetUtilization")
        .hasMessageContaining("behavior.tolerance");
  }
}
