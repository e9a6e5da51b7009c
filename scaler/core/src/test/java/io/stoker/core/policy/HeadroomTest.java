package io.stoker.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.core.model.Decision;
import io.stoker.core.policy.Headroom.Basis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The placeholder count: the configured headroom or the forecast rise, within maxExecutors. */
class HeadroomTest {

  @ParameterizedTest(
      name = "desired {0}, running {1}, unschedulable {2}, headroom {3}, forecast {4}, max {5}")
  @CsvSource({
    // desired, running, unschedulable, headroom, forecast, max, placeholders, basis, capped
    "10, 10, 0, 0, 10, 40, 0, NONE, false", // forecast fits: nothing held
    "10, 10, 0, 4, 10, 40, 4, HEADROOM, false", // the configured spare room
    "10, 10, 0, 0, 16, 40, 6, FORECAST, false", // 6 more before a node could arrive
    "10, 10, 0, 4, 12, 40, 4, HEADROOM, false", // headroom is a floor, not added to the rise
    "10, 10, 0, 4, 20, 40, 10, FORECAST, false", // the rise beyond the headroom
    "10, 6, 4, 0, 16, 40, 6, FORECAST, false", // executors waiting for a node are not asked twice
    "8, 12, 0, 0, 16, 40, 4, FORECAST, false", // executors still running hold room: base 12
    "38, 38, 0, 4, 45, 40, 2, FORECAST, true", // never room beyond maxExecutors
    "40, 40, 0, 4, 40, 40, 0, HEADROOM, true", // at the maximum: none
    "10, 10, 0, 3, -1, 40, 3, HEADROOM, false", // forecast unknown: the headroom only
    "10, 10, 0, 0, -1, 40, 0, NONE, false",
    "0, 0, 0, 0, 0, 1, 0, NONE, false"
  })
  void keepsTheHeadroomOrTheForecastRiseWithinTheMaximum(
      int desired,
      int running,
      int unschedulable,
      int headroom,
      int forecast,
      int max,
      int expected,
      Basis basis,
      boolean capped) {
    Headroom.Plan plan =
        Headroom.placeholders(
            new Headroom.Input(desired, running, unschedulable, headroom, forecast, max));
    assertThat(plan.placeholders()).isEqualTo(expected);
    assertThat(plan.basis()).isEqualTo(basis);
    assertThat(plan.capped()).isEqualTo(capped);
    assertThat(plan.reason()).startsWith("keep " + expected + " placeholders: ");
  }

  @Test
  void reasonNamesTheForecastTheWaitingExecutorsAndTheCap() {
    Headroom.Plan plan = Headroom.placeholders(new Headroom.Input(30, 26, 4, 0, 45, 40));
    assertThat(plan.reason())
        .isEqualTo(
            "keep 10 placeholders: the forecast needs 45 executors before a new node could arrive,"
                + " 15 more than the 30 wanted; 4 executors already wait for a node; capped at 10"
                + " by maxExecutors 40");
  }

  @Test
  void takesTheTargetAndForecastOfADecision() {
    Decision d =
        new Decision(
            Drive.T0,
            6,
            9,
            9,
            io.stoker.core.model.Direction.UP,
            io.stoker.core.model.Reason.DEMAND,
            "scale up",
            false,
            new Decision.Inputs(0, 9000, 9000, 1000, 70, 14_000, 32, 14));
    Headroom.Input in = Headroom.Input.of(d, 6, 0, 2, 40);
    assertThat(in).isEqualTo(new Headroom.Input(9, 6, 0, 2, 14, 40));
    assertThat(Headroom.placeholders(in).placeholders()).isEqualTo(5);
  }

  @Test
  void refusesNegativeCountsNamingTheField() {
    assertThatThrownBy(() -> new Headroom.Input(4, 4, 0, -1, 4, 40))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity.placeholders.headroomExecutors must be >= 0, got -1");
    assertThatThrownBy(() -> new Headroom.Input(-1, 4, 0, 0, 4, 40))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("executor counts must be >= 0");
    assertThatThrownBy(() -> new Headroom.Input(4, 4, 0, 0, 4, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxExecutors must be >= 1");
  }
}
