package io.stoker.app.controller.ports;

import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * In-memory {@link StatusStore}: records each status written (nothing when it equals the cached
 * one, as the port promises); a write passes the {@link TestingLeadership} gate as kind {@code
 * status} and then shows in the {@link TestingAutoscalerCache}. {@link #failNext} makes writes fail
 * as an API server error would.
 */
public final class TestingStatusStore implements StatusStore {
  /** One write. */
  public record Write(String key, ExecutorAutoscalerStatus status) {}

  private final TestingLeadership leadership;
  private final TestingAutoscalerCache cache;
  private final List<Write> writes = new ArrayList<>();
  private int failures;

  TestingStatusStore(TestingLeadership leadership, TestingAutoscalerCache cache) {
    this.leadership = leadership;
    this.cache = cache;
  }

  /** The next {@code n} writes fail. */
  public synchronized void failNext(int n) {
    failures = n;
  }

  public synchronized List<Write> writes() {
    return List.copyOf(writes);
  }

  /** Writes of {@code key}. */
  public synchronized List<ExecutorAutoscalerStatus> writes(String key) {
    return writes.stream().filter(w -> w.key().equals(key)).map(Write::status).toList();
  }

  @Override
  public synchronized CompletableFuture<Boolean> update(
      ExecutorAutoscaler cached, ExecutorAutoscalerStatus status) {
    if (Objects.equals(cached.getStatus(), status)) {
      return CompletableFuture.completedFuture(false);
    }
    String key = cached.getMetadata().getNamespace() + "/" + cached.getMetadata().getName();
    try {
      leadership.check(key, "status");
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (failures > 0) {
      failures--;
      return CompletableFuture.failedFuture(new IllegalStateException("500 Internal Server Error"));
    }
    writes.add(new Write(key, status));
    cache.statusWritten(key, status);
    return CompletableFuture.completedFuture(true);
  }
}
