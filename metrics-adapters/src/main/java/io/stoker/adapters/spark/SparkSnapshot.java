package io.stoker.adapters.spark;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What one scrape of a Spark driver says about load and capacity. Immutable.
 *
 * @param appId application id (from the executors endpoint or the REST API; null if neither
 *     answered with one)
 * @param runningStages DAGScheduler {@code stage.runningStages}
 * @param waitingStages DAGScheduler {@code stage.waitingStages}
 * @param failedStages DAGScheduler {@code stage.failedStages}
 * @param activeJobs DAGScheduler {@code job.activeJobs}
 * @param executors executor rows of {@code /metrics/executors/prometheus}
 * @param streamingQueries per streaming query (name as it appears in metric names), when {@code
 *     spark.sql.streaming.metricsEnabled=true}
 * @param allocationManager ExecutorAllocationManager gauges, present only with dynamic allocation
 * @param plugin the Stoker driver plugin's gauges, present only when the plugin runs
 * @param stages REST stage summary, present when stage collection is enabled
 */
public record SparkSnapshot(
    String appId,
    long runningStages,
    long waitingStages,
    long failedStages,
    long activeJobs,
    Executors executors,
    Map<String, StreamingQuery> streamingQueries,
    Optional<AllocationManager> allocationManager,
    Optional<StokerPlugin> plugin,
    Optional<Stages> stages) {

  public SparkSnapshot {
    Objects.requireNonNull(executors);
    streamingQueries = Map.copyOf(streamingQueries);
    Objects.requireNonNull(allocationManager);
    Objects.requireNonNull(plugin);
    Objects.requireNonNull(stages);
  }

  /**
   * Sums over the rows of the executors endpoint.
   *
   * @param count executors other than the driver
   * @param activeTasks running tasks, all rows (in local mode the driver runs tasks)
   * @param maxTasks task slots, all rows
   * @param totalCores cores, all rows
   */
  public record Executors(int count, long activeTasks, long maxTasks, long totalCores) {}

  /**
   * Spark's own streaming source ({@code spark.streaming.<query>}).
   *
   * @param inputRate {@code inputRate-total}, rows/s
   * @param processingRate {@code processingRate-total}, rows/s
   * @param latencyMs {@code latency}: trigger execution duration of the last batch, ms
   */
  public record StreamingQuery(double inputRate, double processingRate, double latencyMs) {}

  /** ExecutorAllocationManager gauges (summed over resource profiles by Spark). */
  public record AllocationManager(
      long numberTargetExecutors,
      long numberAllExecutors,
      long numberMaxNeededExecutors,
      long numberExecutorsToAdd,
      long numberExecutorsPendingToRemove,
      long numberDecommissioningExecutors) {}

  /**
   * Gauges of the Stoker driver plugin (source {@code plugin.io.stoker.spark.StokerPlugin}).
   *
   * @param appliedTarget the executor total the plugin last requested; -1 if not published
   * @param executorsDecommissioning executors being decommissioned; -1 if not published
   * @param queries per streaming query
   */
  public record StokerPlugin(
      long appliedTarget, long executorsDecommissioning, Map<String, PluginQuery> queries) {
    public StokerPlugin {
      queries = Map.copyOf(queries);
    }
  }

  /**
   * Per-query gauges of the plugin; NaN where the plugin did not publish one (or published -1, its
   * "unknown").
   */
  public record PluginQuery(
      double inputRate,
      double processingRate,
      double batchDurationMs,
      double offsetsBehindLatestSum,
      double offsetsBehindLatestMax,
      double lastBatchInputRows,
      double batchId,
      double addBatchMs,
      double triggerIntervalMs,
      double batchTaskSlotMs,
      double lastBatchAgeMs) {

    /** The gauges of a plugin that publishes no batch progress (before issue 18). */
    public PluginQuery(
        double inputRate,
        double processingRate,
        double batchDurationMs,
        double offsetsBehindLatestSum,
        double offsetsBehindLatestMax) {
      this(
          inputRate,
          processingRate,
          batchDurationMs,
          offsetsBehindLatestSum,
          offsetsBehindLatestMax,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN);
    }

    /** The last completed batch, if its gauges are sane and it is fresh ({@link Batch#of}). */
    public Optional<Batch> lastBatch() {
      return Batch.of(this);
    }
  }

  /**
   * The last completed micro-batch of a query, as the plugin published it, checked: every value
   * finite, non-negative and within its bound, the task phase within the batch, and fresh.
   *
   * @param id {@code batchId}
   * @param inputRows {@code numInputRows}
   * @param seconds wall time of the batch ({@code durationMs.triggerExecution})
   * @param addBatchSeconds its task phase ({@code durationMs.addBatch}), if published
   * @param triggerIntervalSeconds the trigger interval, 0 back to back, if known
   * @param taskSlotSeconds its tasks' summed run time, if measured (and non-zero for a batch that
   *     read records: tasks shorter than Spark's millisecond resolution say nothing)
   * @param ageSeconds time since it ended, as the driver measured at the scrape
   */
  public record Batch(
      long id,
      long inputRows,
      double seconds,
      OptionalDouble addBatchSeconds,
      OptionalDouble triggerIntervalSeconds,
      OptionalDouble taskSlotSeconds,
      double ageSeconds) {

    /** Largest batch id taken (well within a double's exact integers). */
    public static final double MAX_ID = 1e15;

    /** Largest row count of one batch taken. */
    public static final double MAX_ROWS = 1e12;

    /** Largest duration, interval or age taken: one day. */
    public static final double MAX_MS = 86_400_000;

    /** Largest task time of one batch taken: a day on ~11,500 task slots. */
    public static final double MAX_SLOT_MS = 1e12;

    /** A batch older than twice its period ({@code max(interval, duration)}) plus this is stale. */
    public static final double STALE_SLACK_MS = 5_000;

    /**
     * The batch the gauges describe, or empty when it is not there (a plugin before issue 18, no
     * batch yet), a value is not a finite non-negative number within its bound, the task phase is
     * longer than the batch (a scrape that mixed two batches), or the batch is stale: older than
     * {@code 2 × max(interval, duration) +} {@value #STALE_SLACK_MS} ms, so that a query that
     * stopped completing batches (stalled, idle, or in a batch far longer than the last) is not
     * sized from a batch that no longer describes it.
     */
    public static Optional<Batch> of(PluginQuery q) {
      if (!within(q.batchId(), MAX_ID)
          || q.batchId() != Math.rint(q.batchId())
          || !within(q.lastBatchInputRows(), MAX_ROWS)
          || q.lastBatchInputRows() != Math.rint(q.lastBatchInputRows())
          || !within(q.batchDurationMs(), MAX_MS)
          || !within(q.lastBatchAgeMs(), MAX_MS)) {
        return Optional.empty();
      }
      OptionalDouble add = optional(q.addBatchMs(), MAX_MS);
      OptionalDouble interval = optional(q.triggerIntervalMs(), MAX_MS);
      OptionalDouble slots = optional(q.batchTaskSlotMs(), MAX_SLOT_MS);
      if (add == null || interval == null || slots == null) {
        return Optional.empty();
      }
      if (add.isPresent() && add.getAsDouble() > q.batchDurationMs()) {
        return Optional.empty();
      }
      double period = Math.max(q.batchDurationMs(), interval.orElse(0));
      if (q.lastBatchAgeMs() > 2 * period + STALE_SLACK_MS) {
        return Optional.empty();
      }
      if (q.lastBatchInputRows() > 0 && slots.isPresent() && slots.getAsDouble() == 0) {
        slots = OptionalDouble.empty();
      }
      return Optional.of(
          new Batch(
              (long) q.batchId(),
              (long) q.lastBatchInputRows(),
              q.batchDurationMs() / 1000,
              seconds(add),
              seconds(interval),
              seconds(slots),
              q.lastBatchAgeMs() / 1000));
    }

    private static boolean within(double v, double max) {
      return Double.isFinite(v) && v >= 0 && v <= max;
    }

    /** Absent when NaN (not published); null when published but out of bounds. */
    private static OptionalDouble optional(double v, double max) {
      if (Double.isNaN(v)) {
        return OptionalDouble.empty();
      }
      return within(v, max) ? OptionalDouble.of(v) : null;
    }

    private static OptionalDouble seconds(OptionalDouble ms) {
      return ms.isPresent() ? OptionalDouble.of(ms.getAsDouble() / 1000) : ms;
    }
  }

  /**
   * From {@code /api/v1/applications/{id}/stages?status=active&status=pending}.
   *
   * @param activeStages stages with status ACTIVE
   * @param pendingStages stages with status PENDING
   * @param activeTasks sum of numActiveTasks
   * @param pendingTasks sum of max(0, numTasks - numCompletedIndices - numActiveTasks): a derived
   *     estimate of tasks not yet started
   */
  public record Stages(int activeStages, int pendingStages, long activeTasks, long pendingTasks) {}
}
