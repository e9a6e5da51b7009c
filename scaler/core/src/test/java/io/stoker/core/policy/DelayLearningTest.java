package io.stoker.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.core.model.ScalingOptions;
import io.stoker.core.policy.ScalerState.Provisioning;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DelayLearningTest {
  private static final ScalingOptions O = ScalingOptions.defaults();
  private static final Instant T0 = Drive.T0;

  /**
   * Replays a scale-up from 3 to 20 executors asked for at second 0, of which 16 become ready at
   * second {@code readyAt} (new nodes) and the rest never before the target is lowered to {@code
   * lowered} at second 260 (the backlog drained first).
   */
  private static Provisioning scaleUpLoweredBeforeAllReady(int readyAt, int lowered) {
    Provisioning p = DelayLearning.learn(Provisioning.UNKNOWN, O, T0, 3, 3);
    p = DelayLearning.afterDecision(p, T0, 3, 3, 3, 20);
    for (int s = 10; s <= 260; s += 10) {
      int ready = s >= readyAt ? 16 : 3;
      p = DelayLearning.learn(p, O, T0.plusSeconds(s), ready, 20);
      p = DelayLearning.afterDecision(p, T0.plusSeconds(s), ready, 20, 20, s == 260 ? lowered : 20);
    }
    return DelayLearning.learn(p, O, T0.plusSeconds(270), 270 >= readyAt ? 16 : 3, lowered);
  }

  @Test
  void aColdScaleUpLoweredBeforeAllItsExecutorsAreReadyIsTimedByThoseThatArrived() {
    Provisioning p = scaleUpLoweredBeforeAllReady(220, 9);
    // the 16 ready at 220 s reach the lowered target: new nodes take 220 s, not the 270 s of the
    // tick that saw the target lowered
    assertThat(p.coldSeconds()).isEqualTo(220.0);
    assertThat(p.requestedAt()).isNull();
  }

  @Test
  void noDelayIsLearnedWhenTheExecutorsThatArrivedFallShortOfTheLoweredTarget() {
    Provisioning p = scaleUpLoweredBeforeAllReady(220, 18);
    assertThat(p.coldSeconds()).isNaN();
    assertThat(p.warmSeconds()).isNaN();
    assertThat(p.requestedAt()).isNull();
  }

  @Test
  void noDelayIsLearnedWhenNoneOfTheExecutorsAskedForArrived() {
    Provisioning p = scaleUpLoweredBeforeAllReady(10_000, 3);
    assertThat(p.coldSeconds()).isNaN();
    assertThat(p.requestedAt()).isNull();
  }
}
