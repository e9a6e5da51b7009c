package io.stoker.app.controller;

import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus.Learned;
import io.stoker.core.policy.ScalerState;
import io.stoker.core.policy.ScalerState.Provisioning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code status.learned}: what the decision core has measured that a successor should not learn
 * again, the executor rate and the warm and cold provisioning delays. Three numbers, rounded to a
 * tenth, so the summary is small and changes only when a measurement does.
 *
 * <p>The status is input anyone with write access to it can edit: a value read back is used only if
 * it is finite and within {@link #MAX_RATE} (rate, above zero) or {@link #MAX_DELAY_SECONDS}
 * (delays, from zero); any other is ignored with a warning naming the field, and the core learns it
 * again.
 */
final class LearnedSummary {
  private static final Logger LOG = LoggerFactory.getLogger(LearnedSummary.class);

  /** Largest executor rate taken back, records/s: anything above is not a rate Stoker wrote. */
  static final double MAX_RATE = BurstSummary.MAX_RATE;

  /** Longest delay taken back: executors that take more than a day are not a delay to plan for. */
  static final double MAX_DELAY_SECONDS = 86_400;

  private LearnedSummary() {}

  /** The summary of {@code state}, null when it has measured nothing yet. */
  static Learned write(ScalerState state) {
    Learned l = new Learned();
    if (state.rateSamples() > 0) {
      l.executorRate = round(state.executorRate());
    }
    l.warmDelaySeconds = round(state.provisioning().warmSeconds());
    l.coldDelaySeconds = round(state.provisioning().coldSeconds());
    if (l.executorRate == null && l.warmDelaySeconds == null && l.coldDelaySeconds == null) {
      return null;
    }
    return l;
  }

  /**
   * The persisted summary as a state that knows only those measurements ({@link
   * ScalerState#initial()} when absent), for {@link ScalerState#withLearningOf}.
   *
   * @param key the autoscaler, for the warnings
   */
  static ScalerState read(ExecutorAutoscalerStatus status, String key) {
    if (status == null || status.learned == null) {
      return ScalerState.initial();
    }
    Learned l = status.learned;
    ScalerState.Builder b = ScalerState.initial().toBuilder();
    if (valid(key, "executorRate", l.executorRate, 0, false, MAX_RATE, "records/s")) {
      b.executorRate(l.executorRate).rateSamples(1);
    }
    Provisioning p = Provisioning.UNKNOWN;
    if (valid(key, "warmDelaySeconds", l.warmDelaySeconds, 0, true, MAX_DELAY_SECONDS, "s")) {
      p = p.withWarmSeconds(l.warmDelaySeconds);
    }
    if (valid(key, "coldDelaySeconds", l.coldDelaySeconds, 0, true, MAX_DELAY_SECONDS, "s")) {
      p = p.withColdSeconds(l.coldDelaySeconds);
    }
    return b.provisioning(p).build();
  }

  private static boolean valid(
      String key,
      String field,
      Double v,
      double min,
      boolean minIncluded,
      double max,
      String unit) {
    if (v == null) {
      return false;
    }
    boolean ok = Double.isFinite(v) && (minIncluded ? v >= min : v > min) && v <= max;
    if (!ok) {
      LOG.warn(
          "{}: ignoring status.learned.{} = {}: not a number in {}{}, {}] {}; it is learned again",
          key,
          field,
          v,
          minIncluded ? "[" : "(",
          fmt(min),
          fmt(max),
          unit);
    }
    return ok;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }

  private static Double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 10) / 10.0 : null;
  }
}
