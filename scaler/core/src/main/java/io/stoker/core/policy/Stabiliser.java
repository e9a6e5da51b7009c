package io.stoker.core.policy;

import io.stoker.core.model.Decision;
import io.stoker.core.model.Direction;
import io.stoker.core.model.Reason;
import io.stoker.core.model.ScalingOptions;
import io.stoker.core.model.ScalingOptions.Behavior;
import io.stoker.core.policy.ScalerState.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Step 4: from a raw recommendation to the target, the way the Kubernetes HPA does it with a
 * {@code behavior}: a tolerance band, the lowest recommendation of the scale-up window and the
 * highest of the scale-down window, step limits per decision, then the hard bounds. A scale-up
 * found ineffective blocks further scale-ups for a while.
 */
final class Stabiliser {
  private Stabiliser() {}

  record Result(Decision decision, ScalerState state) {}

  static Result stabilise(
      Sizing.Recommendation rec,
      Learning.Learned learned,
      ScalingOptions o,
      int current,
      int cap,
      Instant now) {
    ScalerState s = learned.state();
    int raw = rec.raw();
    Reason reason = rec.reason();
    String why = rec.why();

    boolean blocked = s.ineffectiveUntil() != null && now.isBefore(s.ineffectiveUntil());
    if (blocked && raw > current) {
      String cause = learned.ineffective() != null ? learned.ineffective() : "an earlier scale-up";
      why = "scale-up to " + raw + " blocked: " + cause + " was ineffective; " + why;
      raw = current;
      reason = Reason.INEFFECTIVE_SCALE_UP;
    }

    if (current > 0 && raw != current && Math.abs(raw - current) <= o.tolerance() * current) {
      why = "within tolerance of " + current + " (recommendation " + raw + "); " + why;
      raw = current;
      reason = Reason.WITHIN_TOLERANCE;
    }

    List<Sample> window = window(s.recommendations(), now, raw, o);
    int stabilised = current;
    int upLimit = raw;
    int downLimit = raw;
    for (Sample sample : window) {
      double age = Recommender.seconds(sample.at(), now);
      if (age <= o.scaleUp().stabilizationWindow().toSeconds()) {
        upLimit = (int) Math.min(upLimit, sample.value());
      }
      if (age <= o.scaleDown().stabilizationWindow().toSeconds()) {
        downLimit = (int) Math.max(downLimit, sample.value());
      }
    }
    if (stabilised < upLimit) {
      stabilised = upLimit;
    }
    if (stabilised > downLimit) {
      stabilised = downLimit;
    }
    if (raw < current && stabilised > raw) {
      why =
          "scale-down to "
              + raw
              + " deferred: the highest recommendation in the last "
              + o.scaleDown().stabilizationWindow().toSeconds()
              + "s is "
              + downLimit
              + "; "
              + why;
      reason = stabilised == current ? Reason.STABILISING : reason;
    } else if (raw > current && stabilised < raw) {
      why =
          "scale-up to "
              + raw
              + " deferred: the lowest recommendation in the last "
              + o.scaleUp().stabilizationWindow().toSeconds()
              + "s is "
              + upLimit
              + "; "
              + why;
      reason = stabilised == current ? Reason.STABILISING : reason;
    }

    int stepped = step(current, stabilised, o);
    if (stepped != stabilised) {
      why += "; step limited to " + stepped;
    }
    int target = Bounds.clamp(stepped, o, cap);
    boolean limited = rec.capped() || stepped != stabilised || target != stepped;
    Decision d =
        new Decision(
            now,
            current,
            target,
            rec.raw(),
            Direction.of(current, target),
            reason,
            sentence(current, target, why),
            limited,
            rec.inputs());
    ScalerState next =
        new ScalerState(
            s.lastObservationAt(),
            s.lastReady(),
            s.executorRate(),
            s.rateSamples(),
            s.arrival(),
            s.recentArrivals(),
            s.burst(),
            s.provisioning(),
            window,
            s.lastScaleUp(),
            s.ineffectiveUntil());
    return new Result(d, next);
  }

  private static String sentence(int from, int to, String why) {
    if (to > from) {
      return "scale up " + from + " → " + to + ": " + why;
    }
    if (to < from) {
      return "scale down " + from + " → " + to + ": " + why;
    }
    return "keep " + to + ": " + why;
  }

  /** The recommendations still inside a window, plus this one. */
  private static List<Sample> window(
      List<Sample> old, Instant now, int raw, ScalingOptions o) {
    Duration keep =
        max(o.scaleUp().stabilizationWindow(), o.scaleDown().stabilizationWindow());
    List<Sample> out = new ArrayList<>(old.size() + 1);
    for (Sample sample : old) {
      if (Duration.between(sample.at(), now).compareTo(keep) <= 0) {
        out.add(sample);
      }
    }
    out.add(new Sample(now, raw));
    return out;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** Applies the per-decision step limits; both limits of a direction apply when set. */
  static int step(int current, int desired, ScalingOptions o) {
    if (desired > current) {
      int limit = limit(current, o.scaleUp(), true);
      return Math.min(desired, current + limit);
    }
    if (desired < current) {
      int limit = limit(current, o.scaleDown(), false);
      return Math.max(desired, current - limit);
    }
    return desired;
  }

  private static int limit(int current, Behavior b, boolean up) {
    int limit = Integer.MAX_VALUE;
    if (b.maxStepPercent().isPresent()) {
      double byPercent = current * b.maxStepPercent().getAsInt() / 100.0;
      int steps = up ? (int) Math.ceil(byPercent) : (int) Math.floor(byPercent);
      limit = Math.max(1, steps);
    }
    if (b.maxStepExecutors().isPresent()) {
      limit = Math.min(limit, b.maxStepExecutors().getAsInt());
    }
    return limit;
  }
}
