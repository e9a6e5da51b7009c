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
 *   <li>I is taken from the start-to-start gaps between consecutive batches that both started after
 *       a wait (rounded to whole seconds, tenths or hundredths if that fits: a late wake-up shifts
 *       a start by a few ms), the shortest gap that fits first; gaps after idle triggers (no batch)
 *       are multiples of I, so one gap is I as soon as data flowed for two triggers in a row. A
 *       candidate fits when {@value #ALIGNED} or more of the recent starts after a wait lie on its
 *       multiples (within {@link #tolerance}) and no recent start that Spark would have held for a
 *       slot lies off them, or {@value #LATE_SHARE} more lie on them for each that does (a very
 *       late wake-up): a batch that ended before the slot after its own start is followed on a
 *       slot, a batch that overran that slot is followed at once, wherever that is. A start that
 *       followed an overrun only after Spark's own work between two batches (on a busy host, more
 *       than the few ms that tell a wait) looks like a start after a wait; its gap to the next slot
 *       is no candidate that fits, and it does not hide the interval.
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

  /**
   * A candidate still fits with a start off its multiples that Spark would have held for a slot (a
   * wake-up more than a tenth of the interval late, on a busy host) if this many more starts after
   * a wait lie on them.
   */
  static final int LATE_SHARE = 4;

  /** Steps from one batch to the next kept to check a candidate. */
  private static final int KEPT = 16;

  /**
   * From one batch to the next (consecutive ids).
   *
   * @param prevStartMs the first batch's start
   * @param prevEndMs the first batch's end
   * @param startMs the second batch's start
   * @param waited the second started after a wait ({@link #tolerance tolerance(0)})
   * @param prevWaited the first started after a wait too: the gap is a candidate
   */
  private record Step(
      long prevStartMs, long prevEndMs, long startMs, boolean waited, boolean prevWaited) {}

  private long lastId = Long.MIN_VALUE;
  private long lastStartMs;
  private long lastEndMs;
  private boolean lastWaited;
  private final Deque<Step> steps = new ArrayDeque<>();
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
      if (!waited) {
        atOnce++;
      }
      steps.addLast(new Step(lastStartMs, lastEndMs, startMs, waited, lastWaited));
      if (steps.size() > KEPT) {
        steps.removeFirst();
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
    long[] gaps =
        steps.stream()
            .filter(s -> s.waited() && s.prevWaited())
            .mapToLong(s -> s.startMs() - s.prevStartMs())
            .filter(g -> g > 0)
            .sorted()
            .distinct()
            .toArray();
    for (long gap : gaps) {
      // the gap is I give or take a late wake-up: try it rounded to whole seconds, tenths,
      // hundredths, then as measured
      for (long unit : new long[] {1000, 100, 10, 1}) {
        long candidate = Math.round((double) gap / unit) * unit;
        if (candidate > 0 && fits(candidate)) {
          return candidate;
        }
      }
    }
    return atOnce >= BACK_TO_BACK ? 0 : -1;
  }

  /**
   * Whether the recent starts are what Spark's {@code ProcessingTimeExecutor} does with {@code
   * candidate}: enough starts after a wait on its multiples, and every batch that ended before the
   * slot after its own start followed by one that starts on a multiple.
   */
  private boolean fits(long candidate) {
    int aligned = 0;
    int off = 0;
    for (Step s : steps) {
      boolean onGrid = onGrid(s.startMs(), candidate);
      long nextSlot = Math.floorDiv(s.prevStartMs(), candidate) * candidate + candidate;
      if (s.prevEndMs() <= nextSlot && !onGrid) {
        off++;
      }
      if (s.waited() && onGrid) {
        aligned++;
      }
    }
    return aligned >= ALIGNED + LATE_SHARE * off;
  }

  private static boolean onGrid(long startMs, long candidate) {
    long off = Math.floorMod(startMs, candidate);
    return Math.min(off, candidate - off) <= tolerance(candidate);
  }

  /** The interval in ms, 0 back to back, -1 unknown. */
  long intervalMs() {
    return intervalMs;
  }
}
