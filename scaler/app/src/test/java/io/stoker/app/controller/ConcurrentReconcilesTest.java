package io.stoker.app.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoker.adapters.spi.Reading;
import io.stoker.app.signals.SignalCollector;
import io.stoker.app.signals.SignalRequest;
import io.stoker.app.signals.Signals;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A tick of many autoscalers keeps at most {@code --max-concurrent-reconciles} reconciles in
 * flight, and the others still get their turn: a tick that started all of them at once held the
 * event loop for seconds and left signal requests queued in connection pools past their deadline.
 */
class ConcurrentReconcilesTest extends MockServerControllerTest {
  private static final int AUTOSCALERS = 24;
  private static final int BOUND = 3;

  /** Signals that answer only when the test releases them; counts what is open at once. */
  private final class HeldSignals implements SignalCollector {
    final Queue<Runnable> held = new ConcurrentLinkedQueue<>();
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger mostOpen = new AtomicInteger();
    final Set<String> asked = ConcurrentHashMap.newKeySet();

    @Override
    public CompletableFuture<Signals> collect(SignalRequest request, Duration deadline) {
      asked.add(request.key());
      mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      CompletableFuture<Signals> answer = new CompletableFuture<>();
      held.add(
          () -> {
            open.decrementAndGet();
            Reading r =
                Reading.empty("kafka", clock.instant())
                    .withBacklog(100)
                    .withArrivalRate(10)
                    .withProcessingRate(10)
                    .withPartitions(4);
            answer.complete(new Signals(List.of(r), Map.of()));
          });
      return answer;
    }

    /** Answers every request held now. */
    void releaseAll() {
      for (Runnable r = held.poll(); r != null; r = held.poll()) {
        r.run();
      }
    }

    @Override
    public void forget(String key) {}

    @Override
    public void close() {}
  }

  @Test
  void aTickOfManyAutoscalersKeepsTheBoundAndReachesEveryOne() throws Exception {
    for (int i = 0; i < AUTOSCALERS; i++) {
      Fixtures.driver(client, "app" + i);
      Fixtures.create(client, "app" + i, Fixtures.spec("app" + i));
    }
    HeldSignals held = new HeldSignals();
    Map<String, String> flags = Fixtures.fastConfig();
    flags.put("max-concurrent-reconciles", String.valueOf(BOUND));
    operator = Fixtures.start(client, flags, "test", clock, held);

    // The first reconciles wait on their signals: the bound is reached and no more start.
    await().atMost(Duration.ofSeconds(20)).until(() -> held.open.get() == BOUND);
    assertThat(held.asked).hasSize(BOUND);

    // Answering them lets the next ones start, a few at a time, until every autoscaler was asked.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              held.releaseAll();
              return held.asked.size() == AUTOSCALERS;
            });
    assertThat(held.mostOpen.get()).isEqualTo(BOUND);
  }
}
