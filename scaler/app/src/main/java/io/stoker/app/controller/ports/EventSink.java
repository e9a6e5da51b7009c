package io.stoker.app.controller.ports;

import io.stoker.app.k8s.model.ExecutorAutoscaler;
import java.util.concurrent.CompletableFuture;

/** Records Events on an autoscaler ({@code kubectl describe} shows them). */
public interface EventSink {

  /** Event types. */
  enum Type {
    Normal,
    Warning
  }

  /** Completes when recorded, or exceptionally when not. */
  CompletableFuture<Void> record(ExecutorAutoscaler on, Type type, String reason, String message);
}
