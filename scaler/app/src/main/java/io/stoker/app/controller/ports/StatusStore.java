package io.stoker.app.controller.ports;

import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import java.util.concurrent.CompletableFuture;

/** Writes an autoscaler's status (what users read with {@code kubectl get}). */
public interface StatusStore {

  /**
   * Writes {@code status} on the autoscaler {@code cached}; completes with true when a write was
   * made, false when there was nothing to write, or exceptionally ({@link
   * io.stoker.app.k8s.WriteRefused} when the write was not attempted).
   */
  CompletableFuture<Boolean> update(ExecutorAutoscaler cached, ExecutorAutoscalerStatus status);
}
