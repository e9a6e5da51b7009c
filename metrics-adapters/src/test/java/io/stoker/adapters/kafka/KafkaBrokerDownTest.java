package io.stoker.adapters.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 20: a real KRaft broker that goes away after the Admin client was set up (so no probe
 * runs). Each reading must end within its timeout with an error naming the bootstrap address and
 * what timed out. A round used to give each of its three Kafka calls the whole timeout one after
 * the other: it ran on past the caller's timeout, and the next reading waited behind it and ended
 * on the caller's own timer ("no answer within ... ms"), naming neither the call nor the cause. Its
 * own broker: it is stopped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaBrokerDownTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** Generous, for a busy 2-core machine. */
  private static final Duration MARGIN = Duration.ofSeconds(2);

  private EmbeddedKafka kafka;
  private AdapterContext context;

  @BeforeAll
  void start() throws Exception {
    kafka = new EmbeddedKafka();
    context = new AdapterContext(Clock.systemUTC());
  }

  @AfterAll
  void stop() throws Exception {
    try {
      context.close();
    } finally {
      kafka.close();
    }
  }

  private record Outcome(AdapterException error, Duration took) {}

  private static Outcome read(KafkaLagAdapter a) {
    long t0 = System.nanoTime();
    Throwable t = catchThrowable(() -> a.collect(TIMEOUT).join());
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(t)
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(AdapterException.class);
    AdapterException e = (AdapterException) t.getCause();
    System.out.printf(
        "broker down: %s in %d ms (timeout %d ms): %s%n",
        e.kind(), took.toMillis(), TIMEOUT.toMillis(), e.getMessage());
    return new Outcome(e, took);
  }

  @Test
  void everyReadingAfterTheBrokerWentAwayEndsInTimeNamingTheAddressAndWhatTimedOut()
      throws Exception {
    kafka.createTopic("down", 1);
    kafka.produce("down", 0, 5);
    kafka.commit("down-group", Map.of(new TopicPartition("down", 0), 2L));
    KafkaLagAdapter a =
        new KafkaLagAdapterFactory()
            .create(
                Map.of(
                    "bootstrapServers",
                    kafka.bootstrap(),
                    "consumerGroup",
                    "down-group",
                    "topic",
                    "down"),
                Map.of(),
                context);
    assertThat(a.collect(Duration.ofSeconds(30)).join().value().totalLag()).isEqualTo(3);

    kafka.stopBroker();
    try {
      for (int i = 0; i < 3; i++) { // one after the other, as a controller's ticks
        Outcome o = read(a);
        assertThat(o.error().kind()).isEqualTo(AdapterException.Kind.TIMEOUT);
        assertThat(o.error().getMessage())
            .contains(kafka.bootstrap())
            .contains("timed out reading consumer group 'down-group'");
        assertThat(o.took()).isLessThan(TIMEOUT.plus(MARGIN));
      }
    } finally {
      kafka.restartBroker();
    }
  }

  /**
   * Closing a cluster's client while its broker is gone returns at once: {@code Admin.close} waits
   * up to 5 s for the calls in flight, and ran on the caller's thread (the gRPC server's expiry of
   * an unused trigger, beside its refreshes and StreamIsActive checks). The Admin client's thread
   * still ends.
   */
  @Test
  void closingTheClientOfAGoneBrokerDoesNotHoldTheCaller() throws Exception {
    kafka.createTopic("gone", 1);
    java.util.Properties props = new java.util.Properties();
    props.put("bootstrap.servers", kafka.bootstrap());
    props.put("client.id", "closing-test");
    KafkaClusterClient client = new KafkaClusterClient(props, Clock.systemUTC());
    KafkaClusterClient.Request r = new KafkaClusterClient.Request("gone-group", "gone");
    client.read(r, Duration.ofSeconds(30)).join();
    kafka.stopBroker();
    try {
      // A reading in flight that the gone broker never answers, with a long timeout.
      java.util.concurrent.CompletableFuture<?> inFlight = client.read(r, Duration.ofSeconds(60));
      long t0 = System.nanoTime();
      client.close();
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      System.out.printf("broker down: close() returned in %d ms%n", took.toMillis());
      assertThat(took).isLessThan(Duration.ofSeconds(2)); // it waited 5 s before
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  Thread.getAllStackTraces().keySet().stream()
                      .noneMatch(t -> t.isAlive() && t.getName().contains("closing-test")));
      inFlight.handle((v, e) -> null).join();
    } finally {
      kafka.restartBroker();
    }
  }
}
