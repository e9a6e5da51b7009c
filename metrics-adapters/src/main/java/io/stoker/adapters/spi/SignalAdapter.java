package io.stoker.adapters.spi;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One source of scaling signals. An adapter is created from its config record by its {@link
 * AdapterFactory}, is collected once per tick, and is closed when its autoscaler goes away.
 *
 * <p>Contract: {@link #collect(Duration)} never blocks the caller and its future always completes
 * within the given timeout (plus scheduling noise), either with an immutable {@link Sample} or
 * exceptionally with an {@link AdapterException}. A sample is never partial or guessed.
 *
 * @param <T> the immutable value type of the samples
 */
public interface SignalAdapter<T> extends AutoCloseable {

  /** The adapter type as used in the registry (for example {@code kafka}). */
  String type();

  /** Starts one collection; the future completes within {@code timeout}. */
  CompletableFuture<Sample<T>> collect(Duration timeout);

  /** What a sample of this adapter says in the common terms the decision reads. */
  Reading toReading(Sample<T> sample);

  /** {@link #collect} as a {@link Reading}: what the controller asks of every adapter. */
  default CompletableFuture<Reading> read(Duration timeout) {
    return collect(timeout).thenApply(this::toReading);
  }

  /** Releases what this adapter alone holds (shared clients stay with the context). */
  @Override
  void close();
}
