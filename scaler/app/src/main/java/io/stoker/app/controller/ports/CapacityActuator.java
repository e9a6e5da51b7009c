package io.stoker.app.controller.ports;

import io.stoker.app.capacity.CapacityPlan;
import io.stoker.app.capacity.CapacityReport;
import io.stoker.app.capacity.CapacityRequest;
import io.stoker.app.capacity.ExecutorPlacement;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Carries out an autoscaler's capacity features ({@code spec.capacity}): placeholder pods, a
 * ProvisioningRequest, eviction annotations, node-group hints. What to ask for is not decided here:
 * the caller's {@code plan} is asked once the executors' placement is known.
 */
public interface CapacityActuator {

  /**
   * Reads where the executors of {@code request} are, asks {@code plan} what to ask for, and asks
   * for it. Never completes exceptionally: a feature's problem becomes its condition.
   */
  CompletableFuture<CapacityReport> reconcile(
      CapacityRequest request, Function<ExecutorPlacement, CapacityPlan> plan);

  /** Releases what is held for a deleted autoscaler. */
  void forget(String key);
}
