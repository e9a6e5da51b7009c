package io.stoker.app.k8s;

import io.stoker.app.k8s.capacity.CapacityHints;

/**
 * The Kubernetes side of a reconcile: reads (caches, target lookup, secrets) and writes (realise,
 * status, events). Every write goes through one {@code WriteGuard}.
 */
public record KubernetesPorts(
    ClusterView view,
    TargetResolver targets,
    SecretReader secrets,
    Realizer realizer,
    StatusWriter status,
    EventRecorder events,
    CapacityHints capacity,
    WriteGuard guard) {

  /** Releases what is held for a deleted autoscaler (its per-autoscaler write rate limiter). */
  public void forget(String key) {
    guard.forget(key);
    capacity.forget(key);
  }
}
