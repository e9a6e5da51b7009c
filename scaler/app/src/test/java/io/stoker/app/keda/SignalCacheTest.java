package io.stoker.app.keda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-key cache of the Kafka mode, on a fake upstream and a hand-moved clock. */
class SignalCacheTest {
  private static final Duration REFRESH = Duration.ofSeconds(10);
  private static final Duration DEADLINE = Duration.ofMillis(300);
  private static final Duration IDLE = Duration.ofMinutes(10);

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final TestingLoader<String, Long> upstream = new TestingLoader<>();
  private final SignalCache<String, Long> cache =
      new SignalCache<>(
          upstream, new SignalCache.Timing(REFRESH, DEADLINE, IDLE), null, nanos::get);
  private final ExecutorService callers = Executors.newFixedThreadPool(16);

  @AfterEach
  void stop() {
    callers.shutdownNow();
    cache.close();
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void concurrentRequestsForOneKeyShareOneUpstreamCall() {
    SignalCache<String, Long> patient =
        new SignalCache<>(
            upstream,
            new SignalCache.Timing(REFRESH, Duration.ofMinutes(1), IDLE),
            null,
            nanos::get);
    upstream.holding();
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger asked = new AtomicInteger();
    List<CompletableFuture<Long>> answers = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      answers.add(
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      go.await();
                    } catch (InterruptedException e) {
                      throw new IllegalStateException(e);
                    }
                    CompletableFuture<Long> f = patient.get("group-a");
                    asked.incrementAndGet();
                    return f;
                  },
                  callers)
              .thenCompose(f -> f));
    }
    go.countDown();
    await().until(() -> asked.get() == 50);
    // All 50 requests are waiting, on one upstream call.
    assertThat(upstream.heldCount()).isEqualTo(1);
    assertThat(answers).noneMatch(CompletableFuture::isDone);
    upstream.completeAll(42L);

    for (CompletableFuture<Long> a : answers) {
      assertThat(a.join()).isEqualTo(42L);
    }
    assertThat(upstream.calls()).isEqualTo(1);
    assertThat(patient.loads()).isEqualTo(1);
    patient.close();
  }

  @Test
  void differentKeysAreLoadedSeparately() {
    upstream.answering(k -> (long) k.length());

    assertThat(cache.get("a").join()).isEqualTo(1L);
    assertThat(cache.get("bbb").join()).isEqualTo(3L);
    assertThat(upstream.calls()).isEqualTo(2);
  }

  @Test
  void answersFromMemoryUntilTheBackgroundRefreshReadsAgain() {
    AtomicLong value = new AtomicLong(7);
    upstream.answering(k -> value.get());
    assertThat(cache.get("g").join()).isEqualTo(7L);

    value.set(8);
    advance(Duration.ofSeconds(5));
    assertThat(cache.get("g").join()).as("served from memory").isEqualTo(7L);
    assertThat(upstream.calls()).isEqualTo(1);

    cache.sweep(); // the background refresh
    assertThat(cache.get("g").join()).isEqualTo(8L);
    assertThat(upstream.calls()).isEqualTo(2);
  }

  @Test
  void aSlowUpstreamCostsAtMostTheDeadline() {
    upstream.holding(); // never answers

    Throwable t = catchThrowable(() -> cache.get("slow").join());

    assertThat(t)
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(TimeoutException.class);
    // The next request fails the same way without another upstream call; the background refresh
    // tries again.
    assertThat(catchThrowable(() -> cache.get("slow").join()))
        .hasCauseInstanceOf(TimeoutException.class);
    assertThat(upstream.calls()).isEqualTo(1);
    cache.sweep();
    assertThat(upstream.calls()).isEqualTo(2);
  }

  @Test
  void aFailedReadingIsServedAsAFailureUntilTheNextRefreshSucceeds() {
    upstream.holding();
    CompletableFuture<Long> first = cache.get("down");
    upstream.failAll(new IllegalStateException("broker down"));
    assertThat(catchThrowable(first::join)).hasRootCauseMessage("broker down");

    // Served from memory at once: a down broker is not asked again for every request.
    assertThat(catchThrowable(() -> cache.get("down").join())).hasRootCauseMessage("broker down");
    assertThat(upstream.calls()).isEqualTo(1);

    upstream.answering(k -> 5L);
    cache.sweep();
    assertThat(cache.get("down").join()).isEqualTo(5L);
  }

  @Test
  void staleAnswersAreNotServed() {
    AtomicLong value = new AtomicLong(1);
    upstream.answering(k -> value.get());
    cache.get("g").join();
    value.set(2);

    advance(REFRESH.plus(DEADLINE).plusMillis(1)); // the refresh did not happen (e.g. stuck)

    assertThat(cache.get("g").join()).isEqualTo(2L);
  }

  /**
   * A refresh queued behind a busy load executor while its key expires would set up again what
   * {@code forget} released (in the Kafka mode: the trigger's source and its cluster's Admin
   * client), and nothing would release it any more: a leaked client and a cluster place taken for
   * good. It does not start.
   */
  @Test
  void aLoadQueuedWhileItsKeyExpiresDoesNotStart() {
    List<Runnable> queued = new ArrayList<>();
    SignalCache<String, Long> busy =
        new SignalCache<>(
            upstream,
            queued::add,
            new SignalCache.Timing(REFRESH, DEADLINE, IDLE),
            null,
            nanos::get,
            Integer.MAX_VALUE);
    upstream.answering(k -> 1L);
    CompletableFuture<Long> first = busy.get("g");
    queued.remove(0).run();
    assertThat(first.join()).isEqualTo(1L);
    advance(REFRESH.plusSeconds(1));
    busy.sweep(); // the refresh waits for the load executor
    assertThat(queued).hasSize(1);
    advance(IDLE);
    busy.sweep(); // nobody asked: the key expires

    queued.remove(0).run();

    assertThat(upstream.forgotten()).containsExactly("g");
    assertThat(upstream.calls("g")).as("loads of g").isEqualTo(1);
    assertThat(busy.size()).isZero();
    // asked again, it is loaded again
    CompletableFuture<Long> again = busy.get("g");
    queued.remove(0).run();
    assertThat(again.join()).isEqualTo(1L);
    assertThat(upstream.calls("g")).isEqualTo(2);
    busy.close();
  }

  @Test
  void idleKeysExpireAndAreForgotten() {
    upstream.answering(k -> 1L);
    cache.get("old").join();
    advance(Duration.ofMinutes(6));
    cache.get("recent").join();
    advance(Duration.ofMinutes(5));

    cache.sweep();

    assertThat(upstream.forgotten()).containsExactly("old");
    assertThat(cache.size()).isEqualTo(1);
    assertThat(upstream.calls("recent")).as("refreshed").isEqualTo(2);
    assertThat(upstream.calls("old")).isEqualTo(1);
  }
}
