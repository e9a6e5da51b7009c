package io.stoker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoalsTest {

  @ParameterizedTest(name = "peer {0} es / {1} s against stoker {2} es / {3} s -> {4}")
  @CsvSource({
    "500, 0, 1000, 50, true", // better on both
    "500, 50, 1000, 50, true", // a tie on violations, cheaper
    "1000, 0, 1000, 50, true", // a tie on cost, fewer violations
    "1000, 50, 1000, 50, false", // equal on both
    "500, 60, 1000, 50, false", // cheaper but worse
    "1500, 0, 1000, 50, false", // better but dearer
  })
  void aPeerDominatesWhenAtLeastAsGoodOnBothAndBetterOnOne(
      double peerCost, int peerViolations, double cost, int violations, boolean expected) {
    assertThat(Goals.dominates(peerCost, peerViolations, cost, violations)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "history {0}: static-peak within budget, keda not -> SLA required {1}")
  @CsvSource({"false, false", "true, true"})
  void requiresTheSlaColdOnlyWhereAReactivePeerMeetsItAndWithHistoryWhereAnyPeerDoes(
      boolean history, boolean required) {
    Goals g =
        Goals.of(
            result(
                point("stoker", false, 1000, 900, 50),
                point("oracle", false, 500, 200, 0),
                point("static-peak", false, 4000, 1000, 0),
                point("keda-hpa[lagThreshold=1,scaleDownWindow=0]", true, 3000, 800, 40)),
            Fixtures.constant(1, 10),
            history);

    assertThat(g.slaRequired()).isEqualTo(required);
    assertThat(g.slaMet()).isEqualTo(!required);
    assertThat(g.withinBudget()).isFalse();
  }

  @ParameterizedTest(name = "history {0} -> bound {1}")
  @CsvSource({"false, 3000", "true, 4000"})
  void boundsTheCostByTheCheapestPeerWithinBudgetOrTheOracle(boolean history, double bound) {
    Goals g =
        Goals.of(
            result(
                point("stoker", false, 1000, 900, 0),
                point("oracle", false, 500, 200, 0),
                point("static-peak", false, 4000, 1000, 0)),
            Fixtures.constant(1, 10),
            history);

    assertThat(g.costBound()).isEqualTo(bound);
    assertThat(g.dominatedBy()).isEmpty();
  }

  @ParameterizedTest(name = "peer node-s {0} -> dominated on nodes {1}")
  @CsvSource({"800, true", "900, false", "1000, false"})
  void checksTheNodeBillWithTiesCounted(double peerNodes, boolean dominated) {
    Goals g =
        Goals.of(
            result(
                point("stoker", false, 1000, 900, 10),
                point("oracle", false, 500, 200, 0),
                point("spark-da[x]", true, 5000, peerNodes, 10)),
            Fixtures.constant(1, 10),
            false);

    assertThat(g.nodeBillMet()).isEqualTo(!dominated);
    assertThat(g.frontierMet()).isTrue();
  }

  private static Comparison.Result result(Comparison.Entry... entries) {
    return new Comparison.Result("t", 10, Scenario.defaults(), 10, List.of(entries));
  }

  private static Comparison.Entry point(
      String name, boolean sweep, double executorSeconds, double nodeSeconds, int violations) {
    int[] zeros = new int[10];
    double[] none = new double[10];
    return new Comparison.Entry(
        name,
        sweep,
        new SimResult(
            name,
            "",
            executorSeconds,
            0,
            nodeSeconds,
            violations,
            0,
            0,
            0,
            0,
            0,
            new SimResult.Series(none, none, none, zeros, zeros, zeros, zeros, zeros)));
  }
}
