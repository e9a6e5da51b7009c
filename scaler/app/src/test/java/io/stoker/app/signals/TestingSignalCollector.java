package io.stoker.app.signals;

import io.stoker.adapters.spi.Reading;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * In-memory {@link SignalCollector}: a test sets what each autoscaler's signals say; readings are
 * stamped with the test clock. An autoscaler with nothing set gets a "kafka" error (missing).
 */
public final class TestingSignalCollector implements SignalCollector {
  private final Clock clock;
  private final Map<String, UnaryOperator<Reading>> values = new ConcurrentHashMap<>();
  private final Map<String, String> failures = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> alsoFailing = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<String, SignalRequest> lastRequest = new ConcurrentHashMap<>();

  public TestingSignalCollector(Clock clock) {
    this.clock = clock;
  }

  /** Kafka-like signal of {@code key}: lag, arrival and processing rates, partitions. */
  public TestingSignalCollector kafka(
      String key, long lag, double arrival, double processing, int partitions) {
    failures.remove(key);
    values.put(
        key,
        r ->
            r.withBacklog(lag)
                .withArrivalRate(arrival)
                .withProcessingRate(processing)
                .withPartitions(partitions));
    return this;
  }

  /** Like {@link #kafka}, with the executors' busy fraction (the Spark driver's reading). */
  public TestingSignalCollector kafkaBusy(
      String key, long lag, double arrival, double processing, int partitions, double busy) {
    failures.remove(key);
    values.put(
        key,
        r ->
            r.withBacklog(lag)
                .withArrivalRate(arrival)
                .withProcessingRate(processing)
                .withPartitions(partitions)
                .withBusyFraction(busy));
    return this;
  }

  /** The signal of {@code key} fails with {@code message}. */
  public TestingSignalCollector fail(String key, String message) {
    values.remove(key);
    failures.put(key, message);
    return this;
  }

  /**
   * Beside the readings of {@code key}, its signal {@code signal} fails with {@code message} (one
   * source of a multi-signal autoscaler is down while the others answer).
   */
  public TestingSignalCollector alsoFailing(String key, String signal, String message) {
    alsoFailing.computeIfAbsent(key, k -> new ConcurrentHashMap<>()).put(signal, message);
    return this;
  }

  public int calls(String key) {
    AtomicInteger n = calls.get(key);
    return n == null ? 0 : n.get();
  }

  public SignalRequest lastRequest(String key) {
    return lastRequest.get(key);
  }

  @Override
  public CompletableFuture<Signals> collect(SignalRequest request, Duration deadline) {
    calls.computeIfAbsent(request.key(), k -> new AtomicInteger()).incrementAndGet();
    lastRequest.put(request.key(), request);
    UnaryOperator<Reading> v = values.get(request.key());
    if (v == null) {
      String why = failures.getOrDefault(request.key(), "no value set");
      return CompletableFuture.completedFuture(new Signals(List.of(), Map.of("kafka", why)));
    }
    Reading r = v.apply(Reading.empty("kafka", clock.instant()));
    return CompletableFuture.completedFuture(
        new Signals(List.of(r), alsoFailing.getOrDefault(request.key(), Map.of())));
  }

  @Override
  public void forget(String key) {
    values.remove(key);
    alsoFailing.remove(key);
  }

  @Override
  public void close() {}
}
