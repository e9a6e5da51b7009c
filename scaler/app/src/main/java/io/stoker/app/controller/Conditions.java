package io.stoker.app.controller;

import io.stoker.app.capacity.CapacityCondition;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Condition types and a helper that keeps {@code lastTransitionTime} when the status is kept. */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String METRICS_AVAILABLE = "MetricsAvailable";
  public static final String SCALING_ACTIVE = "ScalingActive";
  public static final String SCALING_LIMITED = "ScalingLimited";
  public static final String SCALING_INEFFECTIVE = "ScalingIneffective";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String TARGET_NOT_FOUND = "TargetNotFound";

  /**
   * True when the autoscaler acts on nothing because its target is ambiguous: another autoscaler
   * acts on the same object (reason {@code SharedTarget}) or its selector matches several live
   * driver pods (reason {@code AmbiguousSelector}), as the HPA's {@code AmbiguousSelector}.
   */
  public static final String TARGET_CONFLICT = "TargetConflict";

  public static final String PLACEHOLDERS_READY = CapacityCondition.PLACEHOLDERS_READY;
  public static final String CAPACITY_AVAILABLE = CapacityCondition.CAPACITY_AVAILABLE;

  /** In the order they are written; the capacity conditions follow when their feature is on. */
  public static final List<String> ALL =
      List.of(
          READY,
          METRICS_AVAILABLE,
          SCALING_ACTIVE,
          SCALING_LIMITED,
          SCALING_INEFFECTIVE,
          INVALID_SPEC,
          TARGET_NOT_FOUND,
          TARGET_CONFLICT);

  private final List<Condition> previous;
  private final List<Condition> next = new ArrayList<>();
  private final Instant now;
  private final Long generation;

  Conditions(List<Condition> previous, Instant now, Long generation) {
    this.previous = previous == null ? List.of() : previous;
    this.now = now;
    this.generation = generation;
  }

  Conditions set(String type, boolean status, String reason, String message) {
    Condition c = new Condition();
    c.type = type;
    c.status = status ? "True" : "False";
    c.reason = reason;
    c.message = message;
    c.observedGeneration = generation;
    c.lastTransitionTime =
        find(previous, type)
            .filter(p -> c.status.equals(p.status))
            .map(p -> p.lastTransitionTime)
            .orElse(now.toString());
    next.add(c);
    return this;
  }

  List<Condition> build() {
    return List.copyOf(next);
  }

  /** The condition of {@code type}, if present. */
  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.type)).findFirst();
  }
}
