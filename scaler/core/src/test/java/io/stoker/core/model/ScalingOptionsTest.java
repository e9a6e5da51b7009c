package io.stoker.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.core.model.ScalingOptions.Behavior;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScalingOptionsTest {

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(op(b -> b.bounds(-1, 4)), "minExecutors must be >= 0"),
        Arguments.of(op(b -> b.bounds(0, 0)), "maxExecutors must be >= 1"),
        Arguments.of(op(b -> b.bounds(5, 3)), "minExecutors (5) must be <= maxExecutors (3)"),
        Arguments.of(op(b -> b.targetLatency(Duration.ZERO)), "objective.targetLatency"),
        Arguments.of(op(b -> b.targetUtilization(0)), "objective.targetUtilization"),
        Arguments.of(op(b -> b.targetUtilization(1.2)), "objective.targetUtilization"),
        Arguments.of(op(b -> b.tolerance(1)), "behavior.tolerance"),
        Arguments.of(
            op(b -> b.scaleUp(Behavior.unlimited().withMaxStepPercent(0))),
            "behavior.scaleUp.maxStepPercent must be >= 1"),
        Arguments.of(
            op(b -> b.scaleDown(Behavior.unlimited().withMaxStepPercent(150))),
            "behavior.scaleDown.maxStepPercent must be <= 100"),
        Arguments.of(
            op(b -> b.scaleDown(Behavior.unlimited().withMaxStepExecutors(0))),
            "behavior.scaleDown.maxStepExecutors must be >= 1"),
        Arguments.of(
            op(b -> b.scaleDown(Behavior.unlimited().withWindow(Duration.ofSeconds(-1)))),
            "behavior.scaleDown.stabilizationWindow must be >= 0"),
        Arguments.of(op(b -> b.maxSignalAge(Duration.ZERO)), "maxSignalAge must be > 0"),
        Arguments.of(op(b -> b.initialExecutorRate(0)), "initialExecutorRate must be > 0"),
        Arguments.of(op(b -> b.ineffectiveThreshold(1)), "ineffectiveThreshold"),
        Arguments.of(
            op(b -> b.ineffectiveHold(Duration.ofSeconds(-1))), "ineffectiveHold must be >= 0"),
        Arguments.of(
            op(b -> b.rateSettleTime(Duration.ofSeconds(-1))), "rateSettleTime must be >= 0"));
  }

  private static UnaryOperator<ScalingOptions.Builder> op(UnaryOperator<ScalingOptions.Builder> f) {
    return f;
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void namesTheFieldOfEveryBrokenRule(
      UnaryOperator<ScalingOptions.Builder> change, String message) {
    ScalingOptions o = change.apply(ScalingOptions.defaults().toBuilder()).build();
    assertThat(o.validate()).anySatisfy(e -> assertThat(e).contains(message));
  }

  @org.junit.jupiter.api.Test
  void defaultsAreValid() {
    assertThat(ScalingOptions.defaults().validate()).isEmpty();
  }
}
