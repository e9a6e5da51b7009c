package io.stoker.app.signals;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The controller's one port to signal sources (the Flink autoscaler's {@code MetricsCollector}
 * role). Sources are read in parallel; the future completes within the deadline and never fails: a
 * source that fails or is late appears in {@link Signals#errors()}.
 */
public interface SignalCollector extends AutoCloseable {

  CompletableFuture<Signals> collect(SignalRequest request, Duration deadline);

  /** Drops what is held for {@code key} (rate memory, adapters), e.g. when it is deleted. */
  void forget(String key);

  @Override
  void close();
}
