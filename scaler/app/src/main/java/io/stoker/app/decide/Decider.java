package io.stoker.app.decide;

import io.stoker.app.signals.Signals;
import io.stoker.core.model.Observation;
import io.stoker.core.model.ScalingOptions;
import io.stoker.core.policy.Recommender;
import io.stoker.core.policy.ScalerState;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The decide step of one autoscaler, shared by the controller ({@code stoker run}) and {@code
 * stoker demo}: builds the core's observation from the collected signals and the executors the
 * realiser sees, evaluates the pure {@link Recommender} and remembers what the next tick needs (the
 * core's state and the target in force). Not thread-safe: one autoscaler decides one tick at a
 * time.
 */
public final class Decider {
  private Recommender recommender;
  private ScalerState state = ScalerState.initial();
  private Integer lastTarget;

  /**
   * The executors as the realiser sees them.
   *
   * @param ready executors running
   * @param pending executors asked for and not running yet
   * @param cores cores (task slots) per executor
   * @param requested the target the scaled object carries, if it says (first tick after a start)
   */
  public record Fleet(int ready, int pending, int cores, OptionalInt requested) {
    public Fleet {
      Objects.requireNonNull(requested, "requested");
    }

    int total() {
      return ready + pending;
    }
  }

  /** Evaluates one tick and remembers its outcome. */
  public Recommender.Evaluation decide(
      Signals signals, Fleet fleet, ScalingOptions options, Instant now) {
    Observation obs =
        signals
            .observation(now)
            .readyExecutors(fleet.ready())
            .pendingExecutors(fleet.pending())
            .coresPerExecutor(fleet.cores())
            .build();
    Recommender.Evaluation e = recommender(options).evaluate(obs, currentTarget(fleet), state, now);
    state = e.state();
    lastTarget = e.decision().target();
    return e;
  }

  /**
   * The target in force: the last one decided (the desired state, re-applied every tick, so that
   * drift is corrected), else what the scaled object says (first tick after a start), else the
   * executors there.
   */
  private int currentTarget(Fleet fleet) {
    if (lastTarget != null) {
      return lastTarget;
    }
    return fleet.requested().orElse(fleet.total());
  }

  private Recommender recommender(ScalingOptions options) {
    if (recommender == null || !Objects.equals(recommender.options(), options)) {
      recommender = new Recommender(options);
    }
    return recommender;
  }
}
