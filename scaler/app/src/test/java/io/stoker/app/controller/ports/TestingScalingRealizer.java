package io.stoker.app.controller.ports;

import io.stoker.app.k8s.ResolvedTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * In-memory {@link ScalingRealizer}: writes (recorded) only when the target in force differs, as
 * the port promises; a write passes the {@link TestingLeadership} gate as kind {@code annotation}
 * and then shows in the {@link TestingTargetLookup}.
 */
public final class TestingScalingRealizer implements ScalingRealizer {
  /** One write: the autoscaler, the object, the target and the executors to remove first. */
  public record Write(String key, String object, int executors, List<String> preferred) {}

  private final TestingLeadership leadership;
  private final TestingTargetLookup targets;
  private final List<Write> writes = new ArrayList<>();
  private int calls;

  TestingScalingRealizer(TestingLeadership leadership, TestingTargetLookup targets) {
    this.leadership = leadership;
    this.targets = targets;
  }

  public synchronized List<Write> writes() {
    return List.copyOf(writes);
  }

  /** How many times a target was asked to be applied, written or not. */
  public synchronized int calls() {
    return calls;
  }

  @Override
  public synchronized CompletableFuture<Boolean> realize(
      String key, ResolvedTarget target, int executors, List<String> preferred) {
    calls++;
    if (target.requested().isPresent() && target.requested().getAsInt() == executors) {
      return CompletableFuture.completedFuture(false);
    }
    try {
      leadership.check(key, "annotation");
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    writes.add(new Write(key, target.description(), executors, List.copyOf(preferred)));
    targets.written(target, executors);
    return CompletableFuture.completedFuture(true);
  }
}
