package io.stoker.sim;

import java.util.List;
import java.util.OptionalInt;

/**
 * Spark Streaming's own dynamic allocation ({@code spark.streaming.dynamicAllocation.*}, Spark's
 * {@code
 * streaming/src/main/scala/org/apache/spark/streaming/scheduler/ExecutorAllocationManager.scala}),
 * driven by the micro-batches' durations against the trigger interval. A timer fires every {@code
 * scalingInterval} seconds (on multiples of it, as {@code RecurringTimer} starts); it takes the
 * batches completed since the last firing, {@code ratio = mean duration (whole ms) / interval}, and
 * then forgets them:
 *
 * <ul>
 *   <li>{@code ratio >= 0.9} ({@code scalingUpRatio}): asks for {@code registered +
 *       max(round(ratio), 1)} executors in total, registered being the executors ready now (not the
 *       previous target);
 *   <li>{@code ratio <= 0.3} ({@code scalingDownRatio}): removes one executor if more than the
 *       minimum are registered;
 *   <li>no batch completed: nothing.
 * </ul>
 *
 * Spark applies it to DStreams only (SPARK-24815 is about Structured Streaming); here it is the
 * batch-time rule from Spark itself, fed by Structured Streaming's batch durations.
 */
public final class StreamingDaPolicy implements SimPolicy {
  static final double SCALING_UP_RATIO = 0.9;
  static final double SCALING_DOWN_RATIO = 0.3;

  private final int scalingInterval;
  private final boolean publishedDefault;
  private int lastFired;

  /**
   * @param scalingInterval {@code spark.streaming.dynamicAllocation.scalingInterval} in seconds
   * @param publishedDefault true for Spark's default (60 s), named so in reports
   */
  public StreamingDaPolicy(int scalingInterval, boolean publishedDefault) {
    if (scalingInterval <= 0) {
      throw new IllegalArgumentException("scalingInterval must be > 0, got " + scalingInterval);
    }
    this.scalingInterval = scalingInterval;
    this.publishedDefault = publishedDefault;
  }

  /** Spark Streaming removes a random executor among the removable ones. */
  @Override
  public Removal removal() {
    return Removal.RANDOM;
  }

  @Override
  public String name() {
    return "streaming-da[scalingInterval=" + scalingInterval + "s]";
  }

  @Override
  public String setting() {
    return "scalingInterval="
        + scalingInterval
        + "s"
        + (publishedDefault ? " (Spark default)" : "");
  }

  /**
   * The new target for a ratio, or -1 to keep it.
   *
   * @param registered executors registered with the driver (ready)
   */
  static int decision(double ratio, int target, int registered, int min, int max) {
    if (ratio >= SCALING_UP_RATIO) {
      int add = Math.max((int) Math.round(ratio), 1);
      return Math.max(Math.min(max, registered + add), min);
    }
    if (ratio <= SCALING_DOWN_RATIO && registered > min) {
      return Math.max(min, target - 1);
    }
    return -1;
  }

  @Override
  public OptionalInt decide(SimView v) {
    int t = v.second();
    Scenario sc = v.scenario();
    if (t == 0 || t % scalingInterval != 0) {
      return OptionalInt.empty();
    }
    List<BatchProgress> batches = v.batchesEndedSince(lastFired);
    lastFired = t;
    double intervalMs = sc.triggerIntervalSeconds() * 1000;
    if (batches.isEmpty() || intervalMs <= 0) {
      return OptionalInt.empty();
    }
    long sum = 0;
    for (BatchProgress b : batches) {
      sum += Math.round(b.durationSeconds() * 1000);
    }
    long averageMs = sum / batches.size();
    int min = Math.max(1, sc.minExecutors());
    int next =
        decision(averageMs / intervalMs, v.target(), v.readyExecutors(), min, sc.maxExecutors());
    return next < 0 ? OptionalInt.empty() : OptionalInt.of(next);
  }
}
