package io.stoker.app.keda;

import java.util.Optional;

/**
 * The port the external scaler reads: the controller's in-memory last decision per autoscaler. A
 * lookup must be cheap, must not block and must not call anything remote: it runs on every RPC, on
 * the gRPC server's network threads.
 */
@FunctionalInterface
public interface DesiredState {
  /** The last decision of the ExecutorAutoscaler {@code namespace/name}, empty if unknown. */
  Optional<Desired> desired(String namespace, String name);
}
