package io.stoker.adapters.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.adapters.registry.AdapterRegistry;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The Spark adapter against a real driver WITH spark.metrics.namespace set, and the same driver
 * after it stopped (unreachable → typed error within the deadline).
 */
class SparkDriverNamespaceLiveTest {
  @Test
  void stableNamesWithNamespaceThenUnreachableAfterStop() throws Exception {
    int port;
    try (AdapterContext context = new AdapterContext(Clock.systemUTC())) {
      SparkDriverAdapter a;
      try (LiveSparkDriver driver = new LiveSparkDriver("click stream", 2)) {
        port = driver.port();
        a =
            (SparkDriverAdapter)
                AdapterRegistry.create(
                    "spark",
                    Map.of(
                        "host", "127.0.0.1",
                        "port", String.valueOf(port),
                        "metricsNamespace", "click stream"),
                    Map.of(),
                    context);
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .ignoreExceptionsInstanceOf(java.util.concurrent.CompletionException.class)
            .untilAsserted(
                () -> {
                  SparkSnapshot s = a.collect(Duration.ofSeconds(15)).join().value();
                  assertThat(s.streamingQueries().get("rate_q").inputRate()).isPositive();
                });
        // without the namespace the adapter still finds the driver prefix
        SparkDriverAdapter anyPrefix =
            (SparkDriverAdapter)
                AdapterRegistry.create(
                    "spark",
                    Map.of("host", "127.0.0.1", "port", String.valueOf(port)),
                    Map.of(),
                    context);
        assertThat(anyPrefix.collect(Duration.ofSeconds(15)).join().value().streamingQueries())
            .containsKey("rate_q");
      }
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> a.collect(Duration.ofSeconds(2)).join())
          .cause()
          .isInstanceOfSatisfying(
              AdapterException.class,
              e ->
                  assertThat(e.kind())
                      .isIn(AdapterException.Kind.UNREACHABLE, AdapterException.Kind.TIMEOUT));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
    }
  }
}
