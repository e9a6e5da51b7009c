package io.stoker.app.controller.ports;

import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * In-memory {@link AutoscalerCache}: the autoscalers a test created. A status written through
 * {@link TestingStatusStore} shows here at once (an informer that has caught up).
 */
public final class TestingAutoscalerCache implements AutoscalerCache {
  private final Map<String, ExecutorAutoscaler> autoscalers = new TreeMap<>();

  /** Creates (or replaces the spec of) the autoscaler {@code namespace/name}. */
  public synchronized ExecutorAutoscaler put(
      String namespace, String name, ExecutorAutoscalerSpec spec) {
    ExecutorAutoscaler eas = new ExecutorAutoscaler();
    eas.getMetadata().setNamespace(namespace);
    eas.getMetadata().setName(name);
    eas.getMetadata().setGeneration(1L);
    ExecutorAutoscaler old = autoscalers.get(namespace + "/" + name);
    if (old != null) {
      eas.getMetadata().setGeneration(old.getMetadata().getGeneration() + 1);
      eas.setStatus(old.getStatus());
    }
    eas.setSpec(spec);
    autoscalers.put(namespace + "/" + name, eas);
    return eas;
  }

  /** Deletes the autoscaler {@code key}. */
  public synchronized void delete(String key) {
    autoscalers.remove(key);
  }

  /** Keys of the autoscalers, sorted. */
  public synchronized List<String> keys() {
    return List.copyOf(autoscalers.keySet());
  }

  /** The status the cache shows for {@code key}, or null. */
  public synchronized ExecutorAutoscalerStatus status(String key) {
    ExecutorAutoscaler eas = autoscalers.get(key);
    return eas == null ? null : eas.getStatus();
  }

  /** A copy of the cached object with {@code status} (what the watch would deliver). */
  synchronized void statusWritten(String key, ExecutorAutoscalerStatus status) {
    ExecutorAutoscaler old = autoscalers.get(key);
    if (old == null) {
      return;
    }
    ExecutorAutoscaler eas = new ExecutorAutoscaler();
    eas.setMetadata(old.getMetadata());
    eas.setSpec(old.getSpec());
    eas.setStatus(status);
    autoscalers.put(key, eas);
  }

  @Override
  public synchronized Optional<ExecutorAutoscaler> autoscaler(String key) {
    return Optional.ofNullable(autoscalers.get(key));
  }
}
