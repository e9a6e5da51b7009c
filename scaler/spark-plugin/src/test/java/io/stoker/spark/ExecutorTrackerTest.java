package io.stoker.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.spark.Success$;
import org.apache.spark.executor.ExecutorMetrics;
import org.apache.spark.scheduler.JobSucceeded$;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.scheduler.TaskLocality;
import org.apache.spark.scheduler.cluster.ExecutorInfo;
import org.apache.spark.storage.BlockManagerId;
import org.apache.spark.storage.BlockUpdatedInfo;
import org.apache.spark.storage.RDDBlockId;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/** Which executors the plugin may remove, fed with Spark's own listener events. */
class ExecutorTrackerTest {

  private final ExecutorTracker tracker = new ExecutorTracker();
  private long taskIds;

  private void add(String id, long time) {
    tracker.onExecutorAdded(
        new SparkListenerExecutorAdded(
            time,
            id,
            new ExecutorInfo("127.0.0.1", 1, scala.collection.immutable.Map$.MODULE$.empty())));
  }

  private TaskInfo task(String executor) {
    return new TaskInfo(taskIds++, 0, 0, 0, 0L, executor, "127.0.0.1", TaskLocality.ANY(), false);
  }

  private static StageInfo stage(int id) {
    return new StageInfo(
        id,
        0,
        "stage " + id,
        1,
        CollectionConverters.asScala(List.<RDDInfo>of()).toList(),
        CollectionConverters.asScala(List.<Object>of()).toList(),
        "",
        null,
        CollectionConverters.asScala(
                List.<scala.collection.immutable.Seq<org.apache.spark.scheduler.TaskLocation>>of())
            .toList(),
        Option.empty(),
        0,
        false,
        0);
  }

  private void block(String executor, StorageLevel level) {
    tracker.onBlockUpdated(
        new SparkListenerBlockUpdated(
            new BlockUpdatedInfo(
                new BlockManagerId(executor, "127.0.0.1", 7000, Option.empty()),
                new RDDBlockId(1, 0),
                level,
                10L,
                0L)));
  }

  @Test
  void onlyIdleExecutorsWithoutNeededDataAreRemovableNewestFirst() {
    add("driver", 0);
    add("1", 1);
    add("2", 2);
    add("3", 3);
    add("4", 4);
    Set<String> all = tracker.executors();
    assertThat(all).containsExactlyInAnyOrder("1", "2", "3", "4");

    // 1 runs a task.
    TaskInfo running = task("1");
    tracker.onTaskStart(new SparkListenerTaskStart(5, 0, running));
    // 2 wrote shuffle output for stage 10 of job 7, which is still running.
    tracker.onJobStart(
        new SparkListenerJobStart(
            7,
            0L,
            CollectionConverters.asScala(List.of(stage(10), stage(11))).toList(),
            new Properties()));
    TaskInfo map = task("2");
    tracker.onTaskStart(new SparkListenerTaskStart(10, 0, map));
    tracker.onTaskEnd(
        new SparkListenerTaskEnd(
            10, 0, "ShuffleMapTask", Success$.MODULE$, map, new ExecutorMetrics(), null));
    // 3 caches an RDD block.
    block("3", StorageLevel.MEMORY_ONLY());

    assertThat(tracker.runningTasks("1")).isEqualTo(1);
    assertThat(tracker.holdsNeededData("2")).isTrue();
    assertThat(tracker.holdsNeededData("3")).isTrue();
    assertThat(tracker.removable(all)).containsExactly("4");

    // The job ends: its shuffle output is no longer needed. The block is dropped. The task ends.
    tracker.onJobEnd(new SparkListenerJobEnd(7, 1L, JobSucceeded$.MODULE$));
    block("3", StorageLevel.NONE());
    tracker.onTaskEnd(
        new SparkListenerTaskEnd(
            5, 0, "ResultTask", Success$.MODULE$, running, new ExecutorMetrics(), null));
    assertThat(tracker.removable(all)).containsExactly("4", "3", "2", "1");
    assertThat(tracker.removable(Set.of("2", "3"))).containsExactly("3", "2");

    tracker.onExecutorRemoved(new SparkListenerExecutorRemoved(9L, "4", "gone"));
    assertThat(tracker.executors()).containsExactlyInAnyOrder("1", "2", "3");
  }
}
