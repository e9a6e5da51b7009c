package io.stoker.spark;

import static io.stoker.spark.SparkTestSupport.gauge;
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

/**
 * A local-cluster driver (real standalone master, workers and executor JVMs in this JVM's children)
 * with the plugin, its driver pod on a mock API server, and a streaming query that keeps tasks
 * flowing. One per test class.
 */
final class ClusterFixture implements AutoCloseable {

  final String ns;
  final MockKubernetes k8s;
  final SparkSession spark;
  final StreamingQuery query;
  final String ui;

  /** Registered through spark.extraListeners, so it sees the very first executors. */
  public static final class Recorder extends SparkListener {
    static final Set<String> alive = ConcurrentHashMap.newKeySet();
    static final List<String> addedOrder = new CopyOnWriteArrayList<>();
    static final Map<String, String> removed = new ConcurrentHashMap<>();
    static final List<Integer> aliveAfterEachRemoval = new CopyOnWriteArrayList<>();
    static final AtomicInteger added = new AtomicInteger();
    static final AtomicInteger tasksOk = new AtomicInteger();
    static final List<String> tasksFailed = new CopyOnWriteArrayList<>();

    static void reset() {
      alive.clear();
      addedOrder.clear();
      removed.clear();
      aliveAfterEachRemoval.clear();
      added.set(0);
      tasksOk.set(0);
      tasksFailed.clear();
    }

    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded e) {
      added.incrementAndGet();
      alive.add(e.executorId());
      addedOrder.add(e.executorId());
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
      // Standalone may report an executor twice: first the driver's own removal (with the
      // decommission/kill reason), then the worker's "Command exited with code 0".
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

  ClusterFixture(String ns, int workers, String initialTarget, boolean decommission)
      throws IOException, TimeoutException {
    this.ns = ns;
    Recorder.reset();
    Files.createDirectories(Path.of(System.getProperty("spark.test.home")));
    k8s = MockKubernetes.start();
    SparkSession s = null;
    try {
      k8s.createDriverPod(initialTarget);
      s =
          SparkSession.builder()
              .config(
                  SparkTestSupport.withMockPod(
                          SparkTestSupport.conf("local-cluster[" + workers + ",1,1024]", ns), k8s)
                      .set("spark.executor.cores", "1")
                      .set("spark.executor.memory", "512m")
                      // Executor JVMs start faster on a small machine with only the C1 compiler.
                      .set(
                          "spark.executor.extraJavaOptions",
                          "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
                      .set("spark.decommission.enabled", Boolean.toString(decommission))
                      .set("spark.extraListeners", Recorder.class.getName()))
              .getOrCreate();
      ui = s.sparkContext().uiWebUrl().get();
      query =
          s.readStream()
              .format("rate")
              .option("rowsPerSecond", "100")
              .option("numPartitions", Integer.toString(workers))
              .load()
              .writeStream()
              .queryName("steady")
              .format("noop")
              .trigger(Trigger.ProcessingTime("500 milliseconds"))
              .start();
      spark = s;
    } catch (TimeoutException | RuntimeException e) {
      if (s != null) {
        s.stop();
      }
      k8s.close();
      throw e;
    }
  }

  /** Waits until exactly {@code n} executors are up and none is being removed. */
  void awaitExecutors(int n) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                Recorder.alive.size() == n
                    && Double.valueOf(n).equals(gauge(ui, ns, "activeExecutors"))
                    && Double.valueOf(0).equals(gauge(ui, ns, "decommissioningExecutors")));
  }

  /** Waits until a few more tasks have succeeded. */
  void awaitTasksProgress() {
    int before = Recorder.tasksOk.get();
    await().atMost(Duration.ofSeconds(60)).until(() -> Recorder.tasksOk.get() > before + 3);
  }

  Double gaugeValue(String name) throws IOException, InterruptedException {
    return gauge(ui, ns, name);
  }

  @Override
  public void close() throws TimeoutException {
    try {
      query.stop();
    } finally {
      try {
        spark.stop();
      } finally {
        k8s.close();
      }
    }
  }
}
