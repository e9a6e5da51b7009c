package io.stoker.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The task time of each streaming query run's micro-batches: task slots × the seconds they were
 * busy, summed over the tasks of the batch's jobs.
 *
 * <p>How a task is attributed to a query: Spark's {@code StreamExecution} runs every job of a query
 * run with the job group set to the run's id ({@code SparkContext.setJobGroup(runId, …)}, the
 * property {@code spark.jobGroup.id} of each {@code SparkListenerJobStart}). A job start of a
 * tracked run maps the job's stages to it; each task end of such a stage adds its {@code
 * executorRunTime} (the time the task ran on its slot; the task's wall time when Spark sent no
 * metrics, e.g. for a lost task) to the run's running total. At each progress event the batch's
 * share is the total's growth since the previous one: all of a batch's tasks end before its job
 * does, and its job before the batch commits and Spark posts the progress, and the listener bus
 * delivers events in the order they were posted. A task that ends after its job (a speculative copy
 * killed late) is not counted.
 *
 * <p>Only runs registered with {@link #track} are followed (queries Spark reported as started), so
 * other applications' job groups never fill the maps; a job's stages are forgotten when it ends.
 * Fed from the listener bus' one thread.
 */
final class BatchTaskTime {
  static final String JOB_GROUP = "spark.jobGroup.id";

  /** A defensive bound: more stages than this in flight and the map is cleared. */
  static final int MAX_STAGES = 100_000;

  private final Map<String, long[]> runs = new ConcurrentHashMap<>();
  private final Map<Integer, String> stageRun = new ConcurrentHashMap<>();
  private final Map<Integer, List<Integer>> jobStages = new ConcurrentHashMap<>();

  /** Follows a query run: its id is its jobs' group. */
  void track(String runId) {
    runs.putIfAbsent(runId, new long[2]);
  }

  void forget(String runId) {
    runs.remove(runId);
    stageRun.values().removeIf(runId::equals);
  }

  void jobStarted(int jobId, Iterable<Integer> stageIds, Properties properties) {
    String group = properties == null ? null : properties.getProperty(JOB_GROUP);
    if (group == null || !runs.containsKey(group)) {
      return;
    }
    if (stageRun.size() > MAX_STAGES) {
      stageRun.clear();
      jobStages.clear();
    }
    List<Integer> stages = new ArrayList<>();
    for (Integer s : stageIds) {
      stageRun.put(s, group);
      stages.add(s);
    }
    jobStages.put(jobId, stages);
  }

  void jobEnded(int jobId) {
    List<Integer> stages = jobStages.remove(jobId);
    if (stages != null) {
      stages.forEach(stageRun::remove);
    }
  }

  void taskEnded(int stageId, long runTimeMs) {
    String run = stageRun.get(stageId);
    long[] total = run == null ? null : runs.get(run);
    if (total != null && runTimeMs > 0) {
      total[0] += runTimeMs;
    }
  }

  /** The task time of {@code runId}'s tasks since the previous call, ms; -1 if not tracked. */
  long takeBatch(String runId) {
    long[] total = runs.get(runId);
    if (total == null) {
      return -1;
    }
    long batch = total[0] - total[1];
    total[1] = total[0];
    return batch;
  }
}
