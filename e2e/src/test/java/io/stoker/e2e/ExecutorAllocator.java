package io.stoker.e2e;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Kubernetes side of a Spark driver without Spark, for tests whose executors must go through a
 * real scheduler and node autoscaler: every {@link #STEP_MILLIS} it follows the driver pod's {@code
 * stoker.io/target-executors} annotation as Spark's executor pod allocator does — it creates
 * executor pods (Spark's labels and requests, owned by the driver pod, new ids only) while fewer
 * live ones exist than the target, also to replace executors evicted from a node, and deletes the
 * idle ones with the highest ids while more exist. The pods carry {@link KwokNodes#RUN_BY_KWOK}, so
 * kwok starts them once they are bound to a node. It also serves the driver's {@code
 * /metrics/executors/prometheus} on a loopback port ({@link #port()}): the executors named {@link
 * #busy} run a task, the others are idle, which is what Stoker's shuffle protection reads.
 */
final class ExecutorAllocator implements AutoCloseable {
  static final long STEP_MILLIS = 200;

  private final KubernetesClient admin;
  private final SparkPods pods;
  private final String namespace;
  private final Map<String, String> nodeSelector;
  private final Pod driver;
  private final HttpServer metrics;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final AtomicInteger lastId = new AtomicInteger();
  private final Set<String> busy = ConcurrentHashMap.newKeySet();
  private volatile boolean allBusy = true;
  private final AtomicReference<String> error = new AtomicReference<>();

  /**
   * Starts following the annotation of {@code driver} (a pod made by {@code pods}).
   *
   * @param nodeSelector the executors' node selector ({@code spark.kubernetes.node.selector.*})
   */
  ExecutorAllocator(
      KubernetesClient admin,
      SparkPods pods,
      String namespace,
      Pod driver,
      Map<String, String> nodeSelector)
      throws IOException {
    this.admin = admin;
    this.pods = pods;
    this.namespace = namespace;
    this.driver = driver;
    this.nodeSelector = Map.copyOf(nodeSelector);
    metrics = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    metrics.createContext(
        "/",
        ex -> {
          byte[] body;
          int code;
          if (ex.getRequestURI().getPath().equals("/metrics/executors/prometheus")) {
            body = executorMetrics().getBytes(StandardCharsets.UTF_8);
            code = 200;
          } else {
            body = new byte[0];
            code = 404;
          }
          ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    metrics.start();
    timer.scheduleWithFixedDelay(this::step, 0, STEP_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** The port of the driver's metrics (the autoscaler's {@code signals.spark.port}). */
  int port() {
    return metrics.getAddress().getPort();
  }

  /** From now on exactly these executor ids run tasks (until then, every executor does). */
  void busy(Set<String> ids) {
    busy.clear();
    busy.addAll(ids);
    allBusy = false;
  }

  private boolean busy(String id) {
    return allBusy || busy.contains(id);
  }

  /** The last failure of a step (the next step retries), or null. */
  String lastError() {
    return error.get();
  }

  /** The live (not deleting) executor pods, by id. */
  List<Pod> live() {
    return admin
        .pods()
        .inNamespace(namespace)
        .withLabel("spark-role", "executor")
        .withLabel("spark-app-selector", pods.appId())
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  private void step() {
    try {
      String annotation = pods.targetAnnotation();
      int target = annotation == null ? 1 : Integer.parseInt(annotation);
      List<Pod> live = new ArrayList<>(live());
      for (int i = live.size(); i < target; i++) {
        create(String.valueOf(lastId.incrementAndGet()));
      }
      if (live.size() > target) {
        live.sort(
            Comparator.comparing((Pod p) -> busy(id(p)))
                .thenComparing(p -> -Integer.parseInt(id(p))));
        for (Pod p : live.subList(0, live.size() - target)) {
          admin.pods().inNamespace(namespace).withName(p.getMetadata().getName()).delete();
        }
      }
    } catch (RuntimeException e) {
      error.set(e.toString()); // the next step retries
    }
  }

  private void create(String id) {
    Pod p = pods.executorPod(id);
    p.getMetadata()
        .getLabels()
        .put(KwokNodes.RUN_BY_KWOK.getKey(), KwokNodes.RUN_BY_KWOK.getValue());
    p.getMetadata()
        .setOwnerReferences(
            List.of(
                new OwnerReferenceBuilder()
                    .withApiVersion("v1")
                    .withKind("Pod")
                    .withName(driver.getMetadata().getName())
                    .withUid(driver.getMetadata().getUid())
                    .withController(true)
                    .build()));
    p.getSpec().setNodeSelector(nodeSelector);
    admin.pods().inNamespace(namespace).resource(p).create();
  }

  private static String id(Pod p) {
    return p.getMetadata().getLabels().get("spark-exec-id");
  }

  private String executorMetrics() {
    StringBuilder b = new StringBuilder();
    for (Pod p : live()) {
      String id = id(p);
      String labels = "{application_id=\"" + pods.appId() + "\",executor_id=\"" + id + "\"}";
      b.append("metrics_executor_activeTasks")
          .append(labels)
          .append(' ')
          .append(busy(id) ? 1 : 0)
          .append('\n');
      b.append("metrics_executor_totalCores").append(labels).append(" 1\n");
      b.append("metrics_executor_maxTasks").append(labels).append(" 1\n");
    }
    return b.toString();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    metrics.stop(0);
  }
}
