package io.stoker.app.controller.ports;

import io.stoker.app.k8s.model.ExecutorAutoscaler;
import java.util.Optional;

/** The autoscalers as last seen (an informer cache): read every tick, never from the API server. */
public interface AutoscalerCache {
  /** The autoscaler {@code key} ({@code namespace/name}), or empty once it is deleted. */
  Optional<ExecutorAutoscaler> autoscaler(String key);
}
