package io.stoker.app.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.stoker.app.controller.ports.ScalingRealizer;
import io.stoker.core.policy.ScaleInOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Applies an executor target (the Flink autoscaler's {@code ScalingRealizer} role). Idempotent and
 * called every tick: it writes only when the object disagrees with the target, so drift is
 * corrected within a tick and an unchanged target costs no write.
 *
 * <ul>
 *   <li>driver targets: JSON merge patch of {@code stoker.io/target-executors} on the driver pod
 *       (read by the driver plugin); with a target below the running executor pods, in the same
 *       patch, {@code stoker.io/preferred-executors}: the executors whose removal empties nodes
 *       first ({@link ScaleInOrder}, from the executor pods' nodes in the informer cache);
 *       otherwise that annotation is removed;
 *   <li>scale targets: the {@code /scale} subresource.
 * </ul>
 */
public final class Realizer implements ScalingRealizer {
  private final KubernetesClient client;
  private final WriteGuard guard;
  private final Executor blocking;
  private final ClusterView view;

  /** Most executor ids written into the preferred-executors annotation (the plugin's bound). */
  static final int MAX_PREFERRED = 256;

  public Realizer(KubernetesClient client, WriteGuard guard, Executor blocking, ClusterView view) {
    this.client = client;
    this.guard = guard;
    this.blocking = blocking;
    this.view = view;
  }

  /** Completes with true when a write was made, false when the target was already in place. */
  @Override
  public CompletableFuture<Boolean> realize(String key, ResolvedTarget target, int executors) {
    if (target.requested().isPresent() && target.requested().getAsInt() == executors) {
      return CompletableFuture.completedFuture(false);
    }
    if (target.driverPod().isPresent()) {
      String pod = target.driverPod().get();
      return CompletableFuture.supplyAsync(
          () -> {
            String preferred = preferred(target, executors);
            return guard.write(
                key, "annotation", () -> annotate(target.namespace(), pod, executors, preferred));
          },
          blocking);
    }
    ResolvedTarget.ScaleRef ref = target.scaleRef().orElseThrow();
    return CompletableFuture.supplyAsync(
        () -> guard.write(key, "scale", () -> scale(target.namespace(), ref, executors)), blocking);
  }

  /**
   * The executors of the target to remove first, comma-separated: of its running executor pods
   * (scheduled on a node, not terminating, with a numeric {@code spark-exec-id}), the surplus over
   * {@code executors} in {@link ScaleInOrder}'s order, a node's pods counted over the executor pods
   * of every application in the cache. Empty when none is known.
   */
  String preferred(ResolvedTarget target, int executors) {
    if (view == null || target.executorSelector().isEmpty()) {
      return "";
    }
    List<ScaleInOrder.Executor> running = new ArrayList<>();
    Map<String, Integer> podsOnNode = new HashMap<>();
    for (Pod p : view.executorsMatching(target.namespace(), target.executorSelector())) {
      String id = ClusterView.label(p, SparkLabels.EXECUTOR_ID);
      String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
      if (p.getMetadata().getDeletionTimestamp() != null
          || p.getStatus() == null
          || !"Running".equals(p.getStatus().getPhase())
          || node == null
          || node.isEmpty()
          || id == null
          || !id.matches("[0-9]{1,10}")) {
        continue;
      }
      running.add(new ScaleInOrder.Executor(id, node));
      podsOnNode.computeIfAbsent(
          node,
          n ->
              (int)
                  view.executorPodsOnNode(n).stream()
                      .filter(q -> q.getMetadata().getDeletionTimestamp() == null)
                      .count());
    }
    int surplus = Math.min(running.size() - executors, MAX_PREFERRED);
    if (surplus <= 0) {
      return "";
    }
    return String.join(",", ScaleInOrder.choose(running, podsOnNode, surplus));
  }

  private boolean annotate(String namespace, String pod, int executors, String preferred) {
    String patch =
        "{\"metadata\":{\"annotations\":{\""
            + SparkLabels.TARGET_ANNOTATION
            + "\":\""
            + executors
            + "\",\""
            + SparkLabels.PREFERRED_ANNOTATION
            + "\":"
            + (preferred.isEmpty() ? "null" : "\"" + preferred + "\"")
            + "}}}";
    client
        .pods()
        .inNamespace(namespace)
        .withName(pod)
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    return true;
  }

  private boolean scale(String namespace, ResolvedTarget.ScaleRef ref, int executors) {
    client
        .genericKubernetesResources(ref.apiVersion(), ref.kind())
        .inNamespace(namespace)
        .withName(ref.name())
        .scale(executors);
    return true;
  }
}
