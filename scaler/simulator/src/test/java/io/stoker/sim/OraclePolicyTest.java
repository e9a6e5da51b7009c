package io.stoker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OraclePolicyTest {

  @ParameterizedTest(name = "rate {0}, capacity {1}, interval {2}, overhead {3} -> {4}")
  @CsvSource({
    // fits the interval: I + O + x I <= objective 60 and O + x I <= I
    "900, 1000, 10, 1, true", // D = 10 = I, 10 + 10 <= 60
    "5000, 1000, 10, 1, false", // x = 5
    "960, 1000, 30, 1, true", // D = 29.8, 59.8 <= 60
    "970, 1000, 30, 1, false", // D = 30.1 > 30 and back to back 2 x 1 / 0.03 > 60
    // back to back (no interval): 2 O / (1 - x) <= 60
    "960, 1000, 0, 1, true", // 2 / 0.04 = 50
    "970, 1000, 0, 1, false", // 2 / 0.03 = 66.7
    "999, 1000, 0, 0, true", // no overhead: any x < 1
    "1000, 1000, 0, 0, false",
    "0, 1000, 30, 1, true",
    // an interval longer than half the objective with batches that fill it
    "100, 1000, 55, 1, false", // 55 + 6.5 > 60, back to back D = 1.1 < 55
  })
  void keepsUpWhenTheOldestRecordEndsWithinTheObjective(
      double rate, double capacity, double interval, double overhead, boolean expected) {
    assertThat(OraclePolicy.batchesKeepUp(rate, capacity, interval, overhead, 60))
        .isEqualTo(expected);
  }

  @Test
  void holdsMoreThanTheRateOverTheExecutorRateWhenBatchesPayAnOverhead() {
    Scenario sc =
        Fixtures.exact(
            "executorRate",
            1000,
            "triggerIntervalSeconds",
            0,
            "batchOverheadSeconds",
            1,
            "targetLatencySeconds",
            60,
            "partitions",
            400);
    // No noise, objective 60 - 1 s: 9600/s on 10 executors is x = 0.96, 2 / 0.04 = 50 s <= 59;
    // 9700/s is x = 0.97, 2 / 0.03 = 66.7 s: it needs 11 (x = 0.88).
    assertThat(OraclePolicy.fewestForBatches(9600, sc, 400)).isEqualTo(10);
    assertThat(OraclePolicy.fewestForBatches(9700, sc, 400)).isEqualTo(11);
  }

  @Test
  void holdsTheHighestNeedOfTheLastObjectiveAfterTheRateDrops() {
    // 20000/s for 100 s, then 1000/s: the batch after the drop still holds the high rate's records.
    Scenario sc =
        Fixtures.exact(
            "executorRate",
            1000,
            "triggerIntervalSeconds",
            30,
            "batchOverheadSeconds",
            1,
            "targetLatencySeconds",
            60,
            "partitions",
            400,
            "maxExecutors",
            400);
    SimResult r =
        new Simulator(sc).run(Fixtures.trace(0, 20_000, 100, 1000, 300, 1000), new OraclePolicy());

    int[] target = r.series().target();
    assertThat(target[158]).isEqualTo(target[99]).isGreaterThan(20);
    assertThat(target[159]).isEqualTo(2);
    assertThat(r.slaViolationSeconds()).isZero();
  }

  @Test
  void oracleHoldsItsFloorAndStaysWithinTheObjectiveAtASteadyRate() {
    Scenario sc =
        Fixtures.exact(
            "executorRate",
            1000,
            "triggerIntervalSeconds",
            30,
            "batchOverheadSeconds",
            1,
            "targetLatencySeconds",
            60,
            "partitions",
            400,
            "maxExecutors",
            400);
    SimResult r = new Simulator(sc).run(Fixtures.constant(9000, 600), new OraclePolicy());

    assertThat(r.slaViolationSeconds()).isZero();
    // 9000/s over 30 s with 1 s overhead: 10 executors (x = 0.9) give D = 28 s, 58 s <= 59.
    assertThat(r.series().target()[300]).isEqualTo(10);
  }
}
