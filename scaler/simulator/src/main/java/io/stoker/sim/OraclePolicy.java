package io.stoker.sim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalInt;

/**
 * The reference floor: knows the arrival rate of every second and gets executors the instant it
 * asks. With continuous processing it holds exactly {@code ceil(rate / executorRate)}. With
 * micro-batches a batch holds records that arrived up to one objective ago, so it holds the most,
 * over the seconds of the last objective, of the fewest executors whose batches keep every record
 * within the objective in steady state at that second's rate ({@link #batchesKeepUp}), with the
 * capacity taken one noise deviation low and the objective one second short (latency is sampled at
 * whole seconds). Its executor-seconds are what keeping up costs at the least.
 */
public final class OraclePolicy implements SimPolicy {
  private final Deque<int[]> needs = new ArrayDeque<>();

  @Override
  public String name() {
    return "oracle";
  }

  @Override
  public boolean instantExecutors() {
    return true;
  }

  @Override
  public int initialExecutors(Scenario sc) {
    return 1;
  }

  @Override
  public OptionalInt decide(SimView v) {
    Scenario sc = v.scenario();
    int useful = Math.max(1, sc.partitions() / sc.coresPerExecutor());
    if (sc.microBatches()) {
      int t = v.second();
      int need = Math.max(1, fewestForBatches(v.trueArrivalRate(), sc, useful));
      // The highest need of the last objective: a sliding-window maximum.
      while (!needs.isEmpty() && needs.peekLast()[1] <= need) {
        needs.removeLast();
      }
      while (!needs.isEmpty() && needs.peekFirst()[0] <= t - sc.targetLatencySeconds()) {
        needs.removeFirst();
      }
      needs.addLast(new int[] {t, need});
      return OptionalInt.of(needs.peekFirst()[1]);
    }
    int need = (int) Math.ceil(v.trueArrivalRate() / sc.executorRate() - 1e-9);
    return OptionalInt.of(Math.max(1, Math.min(need, useful)));
  }

  /** The fewest executors, up to {@code useful}, whose batches keep up; {@code useful} if none. */
  static int fewestForBatches(double rate, Scenario sc, int useful) {
    for (int n = 1; n < useful; n++) {
      double slots = Math.min(n * sc.coresPerExecutor(), sc.partitions());
      double capacity =
          slots * sc.executorRate() / sc.coresPerExecutor() * (1 - sc.executorRateNoise());
      if (batchesKeepUp(
          rate,
          capacity,
          sc.triggerIntervalSeconds(),
          sc.batchOverheadSeconds(),
          sc.targetLatencySeconds() - 1)) {
        return n;
      }
    }
    return useful;
  }

  /**
   * True if batches at a steady arrival rate keep every record within the objective. With load
   * {@code x = rate / capacity}, overhead {@code O} and interval {@code I}:
   *
   * <ul>
   *   <li>batches that fit the interval read {@code rate × I} records and last {@code D = O + x × I
   *       ≤ I}; a record arriving just after a trigger waits for the next one, so the oldest record
   *       is {@code I + D} old when its batch ends: {@code I + D ≤ objective};
   *   <li>otherwise batches run back to back, each reading what arrived during the previous one:
   *       {@code D = O + x × D}, so {@code D = O / (1 − x)} (x &lt; 1), {@code D ≥ I}, and the
   *       oldest record is {@code 2 × D} old: {@code 2 × D ≤ objective}.
   * </ul>
   */
  static boolean batchesKeepUp(
      double rate, double capacity, double interval, double overhead, double objective) {
    if (rate <= 0) {
      return true;
    }
    double x = rate / capacity;
    if (interval > 0) {
      double d = overhead + x * interval;
      if (d <= interval && interval + d <= objective) {
        return true;
      }
    }
    if (x >= 1) {
      return false;
    }
    double d = overhead / (1 - x);
    return d >= interval && 2 * d <= objective;
  }
}
