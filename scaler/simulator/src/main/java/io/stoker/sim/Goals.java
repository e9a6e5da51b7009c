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
 */
public record Goals(
    double slaBudgetSeconds,
    int slaViolationSeconds,
    List<String> dominatedBy,
    double costBound,
    double executorSeconds,
    double cheapestPeerWithinBudget,
    double oracleExecutorSeconds,
    List<Integer> stepActions) {

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
      boolean peerPoint = e.sweepPoint() || e.name().equals("static-peak");
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
        stepActions(stoker, trace));
  }

  /** Stoker's target changes after each step of the trace, until the next step. */
  static List<Integer> stepActions(SimResult stoker, Trace trace) {
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
    List<Integer> actions = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      int from = steps.get(i);
      int to =
          Math.min(from + SETTLE_SECONDS, i + 1 < steps.size() ? steps.get(i + 1) : target.length);
      int n = 0;
      for (int t = from + 1; t < to; t++) {
        if (target[t] != target[t - 1]) {
          n++;
        }
      }
      actions.add(n);
    }
    return List.copyOf(actions);
  }
}
