package io.stoker.app.k8s.capacity;

import io.stoker.app.k8s.ResolvedTarget;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.spec.ParsedSpec;
import java.util.Objects;

/**
 * One autoscaler's capacity work at one tick.
 *
 * @param key {@code namespace/name}
 * @param owner the autoscaler as cached (owner of the placeholders and requests)
 * @param spec its validated spec
 * @param target the resolved target
 * @param desiredExecutors the decided target
 */
public record CapacityRequest(
    String key,
    ExecutorAutoscaler owner,
    ParsedSpec spec,
    ResolvedTarget target,
    int desiredExecutors) {
  public CapacityRequest {
    Objects.requireNonNull(key);
    Objects.requireNonNull(owner);
    Objects.requireNonNull(spec);
    Objects.requireNonNull(target);
  }
}
