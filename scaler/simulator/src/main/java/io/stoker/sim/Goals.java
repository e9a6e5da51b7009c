package io.stoker.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Stoker's goals on one comparison (docs/benchmarks.md): the SLA budget, the cost frontier against
 * every peer point, the cost bound, and settling after a step.
 *
 * @param slaBudgetSeconds violation seconds allowed
 * @param slaViolationSeconds stoker's violation seconds
 * @param dominatedBy peer points with both fewer executor-seconds and fewer violation seconds
 * @param costBound max(0.75 × the cheapest peer point within the budget, 1.15 × the oracle)
 * @param executorSeconds stoker's executor-seconds
 * @param cheapestPeerWithinBudget executor-seconds of that peer point, NaN if none meets it
 * @param oracleExecutorSeconds the oracle's executor-seconds
 * @param stepActions stoker's scaling actions after each step of the trace, in order
 * @param episodes stoker's runs of violation seconds, in order
 */
public record Goals(
    double slaBudgetSeconds,
    int slaViolationSeconds,
    List<String> dominatedBy,
    double costBound,
    double executorSeconds,
    double cheapestPeerWithinBudget,
    double oracleExecutorSeconds,
    List<Integer> stepActions,
    List<Episode> episodes) {

  /**
   * A run of violation seconds.
   *
   * @param start first second over the objective
   * @param seconds how long it lasted
   * @param rate highest arrival rate in the {@value #LOOKBACK} s before it started
   * @param highestBefore highest arrival rate before that: if {@code rate} is well above it, the
   *     burst was larger than anything seen before
   */
  public record Episode(int start, int seconds, double rate, double highestBefore) {
    /** True if the burst behind it was more than 5 % above any rate seen earlier. */
    public boolean novel() {
      return rate > 1.05 * highestBefore;
    }
  }

  /** How far before a violation episode its burst is looked for. */
  static final int LOOKBACK = 300;

  /** A step: the rate changes by more than this factor from one row to the next. */
  static final double STEP_FACTOR = 1.5;

  /** Actions are counted from a step until the next one, at most this long. */
  static final int SETTLE_SECONDS = 1200;

  public boolean slaMet() {
    return slaViolationSeconds <= slaBudgetSeconds;
  }

  public boolean frontierMet() {
    return dominatedBy.isEmpty();
  }

  public boolean costMet() {
    return executorSeconds <= costBound;
  }

  /** Most actions stoker took to settle after any step; 0 if the trace has no step. */
  public int maxStepActions() {
    int max = 0;
    for (int a : stepActions) {
      max = Math.max(max, a);
    }
    return max;
  }

  /**
   * @param r a comparison that includes stoker, the oracle and at least one peer
   * @param trace the trace it ran
   */
  public static Goals of(Comparison.Result r, Trace trace) {
    SimResult stoker = r.get("stoker");
    SimResult oracle = r.get("oracle");
    double cheapest = Double.NaN;
    List<String> dominated = new ArrayList<>();
    for (Comparison.Entry e : r.entries()) {
      boolean peerPoint =
          (e.sweepPoint() && !e.name().startsWith("stoker")) || e.name().equals("static-peak");
      if (!peerPoint) {
        continue;
      }
      SimResult s = e.result();
      if (s.slaViolationSeconds() <= r.slaBudgetSeconds()
          && (Double.isNaN(cheapest) || s.executorSeconds() < cheapest)) {
        cheapest = s.executorSeconds();
      }
      if (s.executorSeconds() < stoker.executorSeconds()
          && s.slaViolationSeconds() < stoker.slaViolationSeconds()) {
        dominated.add(e.name());
      }
    }
    double bound = 1.15 * oracle.executorSeconds();
    if (!Double.isNaN(cheapest)) {
      bound = Math.max(bound, 0.75 * cheapest);
    }
    return new Goals(
        r.slaBudgetSeconds(),
        stoker.slaViolationSeconds(),
        List.copyOf(dominated),
        bound,
        stoker.executorSeconds(),
        cheapest,
        oracle.executorSeconds(),
        stepActions(stoker, trace),
        episodes(stoker, trace, r.scenario().targetLatencySeconds()));
  }

  static List<Episode> episodes(SimResult stoker, Trace trace, double objective) {
    double[] latency = stoker.series().latency();
    List<Episode> out = new ArrayList<>();
    int start = -1;
    for (int t = 0; t <= latency.length; t++) {
      boolean over = t < latency.length && latency[t] > objective;
      if (over && start < 0) {
        start = t;
      } else if (!over && start >= 0) {
        double near = 0;
        double before = 0;
        for (int u = 0; u <= start; u++) {
          if (u >= start - LOOKBACK) {
            near = Math.max(near, trace.rateAt(u));
          } else {
            before = Math.max(before, trace.rateAt(u));
          }
        }
        out.add(new Episode(start, t - start, near, before));
        start = -1;
      }
    }
    return List.copyOf(out);
  }

  /** Stoker's target changes after each step of the trace, until the next step. */
  static List<Integer> stepActions(SimResult stoker, Trace trace) {
    List<Integer> total = new ArrayList<>();
    for (int[] upDown : stepUpsAndDowns(stoker, trace)) {
      total.add(upDown[0] + upDown[1]);
    }
    return List.copyOf(total);
  }

  /** For each step: {scale-ups, scale-downs} until the next step, at most SETTLE_SECONDS. */
  public static List<int[]> stepUpsAndDowns(SimResult stoker, Trace trace) {
    int[] target = stoker.series().target();
    List<Integer> steps = new ArrayList<>();
    double previous = trace.rateAt(0);
    for (int t = 1; t < target.length; t++) {
      double rate = trace.rateAt(t);
      if (rate > 0 && previous > 0 && Math.max(rate / previous, previous / rate) > STEP_FACTOR) {
        steps.add(t);
      }
      previous = rate;
    }
    List<int[]> actions = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      int from = steps.get(i);
      int to =
          Math.min(from + SETTLE_SECONDS, i + 1 < steps.size() ? steps.get(i + 1) : target.length);
      int[] upDown = new int[2];
      for (int t = from + 1; t < to; t++) {
        if (target[t] > target[t - 1]) {
          upDown[0]++;
        } else if (target[t] < target[t - 1]) {
          upDown[1]++;
        }
      }
      actions.add(upDown);
    }
    return List.copyOf(actions);
  }
}
