package io.stoker.app.controller.ports;

import io.stoker.app.k8s.model.ExecutorAutoscaler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * In-memory {@link EventSink}: records each Event; a record passes the {@link TestingLeadership}
 * gate as kind {@code event}. {@link #failNext} makes records fail as an API server error would.
 */
public final class TestingEventSink implements EventSink {
  /** One Event. */
  public record Event(String key, Type type, String reason, String message) {}

  private final TestingLeadership leadership;
  private final List<Event> events = new ArrayList<>();
  private int failures;

  TestingEventSink(TestingLeadership leadership) {
    this.leadership = leadership;
  }

  /** The next {@code n} records fail. */
  public synchronized void failNext(int n) {
    failures = n;
  }

  /** Events recorded on {@code key}, in order. */
  public synchronized List<Event> on(String key) {
    return events.stream().filter(e -> e.key().equals(key)).toList();
  }

  @Override
  public synchronized CompletableFuture<Void> record(
      ExecutorAutoscaler on, Type type, String reason, String message) {
    String key = on.getMetadata().getNamespace() + "/" + on.getMetadata().getName();
    try {
      leadership.check(key, "event");
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (failures > 0) {
      failures--;
      return CompletableFuture.failedFuture(new IllegalStateException("500 Internal Server Error"));
    }
    events.add(new Event(key, type, reason, message));
    return CompletableFuture.completedFuture(null);
  }
}
