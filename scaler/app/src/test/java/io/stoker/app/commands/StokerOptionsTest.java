package io.stoker.app.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stoker.core.model.ScalingOptions;
import io.stoker.sim.InputException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code stoker simulate --stoker KEY=VALUE}: tuning Stoker's policy offline. */
class StokerOptionsTest {

  @Test
  void overridesReachTheOptions() throws Exception {
    ScalingOptions o =
        StokerOptions.parse(
            Map.of(
                "targetUtilization", "0.75",
                "scaleDown.stabilizationWindow", "300",
                "scaleUp.maxStepExecutors", "8",
                "burstMemory", "1800s"));
    assertThat(o.targetUtilization()).isEqualTo(0.75);
    assertThat(o.scaleDown().stabilizationWindow()).contains(Duration.ofSeconds(300));
    assertThat(o.scaleUp().maxStepExecutors()).hasValue(8);
    assertThat(o.burstMemory()).isEqualTo(Duration.ofMinutes(30));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "nope | 1 | unknown key 'nope'",
        "scaleUp.nope | 1 | unknown key 'scaleUp.nope'",
        "tolerance | x | --stoker tolerance: not a number: 'x'",
        "targetUtilization | 2 | objective.targetUtilization must be in (0, 1]",
        "scaleDown.maxStepPercent | 150 | behavior.scaleDown.maxStepPercent must be <= 100"
      })
  void rejectsBadKeysAndValuesNamingThem(String key, String value, String message) {
    assertThatThrownBy(() -> StokerOptions.parse(Map.of(key, value)))
        .isInstanceOf(InputException.class)
        .hasMessageContaining(message);
  }

  @Test
  void aTunedStokerRunsInTheSimulatorAndChangesItsResult() throws Exception {
    Cli.Result base = Cli.run("simulate", "--workload", "step", "--policies", "stoker", "--json");
    Cli.Result tuned =
        Cli.run(
            "simulate",
            "--workload",
            "step",
            "--policies",
            "stoker",
            "--json",
            "--stoker",
            "targetUtilization=0.6");
    assertThat(base.exitCode()).isZero();
    assertThat(tuned.exitCode()).isZero();
    double baseCost = stokerCost(base.out());
    double tunedCost = stokerCost(tuned.out());
    // a lower target utilisation holds more executors
    assertThat(tunedCost).isGreaterThan(baseCost);
  }

  @Test
  void aBadKeyExits2WithNothingOnStdout() {
    Cli.Result r = Cli.run("simulate", "--workload", "step", "--stoker", "nope=1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("unknown key 'nope'");
  }

  private static double stokerCost(String json) throws Exception {
    JsonNode root = new ObjectMapper().readTree(json);
    for (JsonNode p : root.get("policies")) {
      if (p.get("name").asText().equals("stoker")) {
        return p.get("executorSeconds").asDouble();
      }
    }
    throw new AssertionError("no stoker entry in " + json);
  }
}
