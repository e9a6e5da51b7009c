package io.stoker.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Stoker's goals on one comparison (issue 18, docs/benchmarks.md). A peer point dominates Stoker
 * when it is at least as good on both axes and better on one.
 *
 * <ul>
 *   <li>G1 frontier: no peer point dominates Stoker on (executor-seconds, violation seconds);
 *   <li>G2 SLA: Stoker meets the budget wherever a peer point does: cold, a reactive one (KEDA,
 *       Spark's dynamic allocations); with history, any, the static fleet included;
 *   <li>G3 cost: executor-seconds at most max(0.75 × the cheapest peer point within the budget,
 *       1.10 × the oracle) cold, max(that cheapest point, 1.10 × the oracle) with history;
 *   <li>G4 node bill: no peer point dominates Stoker on (node-seconds, violation seconds);
 *   <li>G5 settling: at most 2 actions after a step.
 * </ul>
 *
 * @param slaBudgetSeconds violation seconds allowed
 * @param slaViolationSeconds stoker's violation seconds
 * @param slaRequired true if a peer point that counts for G2 meets the budget
 * @param dominatedBy peer points that dominate stoker on executor-seconds and violation seconds
 * @param dominatedOnNodesBy peer points that dominate stoker on node-seconds and violation seconds
 * @param costBound the G3 bound
 * @param executorSeconds stoker's executor-seconds
 * @param nodeSeconds stoker's node-seconds
 * @param cheapestPeerWithinBudget executor-seconds of that peer point, NaN if none meets it
 * @param oracleExecutorSeconds the oracle's executor-seconds
 * @param stepActions stoker's scaling actions after each step of the trace, in order
 * @param episodes stoker's runs of violation seconds, in order
 */
public record Goals(
    double slaBudgetSeconds,
    int slaViolationSeconds,
    boolean slaRequired,
    List<String> dominatedBy,
    List<String> dominatedOnNodesBy,
    double costBound,
    double executorSeconds,
    double nodeSeconds,
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

  /** True if stoker's violation seconds are within the budget. */
  public boolean withinBudget() {
    return slaViolationSeconds <= slaBudgetSeconds;
  }

  /** G2: within the budget, or no peer point that counts is. */
  public boolean slaMet() {
    return withinBudget() || !slaRequired;
  }

  /** G1. */
  public boolean frontierMet() {
    return dominatedBy.isEmpty();
  }

  /** G4. */
  public boolean nodeBillMet() {
    return dominatedOnNodesBy.isEmpty();
  }

  /** G5. */
  public boolean settlingMet() {
    return maxStepActions() <= 2;
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

  /** Cold: the goals without history. */
  public static Goals of(Comparison.Result r, Trace trace) {
    return of(r, trace, false);
  }

  /** True if {@code a} is at least as good as {@code b} on both axes and better on one. */
  static boolean dominates(double costA, int violationsA, double costB, int violationsB) {
    return costA <= costB
        && violationsA <= violationsB
        && (costA < costB || violationsA < violationsB);
  }

  /**
   * @param r a comparison that includes stoker, the oracle and at least one peer
   * @param trace the trace it ran
   * @param history true if the comparison replayed history before its measured pass
   */
  public static Goals of(Comparison.Result r, Trace trace, boolean history) {
    SimResult stoker = r.get("stoker");
    SimResult oracle = r.get("oracle");
    double cheapest = Double.NaN;
    boolean required = false;
    List<String> dominated = new ArrayList<>();
    List<String> dominatedOnNodes = new ArrayList<>();
    for (Comparison.Entry e : r.entries()) {
      boolean staticPeak = e.name().equals("static-peak");
      boolean peerPoint = (e.sweepPoint() && !e.name().startsWith("stoker")) || staticPeak;
      if (!peerPoint) {
        continue;
      }
      SimResult s = e.result();
      boolean within = s.slaViolationSeconds() <= r.slaBudgetSeconds();
      if (within && (Double.isNaN(cheapest) || s.executorSeconds() < cheapest)) {
        cheapest = s.executorSeconds();
      }
      if (within && (history || !staticPeak)) {
        required = true;
      }
      if (dominates(
          s.executorSeconds(),
          s.slaViolationSeconds(),
          stoker.executorSeconds(),
          stoker.slaViolationSeconds())) {
        dominated.add(e.name());
      }
      if (dominates(
          s.nodeSeconds(),
          s.slaViolationSeconds(),
          stoker.nodeSeconds(),
          stoker.slaViolationSeconds())) {
        dominatedOnNodes.add(e.name());
      }
    }
    double bound = ORACLE_FACTOR * oracle.executorSeconds();
    if (!Double.isNaN(cheapest)) {
      bound = Math.max(bound, (history ? 1 : COLD_PEER_FACTOR) * cheapest);
    }
    return new Goals(
        r.slaBudgetSeconds(),
        stoker.slaViolationSeconds(),
        required,
        List.copyOf(dominated),
        List.copyOf(dominatedOnNodes),
        bound,
        stoker.executorSeconds(),
        stoker.nodeSeconds(),
        cheapest,
        oracle.executorSeconds(),
        stepActions(stoker, trace),
        episodes(stoker, trace, r.scenario().targetLatencySeconds()));
  }

  /** G3: the oracle's share of the cost bound. */
  static final double ORACLE_FACTOR = 1.10;

  /** G3 cold: the cheapest peer point's share of the cost bound. */
  static final double COLD_PEER_FACTOR = 0.75;

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
