package io.stoker.app.k8s;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.stoker.app.controller.ports.Leadership;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Every Kubernetes write of the controller goes through here (called on the blocking pool): only
 * the leader writes, and only in the leadership term its reconcile began in ({@link #begin}), so a
 * decision made as a standby, or before a lost and regained leadership, is never written; each
 * attempt takes a permit from the global and the per-autoscaler rate limiter (waiting at most
 * {@code maxWait}); 409, 429 and 5xx answers are retried with exponential backoff. A refused write
 * throws {@link WriteRefused}; the next tick re-applies the desired state.
 */
public final class WriteGuard implements Leadership {

  /**
   * Limits of the guard.
   *
   * @param globalPerSecond writes per second over all autoscalers
   * @param globalBurst writes over all autoscalers let through at once after a quiet spell
   * @param perAutoscalerPerMinute writes per minute of one autoscaler
   * @param maxWait longest wait for a permit before the write is refused
   * @param maxAttempts attempts of one write (first try included)
   * @param initialBackoff wait before the first retry; doubles each retry
   */
  public record Limits(
      int globalPerSecond,
      int globalBurst,
      int perAutoscalerPerMinute,
      Duration maxWait,
      int maxAttempts,
      Duration initialBackoff) {
    public Limits {
      Objects.requireNonNull(maxWait);
      Objects.requireNonNull(initialBackoff);
      if (globalPerSecond < 1 || globalBurst < 1 || perAutoscalerPerMinute < 1 || maxAttempts < 1) {
        throw new IllegalArgumentException("write limits must be >= 1");
      }
    }
  }

  private final LongSupplier term;
  private final Map<String, Long> begun = new ConcurrentHashMap<>();
  private final RateLimiter global;
  private final RateLimiterRegistry perKey;
  private final Limits limits;
  private final RetryConfig retryConfig;
  private final Map<String, AtomicLong> writes = new ConcurrentHashMap<>();

  /** A guard whose replica leads while {@code leader} says so (one term, tests and tools). */
  public WriteGuard(Limits limits, BooleanSupplier leader) {
    this(limits, () -> leader.getAsBoolean() ? 1 : -1);
  }

  /**
   * @param term the current leadership term, or a negative number while this replica does not lead
   *     (fenced: not renewed within the renew deadline)
   */
  public WriteGuard(Limits limits, LongSupplier term) {
    this.limits = limits;
    this.term = term;
    this.global =
        RateLimiter.of(
            "kubernetes-writes",
            RateLimiterConfig.custom()
                // A bucket of `burst` permits refilled every burst/rate seconds: bursts of at most
                // `burst`, `rate` per second over time.
                .limitForPeriod(limits.globalBurst())
                .limitRefreshPeriod(
                    Duration.ofNanos(
                        Math.max(
                            1,
                            Math.round(
                                1e9 * limits.globalBurst() / (double) limits.globalPerSecond()))))
                .timeoutDuration(limits.maxWait())
                .build());
    this.perKey =
        RateLimiterRegistry.of(
            RateLimiterConfig.custom()
                .limitForPeriod(limits.perAutoscalerPerMinute())
                .limitRefreshPeriod(Duration.ofMinutes(1))
                .timeoutDuration(limits.maxWait())
                .build());
    this.retryConfig =
        RetryConfig.custom()
            .maxAttempts(limits.maxAttempts())
            .intervalFunction(
                IntervalFunction.ofExponentialBackoff(limits.initialBackoff().toMillis(), 2.0))
            .retryOnException(WriteGuard::retryable)
            .build();
  }

  /** True for the answers worth retrying: conflict, throttled, server errors. */
  public static boolean retryable(Throwable e) {
    if (e instanceof KubernetesClientException k) {
      int code = k.getCode();
      return code == 409 || code == 429 || code >= 500;
    }
    return false;
  }

  /**
   * Runs one write of {@code kind} for autoscaler {@code key}; blocking.
   *
   * @param op the write; on a retry it runs again, so it must re-read what it needs
   */
  public <T> T write(String key, String kind, Supplier<T> op) {
    Retry retry = Retry.of(kind + ":" + key, retryConfig);
    return retry.executeSupplier(
        () -> {
          checkLeader(key, kind);
          permit(global, kind, "global");
          permit(perKey.rateLimiter(key), kind, "autoscaler " + key);
          checkLeader(key, kind);
          T out = op.get();
          writes.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
          return out;
        });
  }

  /**
   * Marks the start of a reconcile of {@code key}: its writes are let through only in the term
   * current now (none if this replica does not lead now). Reconciles of one key run one at a time.
   */
  @Override
  public void begin(String key) {
    begun.put(key, term.getAsLong());
  }

  /** True when the reconcile of {@code key} began while this replica led: its decisions act. */
  @Override
  public boolean acting(String key) {
    Long began = begun.get(key);
    return began == null ? term.getAsLong() >= 0 : began >= 0;
  }

  private void checkLeader(String key, String kind) {
    long now = term.getAsLong();
    if (now < 0) {
      throw new WriteRefused(WriteRefused.Why.NOT_LEADER, kind + ": not the leader");
    }
    Long began = begun.get(key);
    if (began != null && began != now) {
      throw new WriteRefused(
          WriteRefused.Why.NOT_LEADER,
          kind + ": the leadership changed since this reconcile began; the next one writes");
    }
  }

  private static void permit(RateLimiter limiter, String kind, String which) {
    if (!limiter.acquirePermission()) {
      throw new WriteRefused(
          WriteRefused.Why.RATE_LIMITED, kind + ": " + which + " write rate limit reached");
    }
  }

  /** Drops the per-autoscaler limiter of a deleted autoscaler. */
  @Override
  public void forget(String key) {
    perKey.remove(key);
    begun.remove(key);
  }

  /** Autoscalers that currently hold a per-autoscaler rate limiter. */
  public java.util.Set<String> limitedKeys() {
    java.util.Set<String> out = new java.util.TreeSet<>();
    perKey.getAllRateLimiters().forEach(r -> out.add(r.getName()));
    return out;
  }

  /** Writes done so far, by kind (status, event, annotation, scale). */
  public Map<String, Long> writesByKind() {
    Map<String, Long> out = new java.util.TreeMap<>();
    writes.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  public long writes() {
    return writes.values().stream().mapToLong(AtomicLong::get).sum();
  }

  public Limits limits() {
    return limits;
  }
}
