package io.stoker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The oracle (the cost floor) and static-peak (a fleet sized for the peak). */
class ReferencePoliciesTest {

  @ParameterizedTest(name = "rate {0}/s, {1}/s per executor, {2} partitions / {3} cores -> {4}")
  @CsvSource({
    "2500, 1000, 128, 4, 3",
    "3000, 1000, 128, 4, 3",
    "3001, 1000, 128, 4, 4",
    "999.5, 1000, 128, 4, 1",
    "0, 1000, 128, 4, 1",
    "32000, 1000, 128, 4, 32",
    "1000000, 1000, 128, 4, 32",
    "5000, 1000, 8, 4, 2",
    "5000, 1000, 8, 1, 5",
  })
  void oracleHoldsCeilOfRateOverExecutorRateWithinThePartitionCap(
      double rate, double executorRate, int partitions, int cores, int expected) {
    Scenario sc =
        Fixtures.exact(
            "executorRate", executorRate,
            "partitions", partitions,
            "coresPerExecutor", cores,
            "maxExecutors", 40);

    assertThat(new OraclePolicy().decide(new TestingSimView(sc).rate(rate))).hasValue(expected);
  }

  @Test
  void oracleCostsExactlyTheExecutorsTheRateNeedsEachSecond() {
    Scenario sc = Fixtures.exact("executorRate", 1000, "executorRateNoise", 0.05);
    Trace t = Fixtures.trace(0, 2500, 60, 7200, 120, 300, 180, 300);
    SimResult r = new Simulator(sc).run(t, new OraclePolicy());

    assertThat(r.executorSeconds()).isEqualTo(60 * 3 + 60 * 8 + 120 * 1);
    assertThat(new OraclePolicy().instantExecutors()).isTrue();
  }

  @ParameterizedTest(name = "peak {0}/s, min {1}, max {2}, {3} partitions / {4} cores -> {5}")
  @CsvSource({
    "10000, 1, 40, 128, 4, 10",
    "10001, 1, 40, 128, 4, 11",
    "200000, 1, 40, 128, 4, 32",
    "200000, 1, 20, 128, 4, 20",
    "0, 1, 40, 128, 4, 1",
    "2000, 5, 40, 128, 4, 5",
    "5000, 1, 40, 6, 4, 1",
  })
  void staticPeakHoldsCeilOfPeakOverExecutorRateWithinBoundsAndPartitionCap(
      double peak, int min, int max, int partitions, int cores, int expected) {
    Scenario sc =
        Fixtures.exact(
            "executorRate", 1000,
            "minExecutors", min,
            "maxExecutors", max,
            "partitions", partitions,
            "coresPerExecutor", cores);
    Trace t = Fixtures.trace(0, peak / 2, 10, peak, 20, 0);
    StaticPeakPolicy p = new StaticPeakPolicy(t, sc);

    assertThat(p.initialExecutors(sc)).isEqualTo(expected);
    assertThat(p.decide(new TestingSimView(sc).at(17))).hasValue(expected);
    assertThat(p.setting()).isEqualTo("executors=" + expected);
  }

  @Test
  void staticPeakNeverScales() {
    Trace t = Fixtures.trace(0, 500, 300, 9000, 600, 500, 900, 500);
    SimResult r =
        new Simulator(Scenario.defaults()).run(t, new StaticPeakPolicy(t, Scenario.defaults()));

    assertThat(r.scalingActions()).isZero();
    assertThat(r.series().readyExecutors()).containsOnly(9);
  }
}
