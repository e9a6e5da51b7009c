package io.stoker.core.policy;

import io.stoker.core.model.Decision;
import io.stoker.core.model.Observation;
import io.stoker.core.model.ScalingOptions;
import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * Drives a {@link Recommender} tick by tick like the controller does: the target each decision sets
 * is the current target of the next tick, and the state is carried along.
 */
final class Drive {
  static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

  private final Recommender recommender;
  private ScalerState state = ScalerState.initial();
  private int target;
  private Instant now = T0;
  private Decision last;

  Drive(ScalingOptions options, int initialTarget) {
    this.recommender = new Recommender(options);
    this.target = initialTarget;
  }

  /** Starts from a given state instead of {@link ScalerState#initial()}. */
  Drive withState(ScalerState s) {
    state = s;
    return this;
  }

  /** One tick, {@code seconds} after the previous one, with a fresh observation. */
  Decision tick(long seconds, UnaryOperator<Observation.Builder> signals) {
    now = now.plusSeconds(seconds);
    return apply(signals.apply(Observation.at(now)).build());
  }

  /** One tick with an observation built by the caller (to test stale signals). */
  Decision apply(Observation obs) {
    Recommender.Evaluation e = recommender.evaluate(obs, target, state, now);
    state = e.state();
    target = e.decision().target();
    last = e.decision();
    return last;
  }

  Drive advance(long seconds) {
    now = now.plusSeconds(seconds);
    return this;
  }

  Instant now() {
    return now;
  }

  int target() {
    return target;
  }

  ScalerState state() {
    return state;
  }

  Decision last() {
    return last;
  }

  /**
   * Steady signals: arrival = processing = {@code rate}, no backlog, {@code ready} busy executors.
   */
  static UnaryOperator<Observation.Builder> steady(double rate, int ready, double busy) {
    return b ->
        b.backlog(0)
            .arrivalRate(rate)
            .processingRate(rate)
            .readyExecutors(ready)
            .pendingExecutors(0)
            .coresPerExecutor(4)
            .partitions(128)
            .busyFraction(busy);
  }
}
