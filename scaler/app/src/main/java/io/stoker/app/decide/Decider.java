package io.stoker.app.decide;

import io.stoker.app.signals.Signals;
import io.stoker.core.model.Decision;
import io.stoker.core.model.Observation;
import io.stoker.core.model.ScalingOptions;
import io.stoker.core.policy.DecideLoop;
import io.stoker.core.policy.Recommender;
import io.stoker.core.policy.ScalerState;
import io.stoker.core.policy.ScalerState.Burst;
import io.stoker.core.policy.ScalerState.Sample;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * The decide step of one autoscaler, shared by the controller ({@code stoker run}) and {@code
 * stoker demo}: builds the core's observation from the collected signals and the executors the
 * realiser sees, and runs it through the core's {@link DecideLoop}, the one home of what the next
 * tick needs (the core's state and the target in force). Not thread-safe: one autoscaler decides
 * one tick at a time; only {@link #last()} may be read from other threads.
 *
 * <p>With leader election, a standby observes (the core learns from every observation) but does not
 * own a target: each of its ticks starts from the target in force on the scaled object, which the
 * leader wrote. When it starts acting (the first tick of a leader, after a start or a takeover) it
 * starts from that target and adds the stabilisation window its predecessor persisted ({@link
 * #heldWindow()}, in the autoscaler's status) to its own, so that a scale-down the old leader
 * deferred stays deferred as long as the old leader would have kept it (and at most one window
 * longer), never a jump at takeover.
 */
public final class Decider {
  /** Most entries of {@link #heldWindow()}: the status stays small whatever the window holds. */
  static final int MAX_HELD = 16;

  /** Created on the first tick, with the options it brings; volatile for {@link #last()}. */
  private volatile DecideLoop loop;

  private boolean acting;

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

  /** Evaluates one tick as the only replica (no election: {@code stoker demo}). */
  public Recommender.Evaluation decide(
      Signals signals, Fleet fleet, ScalingOptions options, Instant now) {
    return decide(signals, fleet, options, now, true, List.of());
  }

  /**
   * Evaluates one tick and remembers its outcome.
   *
   * @param acting true on the leader (its decisions are written), false on a standby
   * @param persisted the window the last leader persisted ({@link #heldWindow()}, oldest first),
   *     taken over on the first acting tick
   */
  public Recommender.Evaluation decide(
      Signals signals,
      Fleet fleet,
      ScalingOptions options,
      Instant now,
      boolean acting,
      List<Sample> persisted) {
    return decide(signals, fleet, options, now, acting, persisted, Burst.NONE);
  }

  /**
   * Evaluates one tick and remembers its outcome.
   *
   * @param acting true on the leader (its decisions are written), false on a standby
   * @param persisted the window the last leader persisted ({@link #heldWindow()}, oldest first),
   *     taken over on the first acting tick
   * @param persistedBurst the burst memory the last leader persisted ({@link #burst()}), merged
   *     into this one's on the first acting tick: a restart or a new leader keeps the bursts seen
   */
  public Recommender.Evaluation decide(
      Signals signals,
      Fleet fleet,
      ScalingOptions options,
      Instant now,
      boolean acting,
      List<Sample> persisted,
      Burst persistedBurst) {
    return decide(
        signals, fleet, options, now, acting, persisted, persistedBurst, ScalerState::initial);
  }

  /**
   * Evaluates one tick and remembers its outcome.
   *
   * @param acting true on the leader (its decisions are written), false on a standby
   * @param persisted the window the last leader persisted ({@link #heldWindow()}, oldest first),
   *     taken over on the first acting tick
   * @param persistedBurst the burst memory the last leader persisted ({@link #burst()}), merged
   *     into this one's on the first acting tick: a restart or a new leader keeps the bursts seen
   * @param persistedLearning what the last leader measured ({@link #state()}: its executor rate and
   *     provisioning delays), asked for only on the first acting tick and taken for what this one
   *     has not measured yet ({@link ScalerState#withLearningOf})
   */
  public Recommender.Evaluation decide(
      Signals signals,
      Fleet fleet,
      ScalingOptions options,
      Instant now,
      boolean acting,
      List<Sample> persisted,
      Burst persistedBurst,
      Supplier<ScalerState> persistedLearning) {
    if (loop == null) {
      loop = new DecideLoop(options);
    } else {
      loop.options(options);
    }
    if (acting && !this.acting) {
      // the first acting tick: start from the target on the object, with what the last leader
      // persisted
      loop.release();
      loop.update(
          s ->
              s.withRecommendations(merge(s.recommendations(), persisted))
                  .withBurst(Burst.merge(s.burst(), persistedBurst))
                  .withLearningOf(persistedLearning.get()));
    }
    this.acting = acting;
    Observation obs =
        signals
            .observation(now)
            .readyExecutors(fleet.ready())
            .pendingExecutors(fleet.pending())
            .coresPerExecutor(fleet.cores())
            .build();
    // The target on the object: what the scaled object says (first tick after a start, and every
    // tick of a standby), else the executors there.
    Decision d = loop.decide(obs, fleet.requested().orElse(fleet.total()), now);
    if (!acting) {
      loop.release(); // a standby starts every tick from the target in force on the object
    }
    return new Recommender.Evaluation(d, loop.state());
  }

  /**
   * The part of the stabilisation window that can still hold the target up, to persist for a
   * successor: the recommendations higher than every later one (highest and oldest first), the last
   * being the current level. At most {@link #MAX_HELD}: beyond, neighbours merge into the higher
   * value at the later time, which holds at least as long.
   */
  public List<Sample> heldWindow() {
    List<Sample> window = state().recommendations();
    Deque<Sample> held = new ArrayDeque<>();
    for (int i = window.size() - 1; i >= 0; i--) {
      Sample s = window.get(i);
      if (held.isEmpty() || s.value() > held.peekFirst().value()) {
        held.addFirst(s);
      }
    }
    List<Sample> out = new ArrayList<>(held);
    while (out.size() > MAX_HELD) {
      // merge the two oldest below the first: the first (highest) keeps its own time
      Sample a = out.remove(1);
      Sample b = out.get(1);
      out.set(1, new Sample(b.at(), Math.max(a.value(), b.value())));
    }
    return List.copyOf(out);
  }

  /** The burst memory to persist for a successor. */
  public Burst burst() {
    return state().burst();
  }

  /** The core's state after the last tick: what it learned, to persist for a successor. */
  public ScalerState state() {
    return loop == null ? ScalerState.initial() : loop.state();
  }

  /**
   * The last decision (a standby's too), empty before the first tick; safe to read from any thread.
   */
  public Optional<Decision> last() {
    DecideLoop l = loop;
    return l == null ? Optional.empty() : l.last();
  }

  /** Both windows in time order; the core drops what its windows no longer cover. */
  private static List<Sample> merge(List<Sample> own, List<Sample> persisted) {
    List<Sample> all = new ArrayList<>(own.size() + persisted.size());
    all.addAll(own);
    all.addAll(persisted);
    all.sort(Comparator.comparing(Sample::at));
    return all;
  }
}
