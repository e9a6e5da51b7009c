package io.stoker.app.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.stoker.app.controller.ports.ScalingRealizer;
import java.util.List;
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
 *       patch, {@code stoker.io/preferred-executors}: the executors the caller chose to remove
 *       first (the reconcile's {@code ScaleInChoice}); with none, that annotation is removed;
 *   <li>scale targets: the {@code /scale} subresource.
 * </ul>
 */
public final class Realizer implements ScalingRealizer {
  private final KubernetesClient client;
  private final WriteGuard guard;
  private final Executor blocking;

  public Realizer(KubernetesClient client, WriteGuard guard, Executor blocking) {
    this.client = client;
    this.guard = guard;
    this.blocking = blocking;
  }

  /** Completes with true when a write was made, false when the target was already in place. */
  @Override
  public CompletableFuture<Boolean> realize(
      String key, ResolvedTarget target, int executors, List<String> preferred) {
    if (target.requested().isPresent() && target.requested().getAsInt() == executors) {
      return CompletableFuture.completedFuture(false);
    }
    if (target.driverPod().isPresent()) {
      String pod = target.driverPod().get();
      return CompletableFuture.supplyAsync(
          () ->
              guard.write(
                  key,
                  "annotation",
                  () -> annotate(target.namespace(), pod, executors, String.join(",", preferred))),
          blocking);
    }
    ResolvedTarget.ScaleRef ref = target.scaleRef().orElseThrow();
    return CompletableFuture.supplyAsync(
        () -> guard.write(key, "scale", () -> scale(target.namespace(), ref, executors)), blocking);
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
