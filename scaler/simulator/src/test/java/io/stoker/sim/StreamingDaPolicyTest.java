package io.stoker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StreamingDaPolicyTest {

  @ParameterizedTest(name = "ratio {0}, target {1}, {2} registered -> {3}")
  @CsvSource({
    // scale up from the registered executors by max(round(ratio), 1)
    "0.9, 4, 4, 5",
    "0.95, 4, 4, 5",
    "1.4, 4, 4, 5",
    "1.5, 4, 4, 6",
    "3.4, 4, 4, 7",
    "1.0, 10, 4, 5", // the base is the registered count, so pending requests are cut
    "5.0, 38, 38, 40", // max
    // scale down by one
    "0.3, 6, 6, 5",
    "0.1, 2, 2, 1",
    "0.1, 1, 1, -1", // not below the minimum
    // between the ratios: nothing
    "0.5, 6, 6, -1",
    "0.89, 6, 6, -1",
  })
  void followsTheRatiosOfSparkStreamingsAllocationManager(
      double ratio, int target, int registered, int expected) {
    assertThat(StreamingDaPolicy.decision(ratio, target, registered, 1, 40)).isEqualTo(expected);
  }

  @Test
  void averagesTheBatchesOfTheLastIntervalAndFiresOnMultiplesOfIt() {
    StreamingDaPolicy p = new StreamingDaPolicy(60, true);
    Scenario sc = Fixtures.exact("triggerIntervalSeconds", 10, "maxExecutors", 40);
    TestingSimView v = new TestingSimView(sc).target(4).ready(4);
    v.batch(0, 9, 100).batch(10, 10, 100).at(30);
    assertThat(p.decide(v)).as("not a multiple of 60 s").isEmpty();

    // mean 9.5 s over a 10 s interval: 0.95 -> +1 from the 4 registered
    assertThat(p.decide(v.at(60))).hasValue(5);
    v.target(5).ready(5);
    assertThat(p.decide(v.at(120))).as("no batch since: nothing").isEmpty();
    v.batch(121, 2, 10);
    assertThat(p.decide(v.at(180))).as("0.2: one fewer").hasValue(4);
  }

  @Test
  void namesItselfAfterItsScalingInterval() {
    assertThat(new StreamingDaPolicy(60, true).name())
        .isEqualTo("streaming-da[scalingInterval=60s]");
    assertThat(new StreamingDaPolicy(60, true).setting())
        .isEqualTo("scalingInterval=60s (Spark default)");
  }
}
