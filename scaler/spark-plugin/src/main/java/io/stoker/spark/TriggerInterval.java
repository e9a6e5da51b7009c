package io.stoker.spark;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The trigger interval of one query run, as its batches' progress shows it. {@code
 * StreamingQueryProgress} does not carry the trigger, so it is inferred from what Spark's {@code
 * ProcessingTimeExecutor} does with an interval I &gt; 0: a batch that finished early waits for the
 * next multiple of I since the epoch, so every batch that started after a wait starts on such a
 * multiple (Spark's progress {@code timestamp} is the trigger's start); a batch that overran is
 * followed at once; with the default trigger (I = 0) batches follow each other at once and, after
 * an idle spell, start whenever data arrived.
 *
 * <ul>
 *   <li>I is the shortest start-to-start gap between consecutive batches that both started after a
 *       wait (rounded to whole seconds, tenths or hundredths if that fits: a late wake-up shifts a
 *       start by a few ms), accepted only when {@value #ALIGNED} or more such starts all lie on
 *       multiples of it (within {@link #tolerance}); gaps after idle triggers (no batch) are
 *       multiples of I, so the shortest one is I as soon as data flowed for two triggers in a row.
 *   <li>0 (back to back) once {@value #BACK_TO_BACK} consecutive batches followed each other at
 *       once and no interval was accepted: the default trigger, or an interval every batch
 *       overruns, which runs the same way.
 *   <li>unknown (-1) before either.
 * </ul>
 *
 * <p>An accepted interval stays for the run (a query's trigger is fixed when it starts).
 *
 * <p>Not thread-safe: fed from the listener bus' one thread; read through a volatile.
 */
final class TriggerInterval {
  /** Starts after a wait that must lie on multiples of the candidate interval. */
  static final int ALIGNED = 4;

  /** Consecutive batches run at once before the query is taken as back to back. */
  static final int BACK_TO_BACK = 3;

  /** Starts after a wait kept to check the alignment. */
  private static final int KEPT = 16;

  private long lastId = Long.MIN_VALUE;
  private long lastStartMs;
  private long lastEndMs;
  private boolean lastWaited;
  private long shortestGapMs = Long.MAX_VALUE;
  private final Deque<Long> waitedStarts = new ArrayDeque<>();
  private int atOnce;
  private volatile long intervalMs = -1;

  /** How far a start may lie from a multiple of {@code interval}: a late wake-up on a busy host. */
  static long tolerance(long interval) {
    return Math.max(20, interval / 10);
  }

  /**
   * A finished batch.
   *
   * @param startMs its trigger's start ({@code progress.timestamp}), epoch ms
   * @param durationMs its trigger's wall time ({@code durationMs.triggerExecution})
   */
  void batch(long batchId, long startMs, long durationMs) {
    boolean waited = false;
    if (batchId == lastId + 1) {
      waited = startMs - lastEndMs > tolerance(0);
      if (waited) {
        if (lastWaited) {
          // both on the grid: a batch that followed an overrun at once is not, and the gap from
          // it to the next slot is shorter than the interval
          shortestGapMs = Math.min(shortestGapMs, startMs - lastStartMs);
        }
        waitedStarts.addLast(startMs);
        if (waitedStarts.size() > KEPT) {
          waitedStarts.removeFirst();
        }
      } else {
        atOnce++;
      }
    }
    lastId = batchId;
    lastWaited = waited;
    lastStartMs = startMs;
    lastEndMs = startMs + Math.max(0, durationMs);
    intervalMs = infer();
  }

  private long infer() {
    if (intervalMs > 0) {
      return intervalMs; // a run's trigger never changes: a late wake-up does not undo it
    }
    if (shortestGapMs != Long.MAX_VALUE && waitedStarts.size() >= ALIGNED) {
      // the shortest gap is I give or take a late wake-up: try it rounded to whole seconds, tenths,
      // hundredths, then as measured, and take the first that every start after a wait lies on
      for (long unit : new long[] {1000, 100, 10, 1}) {
        long candidate = Math.round((double) shortestGapMs / unit) * unit;
        if (candidate > 0 && aligned(candidate)) {
          return candidate;
        }
      }
    }
    return atOnce >= BACK_TO_BACK ? 0 : -1;
  }

  private boolean aligned(long candidate) {
    long tol = tolerance(candidate);
    for (long s : waitedStarts) {
      long off = Math.floorMod(s, candidate);
      if (Math.min(off, candidate - off) > tol) {
        return false;
      }
    }
    return true;
  }

  /** The interval in ms, 0 back to back, -1 unknown. */
  long intervalMs() {
    return intervalMs;
  }
}
