package io.stoker.spark;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.storage.BlockUpdatedInfo;

/**
 * Follows executors through the listener bus and tells which of them can go without losing work: no
 * running task, no shuffle output that a running job still reads (like Spark's own {@code
 * ExecutorMonitor}: shuffle map output written for a stage of an active job), no cached RDD block.
 */
final class ExecutorTracker extends SparkListener {

  private final Map<String, Long> addedAt = new ConcurrentHashMap<>();
  private final Map<String, Integer> runningTasks = new ConcurrentHashMap<>();
  private final Map<String, Set<Integer>> shuffleStagesByExecutor = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> cachedBlocks = new ConcurrentHashMap<>();
  private final Map<Integer, Set<Integer>> activeJobsByStage = new ConcurrentHashMap<>();
  private final Map<Integer, List<Integer>> stagesByJob = new ConcurrentHashMap<>();

  @Override
  public void onExecutorAdded(SparkListenerExecutorAdded added) {
    addedAt.put(added.executorId(), added.time());
  }

  @Override
  public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
    String id = removed.executorId();
    addedAt.remove(id);
    runningTasks.remove(id);
    shuffleStagesByExecutor.remove(id);
    cachedBlocks.remove(id);
  }

  @Override
  public void onTaskStart(SparkListenerTaskStart start) {
    runningTasks.merge(start.taskInfo().executorId(), 1, Integer::sum);
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    String id = end.taskInfo().executorId();
    runningTasks.computeIfPresent(id, (k, n) -> n <= 1 ? null : n - 1);
    if ("ShuffleMapTask".equals(end.taskType()) && end.reason() == Success$.MODULE$) {
      shuffleStagesByExecutor
          .computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet())
          .add(end.stageId());
    }
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    List<Integer> stages =
        scala.jdk.javaapi.CollectionConverters.asJava(start.stageIds()).stream()
            .map(o -> (Integer) o)
            .collect(Collectors.toList());
    stagesByJob.put(start.jobId(), stages);
    for (Integer stage : stages) {
      activeJobsByStage
          .computeIfAbsent(stage, k -> ConcurrentHashMap.newKeySet())
          .add(start.jobId());
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd end) {
    List<Integer> stages = stagesByJob.remove(end.jobId());
    if (stages == null) {
      return;
    }
    for (Integer stage : stages) {
      activeJobsByStage.computeIfPresent(
          stage,
          (k, jobs) -> {
            jobs.remove(end.jobId());
            return jobs.isEmpty() ? null : jobs;
          });
    }
    // Shuffle output of stages no running job uses any more is no longer needed.
    shuffleStagesByExecutor
        .values()
        .forEach(s -> s.removeIf(st -> !activeJobsByStage.containsKey(st)));
  }

  @Override
  public void onBlockUpdated(SparkListenerBlockUpdated event) {
    BlockUpdatedInfo info = event.blockUpdatedInfo();
    if (!info.blockId().isRDD()) {
      return;
    }
    String id = info.blockManagerId().executorId();
    String block = info.blockId().name();
    if (info.storageLevel().isValid()) {
      cachedBlocks.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(block);
    } else {
      cachedBlocks.computeIfPresent(
          id,
          (k, s) -> {
            s.remove(block);
            return s.isEmpty() ? null : s;
          });
    }
  }

  /** Executor ids known to be registered, excluding the driver. */
  Set<String> executors() {
    return addedAt.keySet().stream()
        .filter(id -> !"driver".equals(id))
        .collect(Collectors.toUnmodifiableSet());
  }

  int runningTasks(String id) {
    return runningTasks.getOrDefault(id, 0);
  }

  boolean holdsNeededData(String id) {
    Set<Integer> shuffle = shuffleStagesByExecutor.get(id);
    boolean activeShuffle =
        shuffle != null && shuffle.stream().anyMatch(activeJobsByStage::containsKey);
    Set<String> cached = cachedBlocks.get(id);
    return activeShuffle || (cached != null && !cached.isEmpty());
  }

  /**
   * Of {@code among}, the executors that can be removed now, best first: the most recently added
   * (they hold the least state such as cached Kafka consumers and state stores).
   */
  List<String> removable(Set<String> among) {
    return among.stream()
        .filter(id -> runningTasks(id) == 0 && !holdsNeededData(id))
        .sorted(
            Comparator.comparingLong((String id) -> addedAt.getOrDefault(id, 0L))
                .reversed()
                .thenComparing(Comparator.reverseOrder()))
        .collect(Collectors.toList());
  }
}
