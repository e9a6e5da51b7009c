package io.stoker.app.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stoker.app.controller.ports.StatusStore;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes an autoscaler's status through the status subresource with optimistic concurrency: the PUT
 * carries the resourceVersion it was computed from, and a 409 (someone changed the object) re-reads
 * the latest version and retries (through {@link WriteGuard}). Nothing is written when the status
 * is unchanged.
 */
public final class StatusWriter implements StatusStore {
  private final KubernetesClient client;
  private final WriteGuard guard;
  private final Executor blocking;

  public StatusWriter(KubernetesClient client, WriteGuard guard, Executor blocking) {
    this.client = client;
    this.guard = guard;
    this.blocking = blocking;
  }

  /** Completes with true when a write was made. */
  @Override
  public CompletableFuture<Boolean> update(
      ExecutorAutoscaler cached, ExecutorAutoscalerStatus status) {
    if (Objects.equals(cached.getStatus(), status)) {
      return CompletableFuture.completedFuture(false);
    }
    String key = cached.getMetadata().getNamespace() + "/" + cached.getMetadata().getName();
    AtomicBoolean first = new AtomicBoolean(true);
    return CompletableFuture.supplyAsync(
        () -> guard.write(key, "status", () -> put(cached, status, first.getAndSet(false))),
        blocking);
  }

  private boolean put(ExecutorAutoscaler cached, ExecutorAutoscalerStatus status, boolean first) {
    var resource =
        client
            .resources(ExecutorAutoscaler.class)
            .inNamespace(cached.getMetadata().getNamespace())
            .withName(cached.getMetadata().getName());
    ExecutorAutoscaler base = first ? cached : resource.get();
    if (base == null) {
      return false; // deleted meanwhile
    }
    ExecutorAutoscaler copy = new ExecutorAutoscaler();
    copy.setMetadata(base.getMetadata());
    copy.setSpec(base.getSpec());
    copy.setStatus(status);
    client.resources(ExecutorAutoscaler.class).resource(copy).updateStatus();
    return true;
  }
}
