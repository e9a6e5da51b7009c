package io.stoker.app.keda;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A {@link SignalCache.Loader} for tests: counts upstream calls, answers from a function or holds
 * every call until the test completes it, and records forgotten keys.
 */
final class TestingLoader<K, V> implements SignalCache.Loader<K, V> {
  private final AtomicInteger calls = new AtomicInteger();
  private final List<CompletableFuture<V>> held = new CopyOnWriteArrayList<>();
  private final List<K> forgotten = new CopyOnWriteArrayList<>();
  private final Map<K, Integer> perKey = new ConcurrentHashMap<>();
  private volatile Function<K, V> answer;
  private volatile boolean hold;

  /** Answers every load at once with {@code answer}. */
  TestingLoader<K, V> answering(Function<K, V> answer) {
    this.answer = answer;
    this.hold = false;
    return this;
  }

  /** Holds every load until {@link #completeAll(Object)} or {@link #failAll(Throwable)}. */
  TestingLoader<K, V> holding() {
    this.hold = true;
    return this;
  }

  @Override
  public CompletableFuture<V> load(K key, Duration timeout) {
    calls.incrementAndGet();
    perKey.merge(key, 1, Integer::sum);
    if (hold) {
      CompletableFuture<V> f = new CompletableFuture<>();
      held.add(f);
      return f;
    }
    return CompletableFuture.completedFuture(answer.apply(key));
  }

  @Override
  public void forget(K key) {
    forgotten.add(key);
  }

  int calls() {
    return calls.get();
  }

  int calls(K key) {
    return perKey.getOrDefault(key, 0);
  }

  int heldCount() {
    return held.size();
  }

  List<K> forgotten() {
    return List.copyOf(forgotten);
  }

  void completeAll(V value) {
    held.forEach(f -> f.complete(value));
  }

  void failAll(Throwable error) {
    held.forEach(f -> f.completeExceptionally(error));
  }
}
