package io.stoker.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.core.model.Decision;
import io.stoker.core.model.Observation;
import io.stoker.core.model.Reason;
import io.stoker.core.model.ScalingOptions;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** What one autoscaler's decide loop carries from one tick to the next. */
class DecideLoopTest {

  private static final ScalingOptions DEFAULTS = ScalingOptions.defaults();

  private Instant now = Drive.T0;

  private Decision tick(DecideLoop loop, int onObject, UnaryOperator<Observation.Builder> obs) {
    now = now.plusSeconds(10);
    return loop.decide(obs.apply(Observation.at(now)).build(), onObject, now);
  }

  /** 4 executors saturated at 4000/s with a backlog: the loop scales up. */
  private static UnaryOperator<Observation.Builder> saturated(int ready, long backlog) {
    return b -> Drive.steady(10_000, ready, 1.0).apply(b).processingRate(4000).backlog(backlog);
  }

  @Test
  void theNextTickStartsFromTheTargetInForceNotFromWhatTheObjectShows() {
    DecideLoop loop = new DecideLoop(DEFAULTS);
    assertThat(loop.targetInForce()).isEmpty();
    assertThat(loop.last()).isEmpty();

    Decision first = tick(loop, 4, saturated(4, 200_000));
    assertThat(first.from()).as("the first tick starts from the object").isEqualTo(4);
    int raised = first.target();
    assertThat(raised).isGreaterThan(4);
    assertThat(loop.targetInForce()).hasValue(raised);
    assertThat(loop.last()).contains(first);

    // someone set the object back to 4 (drift): the decision is the desired state and holds
    Decision second = tick(loop, 4, saturated(4, 200_000));
    assertThat(second.from()).isEqualTo(raised);
    assertThat(second.target()).isGreaterThanOrEqualTo(raised);

    // a replica that does not own the target starts from the object's
    loop.release();
    assertThat(loop.targetInForce()).isEmpty();
    assertThat(loop.last()).contains(second);
    Decision third = tick(loop, 7, saturated(7, 200_000));
    assertThat(third.from()).isEqualTo(7);
    assertThat(loop.targetInForce()).hasValue(third.target());
  }

  @Test
  void remembersAnIneffectiveScaleUpAndBlocksTheNextOneForTheHoldTime() {
    DecideLoop loop = new DecideLoop(DEFAULTS);
    int raised = tick(loop, 4, saturated(4, 200_000)).target();
    assertThat(raised).isGreaterThan(4);
    // the new executors are ready but throughput stays at 4000/s and the backlog grows
    long backlog = 200_000;
    Decision d;
    int ticks = 0;
    do {
      backlog += 60_000;
      long lag = backlog;
      int ready = loop.targetInForce().getAsInt();
      d =
          tick(
              loop,
              ready,
              b -> Drive.steady(10_000, ready, 0.4).apply(b).processingRate(4000).backlog(lag));
    } while (loop.state().ineffectiveUntil() == null && ++ticks < 30);
    assertThat(d.reason()).contains("was ineffective");
    Instant judged = now;
    assertThat(loop.state().ineffectiveUntil()).isEqualTo(judged.plus(DEFAULTS.ineffectiveHold()));
    int held = d.target();

    // the memory outlives a release and a change of options (the loop keeps its state)
    loop.release();
    loop.options(DEFAULTS.toBuilder().bounds(1, 500).build());
    long lag = backlog + 60_000;
    Decision blocked =
        tick(
            loop,
            held,
            b -> Drive.steady(30_000, held, 0.4).apply(b).processingRate(4000).backlog(lag));
    assertThat(blocked.target()).isEqualTo(held);
    assertThat(blocked.reasonCode()).isEqualTo(Reason.INEFFECTIVE_SCALE_UP);
    assertThat(loop.state().ineffectiveUntil()).isEqualTo(judged.plus(DEFAULTS.ineffectiveHold()));
  }

  @Test
  void changedOptionsTakeEffectOnTheNextTick() {
    DecideLoop loop = new DecideLoop(DEFAULTS.toBuilder().bounds(1, 6).build());
    assertThat(tick(loop, 4, saturated(4, 200_000)).target()).isEqualTo(6);
    loop.options(DEFAULTS.toBuilder().bounds(1, 8).build());
    assertThat(loop.options().maxExecutors()).isEqualTo(8);
    Decision next = tick(loop, 4, saturated(6, 400_000));
    assertThat(next.from()).isEqualTo(6);
    assertThat(next.target()).isEqualTo(8);
  }
}
