package io.stoker.app.capacity;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What the capacity step did and saw, for the status and the metrics.
 *
 * @param placeholderPods live placeholder pods (empty when the feature is off)
 * @param pendingExecutors executor pods not yet placed on a node
 * @param nodeHints new nodes needed per node group to place them (empty when none are pending)
 * @param conditions conditions of the features that are on
 * @param protectedExecutors executors annotated safe-to-evict "false" (empty when the feature is
 *     off)
 */
public record CapacityReport(
    OptionalInt placeholderPods,
    int pendingExecutors,
    Map<String, Integer> nodeHints,
    List<CapacityCondition> conditions,
    OptionalInt protectedExecutors) {

  public static final CapacityReport NONE =
      new CapacityReport(OptionalInt.empty(), 0, Map.of(), List.of(), OptionalInt.empty());

  public CapacityReport {
    nodeHints = Map.copyOf(nodeHints);
    conditions = List.copyOf(conditions);
  }
}
