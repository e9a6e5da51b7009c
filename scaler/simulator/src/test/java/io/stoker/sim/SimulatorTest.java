package io.stoker.sim;

import static io.stoker.sim.Fixtures.constant;
import static io.stoker.sim.Fixtures.exact;
import static io.stoker.sim.Fixtures.trace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.stoker.sim.Fixtures.Probe;
import io.stoker.sim.Fixtures.Seen;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SimulatorTest {

  // ---- exact FIFO latency on hand-computed traces ----

  @Test
  void latencyGrowsAsHalfTheElapsedTimeWhenCapacityIsHalfTheArrivalRate() {
    // 10 records/s arrive, one executor processes 5/s: at time s the oldest waiting record
    // arrived at s/2, so latency(s) = s/2. Series index t holds the end of second t (s = t + 1).
    SimResult r = new Simulator(exact()).run(constant(10, 30), Probe.scripted(1));

    double[] latency = r.series().latency();
    double[] backlog = r.series().backlog();
    assertThat(latency).hasSize(30);
    for (int t = 0; t < 30; t++) {
      assertThat(latency[t]).as("latency at end of second %d", t).isCloseTo((t + 1) / 2.0, EPS);
      assertThat(backlog[t]).as("backlog at end of second %d", t).isCloseTo(5.0 * (t + 1), EPS);
    }
    assertThat(r.maxLatencySeconds()).isCloseTo(15, EPS);
    assertThat(r.p99LatencySeconds()).isCloseTo(15, EPS);
    assertThat(r.maxBacklogRecords()).isCloseTo(150, EPS);
    // Objective 2 s: latency (t + 1) / 2 > 2 from t = 4 on, so 26 of 30 seconds violate it.
    assertThat(r.slaViolationSeconds()).isEqualTo(26);
    assertThat(r.executorSeconds()).isEqualTo(30);
    assertThat(r.nodeSeconds()).isEqualTo(30);
    assertThat(r.meanUtilization()).isCloseTo(1, EPS);
    assertThat(r.scalingActions()).isZero();
  }

  @Test
  void latencyFollowsTheOldestRecordThroughABurstAndDrain() {
    // 20/s for 2 s, then nothing; capacity 10/s. Arrived 20, 40, 40, 40; processed 10, 20, 30, 40.
    // Oldest waiting record: at s=1 arrived at 0.5, s=2 at 1, s=3 at 1.5, s=4 none left.
    SimResult r =
        new Simulator(exact("executorRate", 10)).run(trace(0, 20, 2, 0, 4, 0), Probe.scripted(1));

    assertThat(r.series().latency()).containsExactly(new double[] {0.5, 1, 1.5, 0, 0, 0}, EPS);
    assertThat(r.series().backlog()).containsExactly(new double[] {10, 20, 10, 0, 0, 0}, EPS);
    assertThat(r.series().arrivalRate()).containsExactly(20, 20, 0, 0, 0, 0);
    assertThat(r.meanUtilization()).isCloseTo(4.0 / 6, EPS);
    assertThat(r.maxLatencySeconds()).isCloseTo(1.5, EPS);
  }

  @Test
  void latencyIsZeroWhenCapacityExceedsArrivals() {
    SimResult r = new Simulator(exact("executorRate", 20)).run(constant(10, 50), Probe.scripted(1));

    assertThat(r.series().latency()).containsOnly(0.0);
    assertThat(r.series().backlog()).containsOnly(0.0);
    assertThat(r.slaViolationSeconds()).isZero();
    assertThat(r.meanUtilization()).isCloseTo(0.5, EPS);
  }

  @Test
  void latencyIsZeroWithCapacityNoiseWhenCapacityIsFarAboveArrivals() {
    Scenario noisy = exact("executorRate", 1000, "executorRateNoise", 0.05);
    SimResult r =
        new Simulator(noisy).run(trace(0, 100, 100, 400, 200, 50, 300, 0), Probe.scripted(1));

    assertThat(r.series().latency()).containsOnly(0.0);
    assertThat(r.maxBacklogRecords()).isCloseTo(0, EPS);
  }

  // ---- arrivals = processed + backlog, every second ----

  static Stream<Arguments> policiesAndModes() {
    return Stream.of(
        Arguments.of("stoker", new StokerPolicy(), 0),
        Arguments.of("keda-hpa", new KedaHpaPolicy(15_000, false), 0),
        Arguments.of("spark-da", new SparkDaPolicy(60, true), 0),
        Arguments.of("oracle", new OraclePolicy(), 0),
        Arguments.of("stoker, micro-batches of 10 s", new StokerPolicy(), 10),
        Arguments.of("spark-da, micro-batches of 5 s", new SparkDaPolicy(30, false), 5));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policiesAndModes")
  void keepsArrivalsEqualToProcessedPlusBacklogEverySecond(
      String label, SimPolicy policy, int trigger) {
    Scenario sc = withTrigger(Scenario.defaults(), trigger);
    Trace burst = trace(0, 2000, 300, 14000, 600, 3000, 900, 9000, 1200, 500, 1790, 500);
    Probe probe = Probe.wrapping(policy);
    SimResult r = new Simulator(sc).run(burst, probe);

    double[] rate = r.series().arrivalRate();
    double[] backlog = r.series().backlog();
    assertThat(probe.seen).hasSize(burst.durationSeconds());
    double arrivals = 0;
    double lastProcessed = 0;
    for (int t = 1; t < probe.seen.size(); t++) {
      arrivals += rate[t - 1];
      Seen s = probe.seen.get(t);
      assertThat(s.arrived()).as("arrivals by %d s", t).isCloseTo(arrivals, within(1e-6));
      assertThat(s.processed() + backlog[t - 1])
          .as("processed + backlog at %d s", t)
          .isCloseTo(arrivals, within(1e-6 * Math.max(1, arrivals)));
      assertThat(s.backlog()).as("backlog seen at %d s", t).isCloseTo(backlog[t - 1], EPS);
      assertThat(backlog[t - 1]).as("backlog at %d s", t).isGreaterThanOrEqualTo(-1e-6);
      assertThat(s.processed())
          .as("processed never decreases")
          .isGreaterThanOrEqualTo(lastProcessed);
      lastProcessed = s.processed();
    }
    assertThat(r.scalingActions()).as("the trace makes every policy act").isPositive();
  }

  @Test
  void neverProcessesMoreThanTheReadyExecutorsCanWithoutNoise() {
    Scenario sc = exact("executorRate", 100, "coresPerExecutor", 2, "podStartupSeconds", 5);
    Probe probe = Probe.scripted(1).at(3, 4).at(20, 2).at(30, 6);
    SimResult r = new Simulator(sc).run(constant(350, 40), probe);

    int[] ready = r.series().readyExecutors();
    for (int t = 0; t + 1 < probe.seen.size(); t++) {
      assertThat(probe.processedDuring(t))
          .as("processed in second %d with %d ready", t, ready[t])
          .isLessThanOrEqualTo(ready[t] * 100 + 1e-9);
    }
  }

  // ---- determinism ----

  @Test
  void sameSeedGivesIdenticalFiguresAndSeries() {
    Trace t = stepTrace();
    Scenario sc = Scenario.defaults();
    for (SimPolicy[] pair :
        List.of(
            new SimPolicy[] {new StokerPolicy(), new StokerPolicy()},
            new SimPolicy[] {new KedaHpaPolicy(30_000, false), new KedaHpaPolicy(30_000, false)},
            new SimPolicy[] {new SparkDaPolicy(60, true), new SparkDaPolicy(60, true)})) {
      SimResult a = new Simulator(sc).run(t, pair[0]);
      SimResult b = new Simulator(sc).run(t, pair[1]);
      assertSameResult(a, b);
    }
  }

  @Test
  void differentSeedGivesDifferentCapacityNoiseAndStartUpTimes() {
    Trace t = stepTrace();
    SimResult a = new Simulator(Scenario.defaults()).run(t, new KedaHpaPolicy(30_000, false));
    SimResult b =
        new Simulator(withSeed(Scenario.defaults(), 7)).run(t, new KedaHpaPolicy(30_000, false));

    assertThat(b.series().backlog()).isNotEqualTo(a.series().backlog());
    assertThat(b.series().readyExecutors()).isNotEqualTo(a.series().readyExecutors());
  }

  // ---- pod start-up and node provisioning ----

  @Test
  void executorsThatFitStartAfterPodStartupAndTheRestAfterNodeProvisioningToo() {
    // One node of 4 holds the first executor; at 5 s the policy asks for 6: three fit and are
    // ready at 5 + 10 = 15 s, two wait for a new node (ready at 35 s) and start by 45 s.
    Scenario sc =
        exact(
            "initialNodes", 1,
            "executorsPerNode", 4,
            "podStartupSeconds", 10,
            "nodeProvisionSeconds", 30);
    Probe probe = Probe.scripted(1).at(5, 6);
    SimResult r = new Simulator(sc).run(constant(1, 60), probe);

    int[] ready = r.series().readyExecutors();
    assertThat(slice(ready, 0, 15)).containsOnly(1);
    assertThat(slice(ready, 15, 45)).containsOnly(4);
    assertThat(slice(ready, 45, 60)).containsOnly(6);
    int[] nodes = r.series().nodes();
    assertThat(slice(nodes, 0, 5)).containsOnly(1);
    assertThat(slice(nodes, 5, 60)).as("the new node is billed while provisioning").containsOnly(2);
    int[] billed = r.series().billedExecutors();
    assertThat(slice(billed, 5, 35)).as("pods waiting for a node are not billed").containsOnly(4);
    assertThat(slice(billed, 35, 60)).containsOnly(6);
    assertThat(probe.seen.get(10).pending()).isEqualTo(5);
    assertThat(probe.seen.get(20).pending()).isEqualTo(2);
    assertThat(probe.seen.get(50).pending()).isZero();
    assertThat(r.scalingActions()).isEqualTo(1);
  }

  @Test
  void podStartupJitterStaysWithinItsBounds() {
    Scenario sc =
        exact("podStartupSeconds", 20, "podStartupJitterSeconds", 5, "executorsPerNode", 20);
    SimResult r = new Simulator(sc).run(constant(1, 60), Probe.scripted(1).at(10, 11));

    int[] ready = r.series().readyExecutors();
    assertThat(slice(ready, 0, 25)).containsOnly(1);
    assertThat(slice(ready, 35, 60)).containsOnly(11);
    assertThat(IntStream.of(slice(ready, 25, 35)).distinct().count())
        .as("start-up times differ")
        .isGreaterThan(2);
  }

  @Test
  void oracleExecutorsAreReadyTheInstantItAsks() {
    Scenario sc = exact("executorRate", 100, "podStartupSeconds", 60, "nodeProvisionSeconds", 150);
    SimResult r =
        new Simulator(sc).run(trace(0, 250, 10, 1000, 20, 90, 30, 90), new OraclePolicy());

    int[] ready = r.series().readyExecutors();
    assertThat(slice(ready, 0, 10)).containsOnly(3);
    assertThat(slice(ready, 10, 20)).containsOnly(10);
    assertThat(slice(ready, 20, 40)).containsOnly(1);
    assertThat(r.executorSeconds()).isEqualTo(10 * 3 + 10 * 10 + 20 * 1);
    assertThat(r.series().latency()).containsOnly(0.0);
  }

  // ---- partition cap ----

  @ParameterizedTest(name = "{0} partitions, {1} cores, {2} executors -> {3} records/s")
  @CsvSource({
    "8, 4, 1, 100",
    "8, 4, 2, 200",
    "8, 4, 3, 200",
    "8, 4, 6, 200",
    "6, 4, 1, 100",
    "6, 4, 2, 150",
    "6, 4, 5, 150",
    "128, 4, 32, 3200",
    "128, 4, 40, 3200",
  })
  void capacityStopsGrowingBeyondPartitionsOverCoresExecutors(
      int partitions, int cores, int executors, double expected) {
    Scenario sc =
        exact(
            "partitions", partitions,
            "coresPerExecutor", cores,
            "executorRate", 100,
            "maxExecutors", 40,
            "executorsPerNode", 40);
    Probe probe = Probe.scripted(executors);
    new Simulator(sc).run(constant(100_000, 5), probe);

    for (int t = 0; t < 4; t++) {
      assertThat(probe.processedDuring(t)).isCloseTo(expected, EPS);
    }
  }

  // ---- decommissioning and node removal ----

  @Test
  void decommissionedExecutorsAreBilledForDecommissionSecondsThenGone() {
    Scenario sc = exact("decommissionSeconds", 30, "executorRate", 100);
    Probe probe = Probe.scripted(3).at(10, 1);
    SimResult r = new Simulator(sc).run(constant(10_000, 60), probe);

    int[] billed = r.series().billedExecutors();
    assertThat(slice(billed, 0, 40)).containsOnly(3);
    assertThat(slice(billed, 40, 60)).containsOnly(1);
    assertThat(slice(r.series().readyExecutors(), 10, 60))
        .as("decommissioning executors process nothing")
        .containsOnly(1);
    assertThat(probe.processedDuring(9)).isCloseTo(300, EPS);
    assertThat(probe.processedDuring(10)).isCloseTo(100, EPS);
    assertThat(r.executorSeconds()).isEqualTo(3 * 40 + 20);
  }

  @Test
  void removedExecutorsStopBillingAtOnceWithoutDecommissioning() {
    SimResult r = new Simulator(exact()).run(constant(1, 20), Probe.scripted(3).at(10, 1));

    assertThat(slice(r.series().billedExecutors(), 0, 10)).containsOnly(3);
    assertThat(slice(r.series().billedExecutors(), 10, 20)).containsOnly(1);
  }

  @Test
  void nodesBeyondTheInitialOnesAreRemovedAfterNodeIdleSeconds() {
    // One executor per node: scaling 1 -> 3 at 1 s adds two nodes; back to 1 at 30 s empties them,
    // and they go once empty for 20 s. The initial node is never removed.
    Scenario sc =
        exact(
            "executorsPerNode", 1,
            "initialNodes", 1,
            "nodeProvisionSeconds", 5,
            "podStartupSeconds", 2,
            "nodeIdleSeconds", 20);
    SimResult r = new Simulator(sc).run(constant(1, 80), Probe.scripted(1).at(1, 3).at(30, 1));

    int[] nodes = r.series().nodes();
    assertThat(nodes[0]).isEqualTo(1);
    assertThat(slice(nodes, 1, 50)).containsOnly(3);
    assertThat(slice(nodes, 50, 80)).containsOnly(1);
    assertThat(slice(r.series().readyExecutors(), 8, 30)).containsOnly(3);
    assertThat(r.nodeSeconds()).isEqualTo(1 + 49 * 3 + 30);
  }

  /**
   * Nine executors, four per node: A holds 0–3 from the start; 4–8 wait for two new nodes, B and C,
   * and are placed as the scheduler scores (spread: B 4,6,8 and C 5,7; pack: B 4–7 and C 8). At 20
   * s the target drops to 6.
   */
  private static SimResult scaleIn(String placement, SimPolicy.Removal removal) {
    Scenario sc =
        exact(
            "executorsPerNode", 4,
            "initialNodes", 0,
            "nodeProvisionSeconds", 5,
            "nodeIdleSeconds", 20,
            "placement", placement);
    return new Simulator(sc)
        .run(constant(1, 80), Probe.scripted(1).at(1, 9).at(20, 6).removing(removal));
  }

  @Test
  void spreadPlacementWithNewestFirstRemovalKeepsEveryNode() {
    // Spread, then the newest three go (8, 7, 6): B keeps 4, C keeps 5; three nodes stay.
    SimResult r = scaleIn("spread", SimPolicy.Removal.IDLE_LONGEST);

    assertThat(slice(r.series().readyExecutors(), 21, 80)).containsOnly(6);
    assertThat(slice(r.series().nodes(), 6, 80)).containsOnly(3);
  }

  @Test
  void packedPlacementEmptiesANodeWithNewestFirstRemoval() {
    // Packed, the newest three (8 on C, 7 and 6 on B) empty C, which goes 20 s later.
    SimResult r = scaleIn("pack", SimPolicy.Removal.IDLE_LONGEST);

    assertThat(slice(r.series().nodes(), 6, 40)).containsOnly(3);
    assertThat(slice(r.series().nodes(), 40, 80)).containsOnly(2);
  }

  @Test
  void nodeAwareRemovalEmptiesANodeUnderSpreadPlacement() {
    // Spread as above, but C (two executors) is emptied first, then one from B: C goes.
    SimResult nodeAware = scaleIn("spread", SimPolicy.Removal.NODE_AWARE);
    SimResult newestFirst = scaleIn("spread", SimPolicy.Removal.IDLE_LONGEST);

    assertThat(slice(nodeAware.series().readyExecutors(), 21, 80)).containsOnly(6);
    assertThat(slice(nodeAware.series().nodes(), 40, 80)).containsOnly(2);
    assertThat(nodeAware.nodeSeconds()).isEqualTo(newestFirst.nodeSeconds() - 40);
    assertThat(nodeAware.executorSeconds()).isEqualTo(newestFirst.executorSeconds());
  }

  @Test
  void highestOrdinalRemovalTakesTheNewestPodWhateverItsState() {
    // Spread; the HPA's StatefulSet removes 8, 7, 6 as newest-first does: three nodes stay.
    SimResult r = scaleIn("spread", SimPolicy.Removal.HIGHEST_ORDINAL);

    assertThat(slice(r.series().nodes(), 6, 80)).containsOnly(3);
  }

  @Test
  void theInitialNodesAreNeverRemoved() {
    Scenario sc = exact("initialNodes", 3, "nodeIdleSeconds", 5);
    SimResult r = new Simulator(sc).run(constant(0, 30), Probe.scripted(1));

    assertThat(r.series().nodes()).containsOnly(3);
  }

  // ---- micro-batches ----

  @Test
  void microBatchesCountRecordsAsProcessedOnlyWhenTheBatchCompletes() {
    // 10/s arrive, capacity 20/s, trigger every 5 s on multiples of 5 s. The trigger at 0 finds
    // nothing; the batch at 5 s reads the 50 records queued and needs 2.5 s (done in second 7);
    // later batches start at 10, 15, ... with 50 records and end 2.5 s later.
    Scenario sc = exact("executorRate", 20, "triggerIntervalSeconds", 5);
    Probe probe = Probe.scripted(1);
    SimResult r = new Simulator(sc).run(constant(10, 31), probe);

    TreeMap<Integer, Double> completions = new TreeMap<>();
    for (int t = 0; t + 1 < probe.seen.size(); t++) {
      double done = probe.processedDuring(t);
      if (done > 1e-9) {
        completions.put(t, done);
      }
    }
    assertThat(completions)
        .containsExactlyEntriesOf(
            new TreeMap<>(Map.of(7, 50.0, 12, 50.0, 17, 50.0, 22, 50.0, 27, 50.0)));
    // At the end of second 7 the records that arrived by 5 s are done: latency 8 - 5.
    assertThat(r.series().latency()[7]).isCloseTo(3, EPS);
    assertThat(probe.seen.get(7).behind()).as("a batch is running").isTrue();
    assertThat(probe.seen.get(9).behind()).as("the batch finished").isFalse();
  }

  @Test
  void policiesSeeTheBatchesSparkReportedAndNothingElse() {
    Scenario sc = exact("executorRate", 20, "triggerIntervalSeconds", 5, "batchOverheadSeconds", 1);
    List<List<BatchProgress>> seen = new ArrayList<>();
    SimPolicy watcher =
        new SimPolicy() {
          @Override
          public String name() {
            return "watcher";
          }

          @Override
          public OptionalInt decide(SimView v) {
            seen.add(v.batchesEndedSince(0));
            return OptionalInt.empty();
          }
        };
    new Simulator(sc).run(constant(10, 20), watcher);

    // The batch at 5 s (50 records) ends at 5 + 1 + 2.5 = 8.5: seen from second 9 on, not before.
    assertThat(seen.get(8)).isEmpty();
    assertThat(seen.get(9)).hasSize(1);
    BatchProgress b = seen.get(9).get(0);
    assertThat(b.startSecond()).isEqualTo(5);
    assertThat(b.durationSeconds()).isCloseTo(3.5, EPS);
    assertThat(b.numInputRows()).isEqualTo(50);
  }

  @Test
  void historyReplaysTheTraceFirstAndMeasuresOnlyTheLastPassWithThePolicyKeepingItsState() {
    // The script asks for 3 executors at 100 s of the first pass, and never changes again.
    Probe probe = Probe.scripted(1).at(100, 3);
    Scenario sc = exact("executorRate", 20);
    SimResult r = new Simulator(sc).run(constant(10, 200), probe, 1);

    assertThat(probe.seen).hasSize(400);
    assertThat(r.series().target()).hasSize(200).containsOnly(3);
    assertThat(r.scalingActions()).as("the action was in the replayed pass").isZero();
    assertThat(r.executorSeconds()).isEqualTo(3 * 200);
  }

  @Test
  void continuousProcessingHasNoBatchSteps() {
    Probe probe = Probe.scripted(1);
    new Simulator(exact("executorRate", 20)).run(constant(10, 20), probe);

    for (int t = 0; t + 1 < probe.seen.size(); t++) {
      assertThat(probe.processedDuring(t)).isCloseTo(10, EPS);
    }
  }

  @Test
  void rejectsAnInvalidScenarioBuiltInCode() {
    Scenario bad = new Scenario(0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1);
    assertThatThrownBy(() -> new Simulator(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("executorRate must be > 0");
  }

  // ---- helpers ----

  private static final Offset<Double> EPS = within(1e-9);

  private static Trace stepTrace() {
    return trace(0, 2000, 300, 9000, 900, 2000, 1500, 12000, 1800, 3000, 2390, 3000);
  }

  /** Same figures and same series, value for value. */
  static void assertSameResult(SimResult a, SimResult b) {
    assertThat(withoutSeries(a)).as(a.policy()).isEqualTo(withoutSeries(b));
    SimResult.Series x = a.series();
    SimResult.Series y = b.series();
    assertThat(x.arrivalRate()).isEqualTo(y.arrivalRate());
    assertThat(x.backlog()).isEqualTo(y.backlog());
    assertThat(x.latency()).isEqualTo(y.latency());
    assertThat(x.target()).isEqualTo(y.target());
    assertThat(x.readyExecutors()).isEqualTo(y.readyExecutors());
    assertThat(x.billedExecutors()).isEqualTo(y.billedExecutors());
    assertThat(x.nodes()).isEqualTo(y.nodes());
  }

  private static SimResult withoutSeries(SimResult r) {
    return new SimResult(
        r.policy(),
        r.setting(),
        r.executorSeconds(),
        r.placeholderSeconds(),
        r.nodeSeconds(),
        r.slaViolationSeconds(),
        r.p99LatencySeconds(),
        r.maxLatencySeconds(),
        r.maxBacklogRecords(),
        r.scalingActions(),
        r.meanUtilization(),
        null);
  }

  private static int[] slice(int[] a, int from, int to) {
    return IntStream.range(from, to).map(i -> a[i]).toArray();
  }

  static Scenario withTrigger(Scenario s, double trigger) {
    return new Scenario(
        s.executorRate(),
        s.executorRateNoise(),
        s.coresPerExecutor(),
        s.partitions(),
        s.podStartupSeconds(),
        s.podStartupJitterSeconds(),
        s.nodeProvisionSeconds(),
        s.executorsPerNode(),
        s.initialNodes(),
        s.minExecutors(),
        s.maxExecutors(),
        s.initialExecutors(),
        s.targetLatencySeconds(),
        s.pollSeconds(),
        s.decommissionSeconds(),
        s.nodeIdleSeconds(),
        trigger,
        s.batchOverheadSeconds(),
        s.maxRecordsPerBatch(),
        s.seed(),
        s.placement());
  }

  static Scenario withSeed(Scenario s, long seed) {
    return new Scenario(
        s.executorRate(),
        s.executorRateNoise(),
        s.coresPerExecutor(),
        s.partitions(),
        s.podStartupSeconds(),
        s.podStartupJitterSeconds(),
        s.nodeProvisionSeconds(),
        s.executorsPerNode(),
        s.initialNodes(),
        s.minExecutors(),
        s.maxExecutors(),
        s.initialExecutors(),
        s.targetLatencySeconds(),
        s.pollSeconds(),
        s.decommissionSeconds(),
        s.nodeIdleSeconds(),
        s.triggerIntervalSeconds(),
        s.batchOverheadSeconds(),
        s.maxRecordsPerBatch(),
        seed,
        s.placement());
  }
}
