package io.stoker.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ComparisonTest {
  private static final Trace STEP = Fixtures.trace(0, 2000, 300, 6000, 600, 2000, 890, 2000);
  private static Comparison.Result all;

  @BeforeAll
  static void runAllPolicies() {
    all = Comparison.run(STEP, Scenario.defaults(), new LinkedHashSet<>(Comparison.POLICIES));
  }

  @Test
  void listsChosenEntriesPlainlyThenEverySweepPoint() {
    List<String> names = all.entries().stream().map(Comparison.Entry::name).toList();
    assertThat(names.subList(0, 10))
        .containsExactly(
            "stoker",
            "stoker+placeholders",
            "keda-hpa",
            "spark-da",
            "static-peak",
            "oracle",
            "stoker+placeholders[headroomExecutors=0]",
            "stoker+placeholders[headroomExecutors=4]",
            "stoker+placeholders[headroomExecutors=8]",
            "stoker+placeholders[headroomExecutors=12]");
    assertThat(names.subList(10, 14))
        .containsExactly(
            "keda-hpa[lagThreshold=10,scaleDownWindow=0]",
            "keda-hpa[lagThreshold=10,scaleDownWindow=60]",
            "keda-hpa[lagThreshold=10,scaleDownWindow=120]",
            "keda-hpa[lagThreshold=10,scaleDownWindow=300]");
    assertThat(names).contains("keda-hpa[lagThreshold=240000,scaleDownWindow=300]");
    assertThat(names.subList(34, 43))
        .containsExactly(
            "spark-da[executorIdleTimeout=30s,executorAllocationRatio=1]",
            "spark-da[executorIdleTimeout=30s,executorAllocationRatio=0.5]",
            "spark-da[executorIdleTimeout=30s,executorAllocationRatio=0.25]",
            "spark-da[executorIdleTimeout=60s,executorAllocationRatio=1]",
            "spark-da[executorIdleTimeout=60s,executorAllocationRatio=0.5]",
            "spark-da[executorIdleTimeout=60s,executorAllocationRatio=0.25]",
            "spark-da[executorIdleTimeout=120s,executorAllocationRatio=1]",
            "spark-da[executorIdleTimeout=120s,executorAllocationRatio=0.5]",
            "spark-da[executorIdleTimeout=120s,executorAllocationRatio=0.25]");
    assertThat(names)
        .as("streaming-da needs a trigger interval")
        .noneMatch(n -> n.startsWith("streaming-da"));
    assertThat(all.entries().subList(0, 6)).noneMatch(Comparison.Entry::sweepPoint);
    assertThat(all.entries().subList(6, 43)).allMatch(Comparison.Entry::sweepPoint);
    assertThat(all.trace()).isEqualTo("test");
    assertThat(all.durationSeconds()).isEqualTo(STEP.durationSeconds());
    assertThat(all.slaBudgetSeconds()).isEqualTo(0.01 * STEP.durationSeconds());
  }

  @Test
  void runsStreamingDaOverItsScalingIntervalsInModesWithATriggerInterval() {
    Scenario sc = Fixtures.exact("triggerIntervalSeconds", 10, "batchOverheadSeconds", 1);
    Comparison.Result r =
        Comparison.run(STEP, sc, new LinkedHashSet<>(List.of("streaming-da", "oracle")));

    assertThat(r.entries())
        .extracting(Comparison.Entry::name)
        .containsExactly(
            "streaming-da",
            "oracle",
            "streaming-da[scalingInterval=30s]",
            "streaming-da[scalingInterval=60s]",
            "streaming-da[scalingInterval=120s]");
  }

  @Test
  void theChosenPeerEntriesAreTheBestPointsOfTheirSweeps() {
    for (String peer : List.of("keda-hpa", "spark-da", "stoker+placeholders")) {
      List<SimResult> points = new ArrayList<>();
      for (Comparison.Entry e : all.entries()) {
        if (e.sweepPoint() && e.name().startsWith(peer + "[")) {
          points.add(e.result());
        }
      }
      SimResult chosen = all.get(peer);

      assertThat(points).as(peer).contains(chosen);
      assertThat(chosen).isSameAs(Comparison.best(peer, points, all.slaBudgetSeconds()).result());
      assertThat(chosen.setting()).as("the chosen point names its setting").isNotEmpty();
    }
  }

  @Test
  void runsOnlyTheRequestedPoliciesInReportOrder() {
    Set<String> asked = new LinkedHashSet<>(List.of("oracle", "stoker"));

    Comparison.Result r = Comparison.run(STEP, Scenario.defaults(), asked);

    assertThat(r.entries()).extracting(Comparison.Entry::name).containsExactly("stoker", "oracle");
  }

  @Test
  void sweepsKedaOverMultiplesOfExecutorRateTimesTheLatencyObjectiveAndTheWindow() {
    Scenario sc = Fixtures.exact("executorRate", 500, "targetLatencySeconds", 30);

    List<String> settings = Comparison.kedaPoints(sc).stream().map(SimPolicy::setting).toList();
    assertThat(settings).hasSize(24);
    assertThat(settings.subList(0, 5))
        .containsExactly(
            "lagThreshold=10, scaleDownWindow=0s",
            "lagThreshold=10, scaleDownWindow=60s",
            "lagThreshold=10, scaleDownWindow=120s",
            "lagThreshold=10, scaleDownWindow=300s (KEDA and HPA defaults)",
            "lagThreshold=3750, scaleDownWindow=0s");
    assertThat(settings.get(23)).isEqualTo("lagThreshold=60000, scaleDownWindow=300s");
    assertThat(Comparison.sparkPoints()).hasSize(9);
    assertThat(Comparison.streamingPoints())
        .extracting(SimPolicy::setting)
        .containsExactly(
            "scalingInterval=30s", "scalingInterval=60s (Spark default)", "scalingInterval=120s");
  }

  @Test
  void getRejectsAnUnknownName() {
    assertThatThrownBy(() -> all.get("nope")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sameScenarioGivesTheSameComparison() {
    Comparison.Result again =
        Comparison.run(STEP, Scenario.defaults(), new LinkedHashSet<>(Comparison.POLICIES));

    for (int i = 0; i < all.entries().size(); i++) {
      SimulatorTest.assertSameResult(
          all.entries().get(i).result(), again.entries().get(i).result());
    }
  }

  // ---- Comparison.best on synthetic results (budget 10 violation seconds) ----

  static Stream<Arguments> sweeps() {
    return Stream.of(
        Arguments.of(
            "cheapest within budget",
            List.of(r("a", 500, 0), r("b", 300, 5), r("c", 100, 50)),
            "b"),
        Arguments.of(
            "exactly at the budget counts as within",
            List.of(r("a", 500, 0), r("b", 300, 10), r("c", 100, 11)),
            "b"),
        Arguments.of(
            "none within: fewest violations",
            List.of(r("a", 100, 40), r("b", 900, 15), r("c", 800, 20)),
            "b"),
        Arguments.of(
            "none within, tie on violations: cheaper",
            List.of(r("a", 100, 40), r("b", 900, 15), r("c", 800, 15)),
            "c"),
        Arguments.of(
            "a within-budget point beats any cheaper violator",
            List.of(r("a", 10, 11), r("b", 10_000, 10)),
            "b"),
        Arguments.of("a single point", List.of(r("only", 1, 1000)), "only"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sweeps")
  void bestPointIsTheCheapestWithinBudgetElseTheFewestViolations(
      String label, List<SimResult> points, String expected) {
    for (List<SimResult> order : orders(points)) {
      Comparison.Entry best = Comparison.best("peer", order, 10);

      assertThat(best.result().policy()).as("order %s", names(order)).isEqualTo(expected);
      assertThat(best.name()).isEqualTo("peer");
      assertThat(best.sweepPoint()).isFalse();
    }
  }

  @Test
  void placeholderPointsAreStokerVariantsNotPeersInTheGoals() {
    Trace flat = Fixtures.constant(1, 10);
    SimResult stoker = withSeries("stoker", 1000, 50, 10);
    SimResult cheaperAndBetter = withSeries("stoker+placeholders[headroomExecutors=4]", 500, 0, 10);
    SimResult peer = withSeries("keda-hpa[lagThreshold=15000,scaleDownWindow=0]", 3000, 0, 10);
    Comparison.Result r =
        new Comparison.Result(
            "flat",
            10,
            Scenario.defaults(),
            10,
            List.of(
                new Comparison.Entry("stoker", false, stoker),
                new Comparison.Entry("oracle", false, withSeries("oracle", 100, 0, 10)),
                new Comparison.Entry(cheaperAndBetter.policy(), true, cheaperAndBetter),
                new Comparison.Entry(peer.policy(), true, peer)));

    Goals g = Goals.of(r, flat);

    assertThat(g.dominatedBy()).isEmpty();
    assertThat(g.cheapestPeerWithinBudget()).isEqualTo(3000);
  }

  private static SimResult withSeries(String name, double executorSeconds, int violations, int n) {
    int[] zeros = new int[n];
    double[] none = new double[n];
    return new SimResult(
        name,
        "",
        executorSeconds,
        0,
        0,
        violations,
        0,
        0,
        0,
        0,
        0,
        new SimResult.Series(none, none, none, zeros, zeros, zeros, zeros, zeros));
  }

  private static List<List<SimResult>> orders(List<SimResult> points) {
    List<SimResult> reversed = new ArrayList<>(points);
    Collections.reverse(reversed);
    List<SimResult> rotated = new ArrayList<>(points);
    Collections.rotate(rotated, 1);
    return List.of(points, reversed, rotated);
  }

  private static List<String> names(List<SimResult> rs) {
    return rs.stream().map(SimResult::policy).toList();
  }

  private static SimResult r(String name, double executorSeconds, int violations) {
    return new SimResult(name, "", executorSeconds, 0, 0, violations, 0, 0, 0, 0, 0, null);
  }
}
