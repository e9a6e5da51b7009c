package io.stoker.app.controller;

import io.stoker.app.capacity.CapacityReport;
import io.stoker.app.k8s.ResolvedTarget;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.signals.Signals;
import io.stoker.app.spec.ParsedSpec;
import io.stoker.core.model.Decision;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The values one reconcile carries from step to step; each step returns a new cycle. A cycle that
 * has a {@link #stop()} skips the remaining steps up to the status write.
 *
 * @param key {@code namespace/name}
 * @param now the tick's time
 * @param eas the autoscaler as cached
 * @param spec the validated spec (null until parsed, or when invalid)
 * @param stop why the cycle stopped early, or null
 * @param target the resolved target (null until resolved)
 * @param secrets Kafka client settings from the referenced Secret (never logged)
 * @param signals what the collectors returned (null until collected)
 * @param decision the core's decision (null until decided)
 * @param actuation the outcome of applying the decision
 * @param capacity what the capacity step did (placeholders, hints), or null if it did not run
 */
record Cycle(
    String key,
    Instant now,
    ExecutorAutoscaler eas,
    ParsedSpec spec,
    Stop stop,
    ResolvedTarget target,
    Map<String, String> secrets,
    Signals signals,
    Decision decision,
    Actuation actuation,
    CapacityReport capacity) {

  /** Why a cycle stopped before deciding. */
  sealed interface Stop {
    /** The spec is invalid; each message names a field. */
    record InvalidSpec(List<String> errors) implements Stop {}

    /** The target does not exist (or has no driver pod). */
    record TargetNotFound(String message) implements Stop {}

    /**
     * The target is ambiguous: another autoscaler acts on it ({@link #SHARED_TARGET}) or the
     * selector matches several driver pods ({@link #AMBIGUOUS_SELECTOR}). Nothing is acted on.
     */
    record Conflict(String reason, String message) implements Stop {
      static final String SHARED_TARGET = "SharedTarget";
      static final String AMBIGUOUS_SELECTOR = "AmbiguousSelector";
    }
  }

  /** What realising the decision did. */
  enum Outcome {
    APPLIED,
    UNCHANGED,
    RECOMMEND_ONLY,
    STANDBY,
    FAILED
  }

  /** The outcome and, when it failed, why. */
  record Actuation(Outcome outcome, String message) {
    static final Actuation NOT_RUN = new Actuation(Outcome.UNCHANGED, "");
  }

  static Cycle start(String key, Instant now, ExecutorAutoscaler eas) {
    return new Cycle(
        key, now, eas, null, null, null, Map.of(), null, null, Actuation.NOT_RUN, null);
  }

  boolean stopped() {
    return stop != null;
  }

  String namespace() {
    return eas.getMetadata().getNamespace();
  }

  String name() {
    return eas.getMetadata().getName();
  }

  Cycle withSpec(ParsedSpec s) {
    return new Cycle(
        key, now, eas, s, stop, target, secrets, signals, decision, actuation, capacity);
  }

  Cycle withStop(Stop s) {
    return new Cycle(
        key, now, eas, spec, s, target, secrets, signals, decision, actuation, capacity);
  }

  Cycle withTarget(ResolvedTarget t) {
    return new Cycle(key, now, eas, spec, stop, t, secrets, signals, decision, actuation, capacity);
  }

  Cycle withSecrets(Map<String, String> s) {
    return new Cycle(
        key, now, eas, spec, stop, target, Map.copyOf(s), signals, decision, actuation, capacity);
  }

  Cycle withSignals(Signals s) {
    return new Cycle(key, now, eas, spec, stop, target, secrets, s, decision, actuation, capacity);
  }

  Cycle withDecision(Decision d) {
    return new Cycle(key, now, eas, spec, stop, target, secrets, signals, d, actuation, capacity);
  }

  Cycle withActuation(Actuation a) {
    return new Cycle(key, now, eas, spec, stop, target, secrets, signals, decision, a, capacity);
  }

  Cycle withCapacity(CapacityReport r) {
    return new Cycle(key, now, eas, spec, stop, target, secrets, signals, decision, actuation, r);
  }

  /** Never prints secrets. */
  @Override
  public String toString() {
    return "Cycle[" + key + " at " + now + ", stop=" + stop + ", decision=" + decision + "]";
  }
}
