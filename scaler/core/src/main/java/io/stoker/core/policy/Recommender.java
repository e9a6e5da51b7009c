package io.stoker.core.policy;

import io.stoker.core.model.Decision;
import io.stoker.core.model.Direction;
import io.stoker.core.model.Observation;
import io.stoker.core.model.ScalingOptions;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Stoker's decision core: one pure evaluation per tick. Inputs are values (the observation, the
 * current target, the remembered state and {@code now}); the output is a {@link Decision} and the
 * next state. Nothing here reads a clock, a network or a global.
 *
 * <p>The evaluation is a flat list of steps:
 *
 * <ol>
 *   <li>{@link SignalCheck}: a missing or stale signal holds the target (never a scale-down).
 *   <li>{@link Learning}: executor rate (DS2's true processing rate), arrival trend, burstiness,
 *       provisioning delay, effectiveness of the last scale-up.
 *   <li>{@link Sizing}: forecast arrivals over the provisioning delay plus the backlog drained
 *       within the latency objective, or the headroom that absorbs a burst of the size observed.
 *   <li>{@link Stabiliser}: tolerance, HPA-style windows, step limits, bounds and the partition
 *       cap.
 * </ol>
 *
 * <p>Placeholder pods (node room held in advance) are a separate call after the decision: {@link
 * Headroom#placeholders} with {@link Decision.Inputs#forecastExecutors()}.
 */
public final class Recommender {

  private final ScalingOptions options;

  /**
   * @throws IllegalArgumentException naming every invalid field
   */
  public Recommender(ScalingOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    List<String> errors = options.validate();
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid scaling options: " + String.join("; ", errors));
    }
  }

  public ScalingOptions options() {
    return options;
  }

  /** A decision and the state to pass to the next evaluation. */
  public record Evaluation(Decision decision, ScalerState state) {}

  /**
   * Evaluates one tick.
   *
   * @param observation what the collectors saw
   * @param currentTarget the executor target in force
   * @param state what the previous evaluation returned ({@link ScalerState#initial()} at first)
   * @param now the evaluation time
   */
  public Evaluation evaluate(
      Observation observation, int currentTarget, ScalerState state, Instant now) {
    Objects.requireNonNull(observation, "observation");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(now, "now");
    int current = Math.max(0, currentTarget);
    int cap = Bounds.cap(options, observation);

    SignalCheck.Result check = SignalCheck.check(observation, options, now);
    if (!check.ok()) {
      int held = Bounds.clamp(current, options, cap);
      String reason = "holding " + held + " executors: " + check.problem();
      Decision d =
          new Decision(
              now,
              current,
              held,
              held,
              Direction.of(current, held),
              check.reason(),
              reason,
              held != current,
              Decision.Inputs.unknown(cap));
      return new Evaluation(d, state);
    }

    Learning.Learned learned = Learning.learn(observation, state, options, current, cap, now);
    Sizing.Recommendation rec = Sizing.recommend(observation, learned, options, current, cap);
    Stabiliser.Result stable = Stabiliser.stabilise(rec, learned, options, current, cap, now);
    Decision decision = stable.decision();
    ScalerState next =
        Learning.afterDecision(
            learned.state().withRecommendations(stable.window()),
            observation,
            learned,
            decision.from(),
            decision.target(),
            Math.max(rec.demand(), 0),
            now);
    return new Evaluation(decision, next);
  }
}
