package io.stoker.app.capacity;

import io.stoker.app.k8s.ResolvedTarget;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.spec.ParsedSpec;
import io.stoker.core.model.Decision;
import java.util.Objects;

/**
 * One autoscaler's capacity work at one tick.
 *
 * @param key {@code namespace/name}
 * @param owner the autoscaler as cached (owner of the placeholders and requests)
 * @param spec its validated spec
 * @param target the resolved target
 * @param decision this tick's decision (target and forecast)
 */
public record CapacityRequest(
    String key,
    ExecutorAutoscaler owner,
    ParsedSpec spec,
    ResolvedTarget target,
    Decision decision) {
  public CapacityRequest {
    Objects.requireNonNull(key);
    Objects.requireNonNull(owner);
    Objects.requireNonNull(spec);
    Objects.requireNonNull(target);
    Objects.requireNonNull(decision);
  }
}
