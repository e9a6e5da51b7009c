package io.stoker.adapters.spark;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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

  /** Per-query gauges of the plugin; NaN where the plugin did not publish one. */
  public record PluginQuery(
      double inputRate,
      double processingRate,
      double batchDurationMs,
      double offsetsBehindLatestSum,
      double offsetsBehindLatestMax) {}

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
