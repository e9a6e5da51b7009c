package io.stoker.sim;

import java.util.OptionalInt;

/**
 * Spark's dynamic allocation (Spark's ExecutorAllocationManager) over a streaming query: every
 * micro-batch has one task per partition, so {@code maxNeeded = ceil(partitions / cores)} while
 * there is work; the target drops to {@code maxNeeded} at once when fewer are needed; while tasks
 * stay queued past the 1 s backlog timeout the target grows by 1, 2, 4, … per second; ready
 * executors are released only after running no task for the idle timeout (a stateless Kafka query
 * holds no shuffle data across batches, so shuffle tracking keeps none).
 */
public final class SparkDaPolicy implements SimPolicy {
  static final double BACKLOG_TIMEOUT = 1;
  static final double SUSTAINED_BACKLOG_TIMEOUT = 1;

  private final double idleTimeoutSeconds;
  private final boolean publishedDefault;
  private int target = -1;
  private int toAdd = 1;
  private double addTime = Double.NaN;

  /**
   * @param idleTimeoutSeconds {@code spark.dynamicAllocation.executorIdleTimeout}
   * @param publishedDefault true for Spark's default (60 s), named so in reports
   */
  public SparkDaPolicy(double idleTimeoutSeconds, boolean publishedDefault) {
    this.idleTimeoutSeconds = idleTimeoutSeconds;
    this.publishedDefault = publishedDefault;
  }

  @Override
  public String name() {
    return "spark-da[" + setting() + "]";
  }

  @Override
  public String setting() {
    return "executorIdleTimeout="
        + Math.round(idleTimeoutSeconds)
        + "s"
        + (publishedDefault ? " (Spark default)" : "");
  }

  @Override
  public OptionalInt decide(SimView v) {
    Scenario sc = v.scenario();
    int t = v.second();
    int min = sc.minExecutors();
    int max = sc.maxExecutors();
    if (target < 0) {
      target = v.target();
    }
    boolean work = v.backlogRecords() > 1e-6 || v.arrivedRecords() - v.arrivedBy(t - 1) > 1e-6;
    int maxNeeded = work ? (int) Math.ceil((double) sc.partitions() / sc.coresPerExecutor()) : 0;
    int alive = v.readyExecutors() + v.pendingExecutors();
    if (maxNeeded < target) {
      target = Math.max(maxNeeded, min);
      toAdd = 1;
      addTime = Double.NaN;
    } else if (v.behind()) {
      if (Double.isNaN(addTime)) {
        addTime = t + BACKLOG_TIMEOUT;
      }
      if (t >= addTime) {
        int next = Math.min(Math.max(target, alive) + toAdd, maxNeeded);
        next = Math.max(min, Math.min(max, next));
        int delta = next - target;
        target = next;
        toAdd = delta == toAdd ? toAdd * 2 : 1;
        addTime = t + SUSTAINED_BACKLOG_TIMEOUT;
      }
    } else {
      addTime = Double.NaN;
      toAdd = 1;
    }
    int removable = v.readyIdleFor(idleTimeoutSeconds);
    int keep = Math.max(target, alive - removable);
    return OptionalInt.of(Math.max(keep, min));
  }
}
