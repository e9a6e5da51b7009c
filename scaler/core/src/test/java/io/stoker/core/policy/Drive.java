package io.stoker.core.policy;

import io.stoker.core.model.Decision;
import io.stoker.core.model.Observation;
import io.stoker.core.model.ScalingOptions;
import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * Drives a {@link Recommender} tick by tick through a {@link DecideLoop}, as the controller does:
 * the target each decision sets is the current target of the next tick, and the state is carried
 * along.
 */
final class Drive {
  static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

  private final DecideLoop loop;
  private final int initialTarget;
  private Instant now = T0;

  Drive(ScalingOptions options, int initialTarget) {
    this.loop = new DecideLoop(options);
    this.initialTarget = initialTarget;
  }

  /** Starts from a given state instead of {@link ScalerState#initial()}. */
  Drive withState(ScalerState s) {
    loop.update(x -> s);
    return this;
  }

  /** One tick, {@code seconds} after the previous one, with a fresh observation. */
  Decision tick(long seconds, UnaryOperator<Observation.Builder> signals) {
    now = now.plusSeconds(seconds);
    return apply(signals.apply(Observation.at(now)).build());
  }

  /** One tick with an observation built by the caller (to test stale signals). */
  Decision apply(Observation obs) {
    return loop.decide(obs, initialTarget, now);
  }

  Drive advance(long seconds) {
    now = now.plusSeconds(seconds);
    return this;
  }

  Instant now() {
    return now;
  }

  int target() {
    return loop.targetInForce().orElse(initialTarget);
  }

  ScalerState state() {
    return loop.state();
  }

  Decision last() {
    return loop.last().orElse(null);
  }

  /** Signals without a busy fraction (Kafka's and the driver's rates), none pending. */
  static UnaryOperator<Observation.Builder> signals(
      long backlog, double arrival, double processing, int ready, int cores, int partitions) {
    return b ->
        b.backlog(backlog)
            .arrivalRate(arrival)
            .processingRate(processing)
            .readyExecutors(ready)
            .pendingExecutors(0)
            .coresPerExecutor(cores)
            .partitions(partitions);
  }

  /**
   * Steady signals: arrival = processing = {@code rate}, no backlog, {@code ready} busy executors.
   */
  static UnaryOperator<Observation.Builder> steady(double rate, int ready, double busy) {
    UnaryOperator<Observation.Builder> signals = signals(0, rate, rate, ready, 4, 128);
    return b -> signals.apply(b).busyFraction(busy);
  }
}
