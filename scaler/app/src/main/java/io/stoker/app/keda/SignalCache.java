package io.stoker.app.keda;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers per key from memory, refreshed in the background: the first request of a key loads it;
 * from then on a background sweep reloads every key requested within {@code idleExpiry}, every
 * {@code refresh}, and drops the others. Requests are answered from the last outcome (a value or
 * the error of the last load) while it is younger than {@code refresh + deadline}; otherwise they
 * wait for a load, at most {@code deadline}.
 *
 * <p>Single flight: at most one load per key runs at a time, and every request that needs a load
 * while one runs shares it. A load that does not finish within {@code deadline} fails with a {@link
 * java.util.concurrent.TimeoutException} (its late result is still kept when it arrives).
 *
 * <p>A load starts on the load executor, never on the requesting thread: the gRPC server answers on
 * its network threads, and a loader's set-up (a new Kafka Admin client resolves its bootstrap
 * servers) must not hold them.
 *
 * @param <K> the key (equal keys share one value)
 * @param <V> the value
 */
final class SignalCache<K, V> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SignalCache.class);

  /** The upstream of the cache. */
  interface Loader<K, V> {
    /**
     * Loads the value of {@code key}. Called at most once at a time per key, never for a key after
     * its {@link #forget} unless it is requested again; the future should complete within {@code
     * timeout}.
     */
    CompletableFuture<V> load(K key, Duration timeout);

    /**
     * The key expired: release what was kept for it. A load of the key queued before it expired
     * does not start after this: what it would set up again would never be released.
     */
    default void forget(K key) {}
  }

  /**
   * Timing of the cache.
   *
   * @param refresh how often a requested key is reloaded in the background
   * @param deadline how long a request waits for a load, and how long a load may take
   * @param idleExpiry a key not requested for this long is dropped
   */
  record Timing(Duration refresh, Duration deadline, Duration idleExpiry) {
    Timing {
      for (Duration d : new Duration[] {refresh, deadline, idleExpiry}) {
        if (d.isZero() || d.isNegative()) {
          throw new IllegalArgumentException("cache durations must be > 0, got " + d);
        }
      }
    }
  }

  /** The last load of a key: a value or an error, and when it finished. */
  private record Outcome<V>(V value, Throwable error, long at) {}

  private final class Entry {
    private final K key;
    private final AtomicReference<CompletableFuture<V>> inFlight = new AtomicReference<>();
    private final AtomicLong started = new AtomicLong();
    private volatile Outcome<V> last;
    private volatile long lastRequest;
    private boolean retired; // guarded by this: dropped from the cache, its loader forgotten

    /** Marks the entry dropped: a load queued for it does not call the loader any more. */
    synchronized void retire() {
      retired = true;
    }

    /** The loader's call, unless the entry was dropped while the load waited for its executor. */
    private synchronized CompletableFuture<V> loadHeld() {
      if (retired) {
        throw new CancellationException(key + " expired");
      }
      return Objects.requireNonNull(loader.load(key, timing.deadline()), "load returned null");
    }

    Entry(K key) {
      this.key = key;
    }

    /** The running load, or a new one (single flight). */
    CompletableFuture<V> load() {
      while (true) {
        CompletableFuture<V> running = inFlight.get();
        if (running != null) {
          return running;
        }
        CompletableFuture<V> mine = new CompletableFuture<>();
        if (inFlight.compareAndSet(null, mine)) {
          loads.incrementAndGet();
          started.incrementAndGet();
          start(mine);
          return mine;
        }
      }
    }

    private void start(CompletableFuture<V> mine) {
      CompletableFuture<V> f;
      try {
        f = CompletableFuture.supplyAsync(this::loadHeld, loadExecutor).thenCompose(v -> v);
      } catch (RuntimeException e) { // the executor refused: the server is closing
        f = CompletableFuture.failedFuture(e);
      }
      f.orTimeout(timing.deadline().toNanos(), TimeUnit.NANOSECONDS)
          .whenComplete(
              (v, e) -> {
                last = new Outcome<>(v, e, ticker.getAsLong());
                inFlight.set(null);
                if (e != null && unwrap(e) instanceof LimitExceeded) {
                  entries.remove(key, this); // refused upstream: holds no place here either
                }
                if (e == null) {
                  mine.complete(v);
                } else {
                  mine.completeExceptionally(e);
                }
              });
    }
  }

  private final Loader<K, V> loader;
  private final Executor loadExecutor;
  private final Timing timing;
  private final LongSupplier ticker;
  private final Map<K, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong loads = new AtomicLong();
  private final ScheduledFuture<?> sweeper;
  private final int maxEntries;

  /** A cache whose loads start on the thread that needs them (for tests). */
  SignalCache(
      Loader<K, V> loader, Timing timing, ScheduledExecutorService scheduler, LongSupplier ticker) {
    this(loader, Runnable::run, timing, scheduler, ticker, Integer.MAX_VALUE);
  }

  /**
   * @param loader the upstream
   * @param loadExecutor where loads start
   * @param timing refresh, deadline and idle expiry
   * @param scheduler runs the background sweep (never blocked by it)
   * @param ticker nanosecond time source ({@code System::nanoTime} outside tests)
   * @param maxEntries the most keys held; a request for a new key past it fails with {@link
   *     LimitExceeded} until idle keys expire
   */
  SignalCache(
      Loader<K, V> loader,
      Executor loadExecutor,
      Timing timing,
      ScheduledExecutorService scheduler,
      LongSupplier ticker,
      int maxEntries) {
    this.maxEntries = maxEntries;
    this.loader = loader;
    this.loadExecutor = loadExecutor;
    this.timing = timing;
    this.ticker = ticker;
    long every = timing.refresh().toNanos();
    this.sweeper =
        scheduler == null
            ? null
            : scheduler.scheduleWithFixedDelay(
                this::sweepQuietly, every, every, TimeUnit.NANOSECONDS);
  }

  /**
   * The value of {@code key}: at once from memory when the last outcome is recent (a failed last
   * load fails at once too), else from a (shared) load, failing with a {@code TimeoutException}
   * after the deadline; with {@link LimitExceeded} for a new key when {@code maxEntries} are held.
   */
  CompletableFuture<V> get(K key) {
    Entry e = entries.get(key);
    if (e == null) {
      if (entries.size() >= maxEntries) {
        return CompletableFuture.failedFuture(
            new LimitExceeded(
                "the Kafka mode already holds "
                    + maxEntries
                    + " triggers (--grpc-kafka-max-triggers); a new trigger is refused until"
                    + " unused ones expire ("
                    + timing.idleExpiry().toSeconds()
                    + " s without a request)"));
      }
      e = entries.computeIfAbsent(key, Entry::new);
    }
    long now = ticker.getAsLong();
    e.lastRequest = now;
    Outcome<V> o = e.last;
    if (o != null && now - o.at() <= timing.refresh().plus(timing.deadline()).toNanos()) {
      return o.error() == null
          ? CompletableFuture.completedFuture(o.value())
          : CompletableFuture.failedFuture(o.error());
    }
    return e.load().copy().orTimeout(timing.deadline().toNanos(), TimeUnit.NANOSECONDS);
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** One background pass: drops keys idle for longer than the expiry, reloads the others. */
  void sweep() {
    long now = ticker.getAsLong();
    for (Entry e : entries.values()) {
      if (now - e.lastRequest > timing.idleExpiry().toNanos()) {
        if (entries.remove(e.key, e)) {
          e.retire();
          loader.forget(e.key);
        }
      } else {
        e.load();
      }
    }
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.warn("external scaler cache refresh failed", e);
    }
  }

  /** Loads started so far (each is one upstream call). */
  long loads() {
    return loads.get();
  }

  /**
   * Loads of {@code key} started so far (0 if not held). Loads of a key run one after the other:
   * when the n-th has started, the (n-1)-th has ended and its outcome is what requests get.
   */
  long loads(K key) {
    Entry e = entries.get(key);
    return e == null ? 0 : e.started.get();
  }

  /** The cache's timing. */
  Timing timing() {
    return timing;
  }

  /** Keys held. */
  int size() {
    return entries.size();
  }

  @Override
  public void close() {
    if (sweeper != null) {
      sweeper.cancel(false);
    }
    for (Entry e : entries.values()) {
      e.retire();
      loader.forget(e.key);
    }
    entries.clear();
  }
}
