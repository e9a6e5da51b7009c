package io.stoker.sim;

import java.util.OptionalInt;

/**
 * Spark's dynamic allocation (Spark's ExecutorAllocationManager) over a streaming query: every
 * micro-batch has one task per partition, so {@code maxNeeded = ceil(partitions / cores)} while
 * there is work; the target drops to {@code maxNeeded} at once when fewer are needed; while tasks
 * stay queued past the 1 s backlog timeout the target grows by 1, 2, 4, … per second; ready
 * executors are released only after running no task for the idle timeout (a stateless Kafka query
 * holds no shuffle data across batches, so shuffle tracking keeps none). {@code
 * spark.dynamicAllocation.executorAllocationRatio} scales the task demand: {@code maxNeeded =
 * ceil(tasks × ratio / tasksPerExecutor)} ({@code maxNumExecutorsNeededPerResourceProfile}).
 */
public final class SparkDaPolicy implements SimPolicy {
  static final double BACKLOG_TIMEOUT = 1;
  static final double SUSTAINED_BACKLOG_TIMEOUT = 1;

  private final double idleTimeoutSeconds;
  private final boolean publishedDefault;
  private final double allocationRatio;
  private int target = -1;
  private int toAdd = 1;
  private double addTime = Double.NaN;

  /**
   * @param idleTimeoutSeconds {@code spark.dynamicAllocation.executorIdleTimeout}
   * @param publishedDefault true for Spark's default (60 s), named so in reports
   */
  public SparkDaPolicy(double idleTimeoutSeconds, boolean publishedDefault) {
    this(idleTimeoutSeconds, publishedDefault, 1);
  }

  /**
   * @param allocationRatio {@code spark.dynamicAllocation.executorAllocationRatio}, in (0, 1]
   */
  public SparkDaPolicy(
      double idleTimeoutSeconds, boolean publishedDefault, double allocationRatio) {
    if (!(allocationRatio > 0 && allocationRatio <= 1)) {
      throw new IllegalArgumentException(
          "executorAllocationRatio must be in (0, 1], got " + allocationRatio);
    }
    this.idleTimeoutSeconds = idleTimeoutSeconds;
    this.publishedDefault = publishedDefault;
    this.allocationRatio = allocationRatio;
  }

  /** {@code maxNeeded} for {@code tasks} pending or running tasks. */
  static int maxNeeded(int tasks, int tasksPerExecutor, double ratio) {
    return (int) Math.ceil(tasks * ratio / tasksPerExecutor);
  }

  @Override
  public String name() {
    return "spark-da[executorIdleTimeout="
        + Math.round(idleTimeoutSeconds)
        + "s,executorAllocationRatio="
        + ratio()
        + "]";
  }

  private String ratio() {
    return allocationRatio == Math.rint(allocationRatio)
        ? String.valueOf((long) allocationRatio)
        : String.valueOf(allocationRatio);
  }

  @Override
  public String setting() {
    return "executorIdleTimeout="
        + Math.round(idleTimeoutSeconds)
        + "s, executorAllocationRatio="
        + ratio()
        + (publishedDefault && allocationRatio == 1 ? " (Spark defaults)" : "");
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
    // Continuous processing always has tasks while records wait or arrive; micro-batches have
    // tasks only while a batch runs them (none during its overhead or between triggers).
    boolean work =
        sc.microBatches()
            ? v.batchRunningTasks()
            : v.backlogRecords() > 1e-6 || v.arrivedRecords() - v.arrivedBy(t - 1) > 1e-6;
    int maxNeeded = work ? maxNeeded(sc.partitions(), sc.coresPerExecutor(), allocationRatio) : 0;
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
