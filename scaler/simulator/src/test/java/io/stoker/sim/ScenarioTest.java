package io.stoker.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScenarioTest {

  @Test
  void defaultsAreThePublishedDefaultScenario() {
    Scenario d = Scenario.defaults();

    assertThat(d.executorRate()).isEqualTo(1000);
    assertThat(d.executorRateNoise()).isEqualTo(0.05);
    assertThat(d.coresPerExecutor()).isEqualTo(4);
    assertThat(d.partitions()).isEqualTo(128);
    assertThat(d.podStartupSeconds()).isEqualTo(60);
    assertThat(d.podStartupJitterSeconds()).isEqualTo(15);
    assertThat(d.nodeProvisionSeconds()).isEqualTo(150);
    assertThat(d.executorsPerNode()).isEqualTo(4);
    assertThat(d.initialNodes()).isEqualTo(2);
    assertThat(d.minExecutors()).isEqualTo(1);
    assertThat(d.maxExecutors()).isEqualTo(40);
    assertThat(d.initialExecutors()).isEqualTo(2);
    assertThat(d.targetLatencySeconds()).isEqualTo(60);
    assertThat(d.pollSeconds()).isEqualTo(10);
    assertThat(d.decommissionSeconds()).isEqualTo(30);
    assertThat(d.nodeIdleSeconds()).isEqualTo(600);
    assertThat(d.triggerIntervalSeconds()).isZero();
    assertThat(d.seed()).isEqualTo(42);
    assertThat(d.placement()).isEqualTo(Scenario.Placement.SPREAD);
    assertThat(d.validate()).isEmpty();
  }

  @Test
  void anEmptyMapGivesTheDefaults() throws Exception {
    assertThat(Scenario.fromMap(Map.of())).isEqualTo(Scenario.defaults());
  }

  @Test
  void overridesOnlyTheKeysGiven() throws Exception {
    Scenario s =
        Scenario.fromMap(
            Map.of("executorRate", 250.5, "partitions", 16L, "seed", 7, "maxExecutors", 8));

    assertThat(s.executorRate()).isEqualTo(250.5);
    assertThat(s.partitions()).isEqualTo(16);
    assertThat(s.seed()).isEqualTo(7);
    assertThat(s.maxExecutors()).isEqualTo(8);
    assertThat(s.coresPerExecutor()).isEqualTo(4);
  }

  @Test
  void placementIsReadFromItsName() throws Exception {
    assertThat(Scenario.fromMap(Map.of("placement", "pack")).placement())
        .isEqualTo(Scenario.Placement.PACK);
    assertThat(Scenario.fromMap(Map.of("placement", "spread")).placement())
        .isEqualTo(Scenario.Placement.SPREAD);
    assertThat(Scenario.defaults().toMap()).containsEntry("placement", "spread");
  }

  @Test
  void acceptsAWholeNumberWrittenAsADecimalForAnIntegerKey() throws Exception {
    assertThat(Scenario.fromMap(Map.of("partitions", 64.0)).partitions()).isEqualTo(64);
  }

  @Test
  void roundTripsThroughItsMap() throws Exception {
    Scenario s = Fixtures.exact("triggerIntervalSeconds", 5, "seed", 9);

    assertThat(Scenario.fromMap(s.toMap())).isEqualTo(s);
  }

  static Stream<Arguments> badScenarios() {
    return Stream.of(
        Arguments.of(Map.of("executorRat", 1000), "executorRat", "unknown scenario key"),
        Arguments.of(Map.of("executorRate", "fast"), "executorRate", "must be a number"),
        Arguments.of(Map.of("partitions", true), "partitions", "must be a number"),
        Arguments.of(nullValue("seed"), "seed", "must be a number"),
        Arguments.of(Map.of("partitions", 12.5), "partitions", "whole number"),
        Arguments.of(Map.of("maxExecutors", 3.2), "maxExecutors", "whole number"),
        Arguments.of(Map.of("minExecutors", 10, "maxExecutors", 5), "minExecutors", "maxExecutors"),
        // every executor and node is an object visited each second: 1e8 of them ran for minutes
        Arguments.of(Map.of("maxExecutors", 10_001), "maxExecutors", "must be <= 10000"),
        Arguments.of(Map.of("initialExecutors", 41), "initialExecutors", "must be <= 40"),
        Arguments.of(Map.of("initialNodes", 100_000_000), "initialNodes", "must be <= 10000"),
        Arguments.of(Map.of("executorRate", 0), "executorRate", "must be > 0"),
        Arguments.of(Map.of("executorRate", -100), "executorRate", "must be > 0"),
        Arguments.of(Map.of("targetLatencySeconds", 0), "targetLatencySeconds", "must be > 0"),
        Arguments.of(Map.of("partitions", 0), "partitions", "must be > 0"),
        Arguments.of(Map.of("coresPerExecutor", -1), "coresPerExecutor", "must be > 0"),
        Arguments.of(Map.of("pollSeconds", 0), "pollSeconds", "must be > 0"),
        Arguments.of(Map.of("executorsPerNode", 0), "executorsPerNode", "must be > 0"),
        Arguments.of(Map.of("executorRateNoise", -0.1), "executorRateNoise", "must be >= 0"),
        Arguments.of(Map.of("executorRateNoise", 1), "executorRateNoise", "must be < 1"),
        Arguments.of(Map.of("podStartupSeconds", -1), "podStartupSeconds", "must be >= 0"),
        Arguments.of(
            Map.of("podStartupSeconds", 10, "podStartupJitterSeconds", 20),
            "podStartupJitterSeconds",
            "<= podStartupSeconds"),
        Arguments.of(Map.of("triggerIntervalSeconds", -5), "triggerIntervalSeconds", ">= 0"),
        Arguments.of(Map.of("placement", 1), "placement", "must be the string"),
        Arguments.of(Map.of("placement", "binpack"), "placement", "\"spread\" or \"pack\""),
        Arguments.of(Map.of("placement", "x".repeat(5000)), "placement", "xxx..."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badScenarios")
  void rejectsBadValuesNamingTheKey(Map<String, Object> values, String key, String problem) {
    assertThatThrownBy(() -> Scenario.fromMap(values))
        .isInstanceOf(InputException.class)
        .hasMessageContaining(key)
        .hasMessageContaining(problem);
  }

  private static Map<String, Object> nullValue(String key) {
    Map<String, Object> m = new HashMap<>();
    m.put(key, null);
    return m;
  }
}
