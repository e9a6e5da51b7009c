package io.stoker.app.controller.ports;

import java.util.Objects;

/**
 * Everything a reconcile reads from and writes to the cluster. {@code io.stoker.app.k8s} builds one
 * on fabric8 ({@code KubernetesRuntime}); the tests build one of in-memory fakes.
 */
public record ClusterPorts(
    AutoscalerCache autoscalers,
    TargetLookup targets,
    SecretSource secrets,
    ScalingRealizer realizer,
    StatusStore status,
    EventSink events,
    CapacityActuator capacity,
    Leadership leadership) {

  public ClusterPorts {
    Objects.requireNonNull(autoscalers);
    Objects.requireNonNull(targets);
    Objects.requireNonNull(secrets);
    Objects.requireNonNull(realizer);
    Objects.requireNonNull(status);
    Objects.requireNonNull(events);
    Objects.requireNonNull(capacity);
    Objects.requireNonNull(leadership);
  }

  /** Releases what is held for a deleted autoscaler (its write rate limiter, capacity state). */
  public void forget(String key) {
    leadership.forget(key);
    capacity.forget(key);
  }
}
