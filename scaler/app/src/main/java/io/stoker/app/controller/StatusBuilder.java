package io.stoker.app.controller;

import io.stoker.app.capacity.CapacityCondition;
import io.stoker.app.capacity.CapacityReport;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus.LastDecision;
import io.stoker.core.model.Decision;
import io.stoker.core.model.Observation;
import io.stoker.core.model.Reason;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Computes the status a cycle should leave behind (pure; the write is elsewhere). */
final class StatusBuilder {
  private StatusBuilder() {}

  /**
   * @param c the cycle
   * @param last the status this controller wrote last, when the cache may not show it yet; null to
   *     build on the cached status
   */
  static ExecutorAutoscalerStatus build(Cycle c, ExecutorAutoscalerStatus last) {
    ExecutorAutoscalerStatus known = last != null ? last : c.eas().getStatus();
    ExecutorAutoscalerStatus prev = known == null ? new ExecutorAutoscalerStatus() : known;
    ExecutorAutoscalerStatus s = new ExecutorAutoscalerStatus();
    s.observedGeneration = c.eas().getMetadata().getGeneration();
    Conditions conditions = new Conditions(prev.conditions, c.now(), s.observedGeneration);
    if (c.stop() instanceof Cycle.Stop.InvalidSpec invalid) {
      keepLast(prev, s);
      String msg = String.join("; ", invalid.errors());
      conditions
          .set(Conditions.READY, false, "InvalidSpec", msg)
          .set(Conditions.INVALID_SPEC, true, "InvalidSpec", msg)
          .set(Conditions.SCALING_ACTIVE, false, "InvalidSpec", "nothing is acted on");
    } else if (c.stop() instanceof Cycle.Stop.TargetNotFound missing) {
      keepLast(prev, s);
      conditions
          .set(Conditions.READY, false, "TargetNotFound", missing.message())
          .set(Conditions.INVALID_SPEC, false, "Valid", "")
          .set(Conditions.TARGET_NOT_FOUND, true, "TargetNotFound", missing.message())
          .set(Conditions.TARGET_CONFLICT, false, "NoConflict", "")
          .set(Conditions.SCALING_ACTIVE, false, "TargetNotFound", "nothing is acted on");
    } else if (c.stop() instanceof Cycle.Stop.Conflict conflict) {
      keepLast(prev, s);
      conditions
          .set(Conditions.READY, false, conflict.reason(), conflict.message())
          .set(Conditions.INVALID_SPEC, false, "Valid", "")
          .set(Conditions.TARGET_NOT_FOUND, false, "TargetFound", "")
          .set(Conditions.TARGET_CONFLICT, true, conflict.reason(), conflict.message())
          .set(Conditions.SCALING_ACTIVE, false, conflict.reason(), "nothing is acted on");
    } else {
      decided(c, prev, s, conditions);
    }
    s.conditions = conditions.build();
    return s;
  }

  private static ExecutorAutoscalerStatus.LastBatch lastBatch(Observation.MicroBatch b) {
    ExecutorAutoscalerStatus.LastBatch out = new ExecutorAutoscalerStatus.LastBatch();
    out.inputRows = b.inputRows();
    out.seconds = round(b.seconds());
    b.taskSeconds().ifPresent(v -> out.taskSeconds = round(v));
    b.triggerIntervalSeconds().ifPresent(v -> out.triggerIntervalSeconds = round(v));
    b.taskSlotSeconds().ifPresent(v -> out.taskSlotSeconds = round(v));
    return out;
  }

  private static void keepLast(ExecutorAutoscalerStatus prev, ExecutorAutoscalerStatus s) {
    s.desiredExecutors = prev.desiredExecutors;
    s.lastDecision = prev.lastDecision;
    s.lastScaleTime = prev.lastScaleTime;
    s.scaleDownWindow = prev.scaleDownWindow;
    s.burstMemory = prev.burstMemory;
    s.learned = prev.learned;
    s.capacity = prev.capacity;
  }

  private static void decided(
      Cycle c, ExecutorAutoscalerStatus prev, ExecutorAutoscalerStatus s, Conditions conditions) {
    Decision d = c.decision();
    s.target = c.target().description();
    s.currentExecutors = c.target().executors().total();
    s.desiredExecutors = d.target();
    s.recommendedExecutors = d.recommended();
    c.signals().backlog().ifPresent(v -> s.lagRecords = v);
    s.arrivalRate = round(d.inputs().arrivalRate());
    c.signals().processingRate().ifPresent(v -> s.processingRate = round(v));
    s.executorRate = round(d.inputs().executorRate());
    s.lastBatch = c.signals().lastBatch().map(StatusBuilder::lastBatch).orElse(null);
    s.lastDecision = lastDecision(prev.lastDecision, d);
    boolean changed = !Objects.equals(prev.desiredExecutors, d.target());
    s.lastScaleTime =
        changed && prev.desiredExecutors != null ? d.at().toString() : prev.lastScaleTime;

    boolean signalsOk =
        d.reasonCode() != Reason.SIGNAL_MISSING && d.reasonCode() != Reason.SIGNAL_STALE;
    Cycle.Actuation a = c.actuation();
    boolean acting =
        a.outcome() != Cycle.Outcome.FAILED && a.outcome() != Cycle.Outcome.RECOMMEND_ONLY;
    conditions
        .set(
            Conditions.READY,
            a.outcome() != Cycle.Outcome.FAILED,
            a.outcome() == Cycle.Outcome.FAILED ? "ActuationFailed" : "Reconciled",
            a.outcome() == Cycle.Outcome.FAILED ? a.message() : "")
        .set(
            Conditions.METRICS_AVAILABLE,
            signalsOk,
            signalsOk ? "SignalsCollected" : d.reasonCode().name(),
            signalsOk
                ? errors(c.signals().errors())
                : join(d.reason(), errors(c.signals().errors())))
        .set(Conditions.SCALING_ACTIVE, acting, activeReason(a), a.message())
        .set(
            Conditions.SCALING_LIMITED,
            d.limited(),
            d.limited() ? "Limited" : "NotLimited",
            d.limited() ? "recommended " + d.recommended() + ", bounded to " + d.target() : "")
        .set(
            Conditions.SCALING_INEFFECTIVE,
            d.reasonCode() == Reason.INEFFECTIVE_SCALE_UP,
            d.reasonCode() == Reason.INEFFECTIVE_SCALE_UP ? "IneffectiveScaleUp" : "Effective",
            d.reasonCode() == Reason.INEFFECTIVE_SCALE_UP ? d.reason() : "")
        .set(Conditions.INVALID_SPEC, false, "Valid", "")
        .set(Conditions.TARGET_NOT_FOUND, false, "TargetFound", c.target().description())
        .set(Conditions.TARGET_CONFLICT, false, "NoConflict", "");
    capacity(c, s, conditions);
  }

  /** status.capacity and the capacity features' conditions. */
  private static void capacity(Cycle c, ExecutorAutoscalerStatus s, Conditions conditions) {
    CapacityReport r = c.capacity();
    if (r == null) {
      return;
    }
    if (c.spec().capacity().any() || r.pendingExecutors() > 0) {
      ExecutorAutoscalerStatus.Capacity out = new ExecutorAutoscalerStatus.Capacity();
      r.placeholderPods().ifPresent(n -> out.placeholderPods = n);
      r.protectedExecutors().ifPresent(n -> out.protectedExecutors = n);
      out.pendingExecutors = r.pendingExecutors();
      out.nodeHints = r.nodeHints().isEmpty() ? null : new TreeMap<>(r.nodeHints());
      s.capacity = out;
    }
    for (CapacityCondition k : r.conditions()) {
      conditions.set(k.type(), k.status(), k.reason(), k.message());
    }
  }

  private static String activeReason(Cycle.Actuation a) {
    return switch (a.outcome()) {
      case RECOMMEND_ONLY -> "RecommendOnly";
      case FAILED -> "ActuationFailed";
      case STANDBY -> "Standby";
      default -> "Active";
    };
  }

  /** A new lastDecision when the target or its cause changed, else the previous one. */
  private static LastDecision lastDecision(LastDecision prev, Decision d) {
    if (prev != null
        && Objects.equals(prev.to, d.target())
        && Objects.equals(prev.reasonCode, d.reasonCode().label())) {
      return prev;
    }
    LastDecision l = new LastDecision();
    l.time = d.at().toString();
    l.from = d.from();
    l.to = d.target();
    l.reason = d.reason();
    l.reasonCode = d.reasonCode().label();
    return l;
  }

  private static String errors(Map<String, String> errors) {
    return errors.entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue())
        .collect(Collectors.joining("; "));
  }

  private static String join(String a, String b) {
    return b.isEmpty() ? a : a + " (" + b + ")";
  }

  private static Double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 10) / 10.0 : null;
  }
}
