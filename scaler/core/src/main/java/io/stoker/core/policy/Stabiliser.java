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
 * Step 4: from a raw recommendation to the target, the way the Kubernetes HPA does it with a {@code
 * behavior}: a tolerance band, the lowest recommendation of the scale-up window and the highest of
 * the scale-down window, step limits per decision, then the hard bounds. A scale-up found
 * ineffective blocks further scale-ups for a while.
 */
final class Stabiliser {
  private Stabiliser() {}

  /**
   * @param decision the target and why
   * @param window the steady-state recommendations within the longest stabilisation window, this
   *     one last: what the next evaluation stabilises against
   */
  record Result(Decision decision, List<Sample> window) {}

  static Result stabilise(
      Sizing.Recommendation rec,
      Learning.Learned learned,
      ScalingOptions o,
      int current,
      int cap,
      Instant now) {
    ScalerState s = learned.state();
    Held held = holdScaleUp(rec, learned, o, current, now);
    int raw = held.raw();
    Reason reason = held.reason();
    String why = held.why();

    Duration upWindow = o.scaleUp().stabilizationWindow().orElse(Duration.ZERO);
    Duration downWindow =
        o.scaleDown()
            .stabilizationWindow()
            .orElse(Duration.ofSeconds(Math.round(learned.provisioningSeconds())));
    int steady = Math.min(rec.steady(), raw);
    List<Sample> window = window(s.recommendations(), now, steady, max(upWindow, downWindow));
    int upLimit = limitOf(window.subList(0, window.size() - 1), now, upWindow, raw, true);
    int downLimit = limitOf(window, now, downWindow, raw, false);
    int stabilised = Math.min(Math.max(current, upLimit), downLimit);
    if (withinTolerance(stabilised, current, o)) {
      why = "within tolerance of " + current + " (stabilised " + stabilised + "); " + why;
      stabilised = current;
      reason = Reason.WITHIN_TOLERANCE;
    }
    if (stabilised < current && learned.draining()) {
      why = "scale-down deferred: backlog still draining; " + why;
      stabilised = current;
      reason = Reason.STABILISING;
    }
    if (raw < current && stabilised > raw) {
      why =
          "scale-down to "
              + raw
              + " deferred: the highest recommendation in the last "
              + downWindow.toSeconds()
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
              + upWindow.toSeconds()
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
    return new Result(d, window);
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

  /**
   * The steady-state recommendations still inside the longest window, plus this one. The windows
   * hold steady-state recommendations (without the backlog drain), so a drained backlog does not
   * keep its extra executors for a whole window.
   */
  private static List<Sample> window(List<Sample> old, Instant now, int steady, Duration keep) {
    List<Sample> out = new ArrayList<>(old.size() + 1);
    for (Sample sample : old) {
      if (Duration.between(sample.at(), now).compareTo(keep) <= 0) {
        out.add(sample);
      }
    }
    out.add(new Sample(now, steady));
    return out;
  }

  /**
   * HPA's stabilisation: the lowest recommendation of the scale-up window bounds a rise, the
   * highest of the scale-down window bounds a fall.
   */
  private static int limitOf(
      List<Sample> window, Instant now, Duration span, int raw, boolean lowest) {
    int limit = raw;
    for (Sample sample : window) {
      if (Numbers.seconds(sample.at(), now) <= span.toMillis() / 1000.0) {
        limit =
            lowest ? (int) Math.min(limit, sample.value()) : (int) Math.max(limit, sample.value());
      }
    }
    return limit;
  }

  /** HPA's dead band: a change of at most {@code tolerance} of the current target is ignored. */
  /** The recommendation once an ineffective scale-up and the tolerance have had their say. */
  private record Held(int raw, Reason reason, String why) {}

  private static Held holdScaleUp(
      Sizing.Recommendation rec,
      Learning.Learned learned,
      ScalingOptions o,
      int current,
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
    } else if (learned.ineffective() != null) {
      // judged now, with no scale-up wanted: still said, as it blocks the next ones
      why =
          learned.ineffective()
              + " was ineffective: scale-ups blocked for "
              + o.ineffectiveHold().toSeconds()
              + "s; "
              + why;
    }
    if (withinTolerance(raw, current, o)) {
      return new Held(
          current,
          Reason.WITHIN_TOLERANCE,
          "within tolerance of " + current + " (recommendation " + raw + "); " + why);
    }
    if (reason == Reason.DEMAND
        && raw > current
        && !(learned.excessBacklog() > 0)
        && rec.arrivalsNeed() <= current * (1 + o.tolerance())) {
      // rule "noise": the tolerance on what the arrivals call for before rounding up, as the HPA's
      // on its usage ratio. One executor is more than the tolerance of a small fleet, and arrivals
      // noisy around the boundary moved it up and down every minute or two. Capacity stays at least
      // λ·f / (1 + tolerance); a real shortfall leaves a backlog, which scales up
      return new Held(
          current,
          Reason.WITHIN_TOLERANCE,
          "within tolerance of "
              + current
              + " (the arrivals need "
              + Numbers.fmt(rec.arrivalsNeed())
              + " executors and nothing waits); "
              + why);
    }
    return new Held(raw, reason, why);
  }

  private static boolean withinTolerance(int n, int current, ScalingOptions o) {
    return current > 0 && n != current && Math.abs(n - current) <= o.tolerance() * current;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** Applies the per-decision step limits; both limits of a direction apply when set. */
  static int step(int current, int desired, ScalingOptions o) {
    if (desired > current) {
      int limit = limit(current, o.scaleUp(), true);
      return (int) Math.min(desired, (long) current + limit);
    }
    if (desired < current) {
      int limit = limit(current, o.scaleDown(), false);
      return (int) Math.max(desired, (long) current - limit);
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
