package io.stoker.app.controller.ports;

import io.stoker.app.k8s.ResolvedTarget;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Applies an executor target to the object an autoscaler acts on (the driver pod's annotation or a
 * {@code /scale} subresource). Called every tick with the decided target; it writes only when the
 * object disagrees, so an unchanged target costs no write.
 */
public interface ScalingRealizer {

  /**
   * Completes with true when a write was made, false when the target was already in place, or
   * exceptionally ({@link io.stoker.app.k8s.WriteRefused} when the write was not attempted).
   *
   * @param preferred for a driver target, the executor ids to remove first when the target goes
   *     down (written with it; empty: let the plugin choose); ignored for scale targets
   */
  CompletableFuture<Boolean> realize(
      String key, ResolvedTarget target, int executors, List<String> preferred);
}
