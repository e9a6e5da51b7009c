package io.stoker.app.grpc;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** An in-memory {@link DesiredState} for tests; lookups can be held back to exercise deadlines. */
final class TestingDesiredState implements DesiredState {
  private final Map<String, Desired> decisions = new ConcurrentHashMap<>();
  private final AtomicReference<CountDownLatch> gate = new AtomicReference<>();

  TestingDesiredState put(String namespace, String name, int executors) {
    return put(namespace, name, new Desired(executors, OptionalLong.empty(), 0));
  }

  TestingDesiredState put(String namespace, String name, Desired d) {
    decisions.put(namespace + "/" + name, d);
    return this;
  }

  void remove(String namespace, String name) {
    decisions.remove(namespace + "/" + name);
  }

  /** Holds every lookup until {@link #release()}. */
  void hold() {
    gate.set(new CountDownLatch(1));
  }

  void release() {
    CountDownLatch g = gate.getAndSet(null);
    if (g != null) {
      g.countDown();
    }
  }

  @Override
  public Optional<Desired> desired(String namespace, String name) {
    CountDownLatch g = gate.get();
    if (g != null) {
      try {
        if (!g.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("lookup held for 30 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return Optional.ofNullable(decisions.get(namespace + "/" + name));
  }
}
