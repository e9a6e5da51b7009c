package io.stoker.spark;

import static io.stoker.spark.SparkTestSupport.gauge;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * local-cluster mode: a real standalone master and workers in this JVM, real executor JVMs. The
 * target moves 3 → 1 → 3 → 1 through the driver pod's annotation on a mock API server while a
 * streaming query keeps tasks flowing; executors are added, then gracefully decommissioned, and no
 * task fails.
 */
class LocalClusterScalingTest {

  private static final String NS = "stokercluster";
  private static final String DECOMMISSION_REASON = "Executor decommission: stoker scale down";

  private static MockKubernetes k8s;
  private static SparkSession spark;
  private static StreamingQuery query;
  private static String ui;

  /** Registered through spark.extraListeners, so it sees the very first executors. */
  public static final class Recorder extends SparkListener {
    static final Set<String> alive = ConcurrentHashMap.newKeySet();
    static final Map<String, String> removed = new ConcurrentHashMap<>();
    static final List<Integer> aliveAfterEachRemoval = new CopyOnWriteArrayList<>();
    static final AtomicInteger added = new AtomicInteger();
    static final AtomicInteger tasksOk = new AtomicInteger();
    static final List<String> tasksFailed = new CopyOnWriteArrayList<>();

    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded e) {
      added.incrementAndGet();
      alive.add(e.executorId());
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
      // Standalone reports a decommissioned executor twice: first the driver's own removal
      // (with the decommission reason), then the worker's "Command exited with code 0".
      if (alive.remove(e.executorId())) {
        aliveAfterEachRemoval.add(alive.size());
      }
      removed.putIfAbsent(e.executorId(), e.reason());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      if (e.reason() == Success$.MODULE$) {
        tasksOk.incrementAndGet();
      } else {
        tasksFailed.add(e.taskInfo().executorId() + ": " + e.reason());
      }
    }
  }

  @BeforeAll
  static void start() throws IOException, TimeoutException {
    Files.createDirectories(Path.of(System.getProperty("spark.test.home")));
    k8s = MockKubernetes.start();
    k8s.createDriverPod("3");
    spark =
        SparkSession.builder()
            .config(
                SparkTestSupport.withMockPod(
                        SparkTestSupport.conf("local-cluster[3,1,1024]", NS), k8s)
                    .set("spark.executor.cores", "1")
                    .set("spark.executor.memory", "512m")
                    // Executor JVMs start faster on a small machine with only the C1 compiler.
                    .set(
                        "spark.executor.extraJavaOptions",
                        "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
                    .set("spark.decommission.enabled", "true")
                    .set("spark.extraListeners", Recorder.class.getName()))
            .getOrCreate();
    ui = spark.sparkContext().uiWebUrl().get();
    query =
        spark
            .readStream()
            .format("rate")
            .option("rowsPerSecond", "100")
            .option("numPartitions", "3")
            .load()
            .writeStream()
            .queryName("steady")
            .format("noop")
            .trigger(Trigger.ProcessingTime("500 milliseconds"))
            .start();
  }

  @AfterAll
  static void stop() throws TimeoutException {
    try {
      if (query != null) {
        query.stop();
      }
    } finally {
      try {
        if (spark != null) {
          spark.stop();
        }
      } finally {
        if (k8s != null) {
          k8s.close();
        }
      }
    }
  }

  private static void awaitExecutors(int n) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                Recorder.alive.size() == n
                    && Double.valueOf(n).equals(gauge(ui, NS, "activeExecutors"))
                    && Double.valueOf(0).equals(gauge(ui, NS, "decommissioningExecutors")));
  }

  private static void awaitTasksProgress() {
    int before = Recorder.tasksOk.get();
    await().atMost(Duration.ofSeconds(60)).until(() -> Recorder.tasksOk.get() > before + 3);
  }

  private static void assertRemovedGracefully(int expectedRemoved) {
    assertThat(Recorder.removed).hasSize(expectedRemoved);
    Recorder.removed.forEach(
        (id, reason) -> assertThat(reason).as("executor %s", id).contains(DECOMMISSION_REASON));
  }

  @Test
  void targetsOneThreeOneAddThenGracefullyDecommissionExecutors() throws Exception {
    // Start at 3 (the annotation set before the driver started): exactly three executors.
    awaitExecutors(3);
    assertThat(Recorder.added.get()).isEqualTo(3);
    assertThat(gauge(ui, NS, "appliedTargetExecutors")).isEqualTo(3.0);
    assertThat(gauge(ui, NS, "actuationSupported")).isEqualTo(1.0);
    awaitTasksProgress();

    // 1: two executors are decommissioned (not killed), one stays.
    k8s.setTarget("1");
    awaitExecutors(1);
    assertThat(gauge(ui, NS, "appliedTargetExecutors")).isEqualTo(1.0);
    assertThat(gauge(ui, NS, "scaleDownExecutorsTotal")).isEqualTo(2.0);
    assertRemovedGracefully(2);
    awaitTasksProgress();

    // 3: two new executors are requested and register.
    k8s.setTarget("3");
    awaitExecutors(3);
    assertThat(Recorder.added.get()).isEqualTo(5);
    assertThat(gauge(ui, NS, "appliedTargetExecutors")).isEqualTo(3.0);
    awaitTasksProgress();

    // 1 again: two more graceful decommissions.
    k8s.setTarget("1");
    awaitExecutors(1);
    assertThat(gauge(ui, NS, "appliedTargetExecutors")).isEqualTo(1.0);
    assertThat(gauge(ui, NS, "scaleDownExecutorsTotal")).isEqualTo(4.0);
    assertRemovedGracefully(4);
    // Never below the target while scaling down.
    assertThat(Recorder.aliveAfterEachRemoval).hasSize(4).allMatch(n -> n >= 1);

    // The remaining executor keeps working and nothing failed along the way.
    awaitTasksProgress();
    assertThat(Recorder.tasksFailed).isEmpty();
    assertThat(query.isActive()).isTrue();
    assertThat(query.exception().isEmpty()).isTrue();
  }
}
