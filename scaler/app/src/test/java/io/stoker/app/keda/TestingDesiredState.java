package io.stoker.app.keda;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory {@link DesiredState} for tests. Like the controller's, a lookup never blocks (the
 * server answers on its network threads).
 */
final class TestingDesiredState implements DesiredState {
  private final Map<String, Desired> decisions = new ConcurrentHashMap<>();

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

  @Override
  public Optional<Desired> desired(String namespace, String name) {
    return Optional.ofNullable(decisions.get(namespace + "/" + name));
  }
}
