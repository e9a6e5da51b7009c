package io.stoker.app.controller.ports;

import io.stoker.app.capacity.CapacityPlan;
import io.stoker.app.capacity.CapacityReport;
import io.stoker.app.capacity.CapacityRequest;
import io.stoker.app.capacity.ExecutorPlacement;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * In-memory {@link CapacityActuator}: the executors of each autoscaler are placed as the test says
 * ({@link #placement}; none by default); it records the plan asked for and reports it as carried
 * out (as many placeholder pods as planned).
 */
public final class TestingCapacityActuator implements CapacityActuator {
  private final Map<String, ExecutorPlacement> placements = new ConcurrentHashMap<>();
  private final Map<String, CapacityPlan> plans = new ConcurrentHashMap<>();
  private final List<String> forgotten = new CopyOnWriteArrayList<>();

  public void placement(String key, ExecutorPlacement placement) {
    placements.put(key, placement);
  }

  /** The last plan of {@code key}, or null. */
  public CapacityPlan plan(String key) {
    return plans.get(key);
  }

  public List<String> forgotten() {
    return List.copyOf(forgotten);
  }

  @Override
  public CompletableFuture<CapacityReport> reconcile(
      CapacityRequest request, Function<ExecutorPlacement, CapacityPlan> plan) {
    ExecutorPlacement seen = placements.getOrDefault(request.key(), new ExecutorPlacement(0, 0, 0));
    CapacityPlan p = plan.apply(seen);
    plans.put(request.key(), p);
    return CompletableFuture.completedFuture(
        new CapacityReport(
            p.placeholders().map(x -> OptionalInt.of(x.pods())).orElse(OptionalInt.empty()),
            seen.unplaced(),
            Map.of(),
            List.of(),
            OptionalInt.empty()));
  }

  @Override
  public void forget(String key) {
    plans.remove(key);
    forgotten.add(key);
  }
}
