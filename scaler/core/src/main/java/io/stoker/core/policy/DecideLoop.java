package io.stoker.core.policy;

import io.stoker.core.model.Decision;
import io.stoker.core.model.Observation;
import io.stoker.core.model.ScalingOptions;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;

/**
 * One autoscaler's decide loop, the single place that carries what the {@link Recommender} needs
 * from one tick to the next: the recommender for the options in force, the {@link ScalerState}
 * (learned rates and delays, the stabilisation window, the ineffectiveness memory) and the target
 * in force. Every caller runs its ticks through one of these: the controller and {@code stoker
 * demo} (through {@code app.decide.Decider}), the KEDA Kafka mode's rate triggers and the
 * simulator.
 *
 * <p>The target in force is the target this loop last decided, as long as it holds it: a decision
 * is the desired state, and the next tick starts from it (re-applied every tick, so drift on the
 * object is corrected), not from what the object shows meanwhile. Before the first decision, and
 * after {@link #release()} (a standby replica, which owns no target), a tick starts from the target
 * the caller says the object carries.
 *
 * <p>Not thread-safe: one tick at a time. Only {@link #last()} may be read from other threads.
 */
public final class DecideLoop {
  private Recommender recommender;
  private ScalerState state = ScalerState.initial();

  /** Whether the next tick starts from {@link #last}'s target: the target in force is held. */
  private boolean holding;

  /** The last decision, published for readers on other threads. */
  private volatile Decision last;

  /**
   * @throws IllegalArgumentException naming every invalid field of {@code options}
   */
  public DecideLoop(ScalingOptions options) {
    this.recommender = new Recommender(options);
  }

  /** The options in force. */
  public ScalingOptions options() {
    return recommender.options();
  }

  /**
   * Takes new options for the next ticks; the state and the target in force are kept.
   *
   * @throws IllegalArgumentException naming every invalid field
   */
  public void options(ScalingOptions options) {
    if (!Objects.equals(recommender.options(), options)) {
      recommender = new Recommender(options);
    }
  }

  /**
   * Evaluates one tick, then holds its target as the target in force.
   *
   * @param observation what the collectors saw
   * @param onObject the target the scaled object carries (or the executors there, if it says none):
   *     the starting point while no target is held
   * @param now the evaluation time
   * @return the decision; the next state is {@link #state()}
   */
  public Decision decide(Observation observation, int onObject, Instant now) {
    Decision before = last;
    int current = holding && before != null ? before.target() : onObject;
    Recommender.Evaluation e = recommender.evaluate(observation, current, state, now);
    state = e.state();
    last = e.decision();
    holding = true;
    return e.decision();
  }

  /**
   * The target in force: the last decision's, while this loop holds it; empty before the first
   * decision and after {@link #release()}.
   */
  public OptionalInt targetInForce() {
    Decision d = last;
    return holding && d != null ? OptionalInt.of(d.target()) : OptionalInt.empty();
  }

  /**
   * Lets go of the target in force: the next tick starts from the target on the object (a standby
   * replica, which does not own the target, or a new leader taking over). The state is kept.
   */
  public void release() {
    holding = false;
  }

  /** The last decision, empty before the first one; safe to read from any thread. */
  public Optional<Decision> last() {
    return Optional.ofNullable(last);
  }

  /** The state after the last tick: what the next one starts from. */
  public ScalerState state() {
    return state;
  }

  /**
   * Changes the state the next tick starts from, e.g. to take over what a predecessor persisted
   * ({@link ScalerState#withRecommendations}, {@link ScalerState#withBurst}, {@link
   * ScalerState#withLearningOf}).
   */
  public void update(UnaryOperator<ScalerState> change) {
    state = Objects.requireNonNull(change.apply(state), "state");
  }
}
