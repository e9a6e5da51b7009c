package io.stoker.adapters.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.adapters.registry.AdapterRegistry;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Sample;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Spark adapter against a real Spark 4 driver in this JVM, WITHOUT spark.metrics.namespace (the
 * application id is inside every metric name).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkDriverAdapterLiveTest {
  // generous: the driver's first Jersey request initialises the REST layer on a busy 2-core box
  static final Duration TIMEOUT = Duration.ofSeconds(15);
  private LiveSparkDriver driver;
  private AdapterContext context;

  @BeforeAll
  void start() throws Exception {
    driver = new LiveSparkDriver(null, 2);
    context = new AdapterContext(Clock.systemUTC());
  }

  @AfterAll
  void stop() throws Exception {
    try {
      context.close();
    } finally {
      driver.close();
    }
  }

  SparkDriverAdapter adapter(String... kv) {
    Map<String, String> m = new HashMap<>();
    m.put("host", "127.0.0.1");
    m.put("port", String.valueOf(driver.port()));
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return (SparkDriverAdapter) AdapterRegistry.create("spark", m, Map.of(), context);
  }

  static SparkSnapshot scrape(SparkDriverAdapter a) {
    return a.collect(TIMEOUT).join().value();
  }

  @Test
  @Order(1)
  void streamingQueryMetricsAndExecutors() {
    SparkDriverAdapter a = adapter();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsInstanceOf(java.util.concurrent.CompletionException.class)
        .untilAsserted(
            () -> {
              SparkSnapshot s = scrape(a);
              assertThat(s.streamingQueries()).containsKey("rate_q");
              assertThat(s.streamingQueries().get("rate_q").inputRate()).isPositive();
              assertThat(s.streamingQueries().get("rate_q").processingRate()).isPositive();
              assertThat(s.streamingQueries().get("rate_q").latencyMs()).isPositive();
            });
    Sample<SparkSnapshot> sample = a.collect(TIMEOUT).join();
    SparkSnapshot s = sample.value();
    assertThat(s.appId()).isEqualTo(driver.appId());
    assertThat(s.executors().count()).isZero(); // local mode: only the driver row
    assertThat(s.executors().maxTasks()).isEqualTo(2); // local[2]
    assertThat(s.allocationManager()).isEmpty(); // no dynamic allocation in local mode
    assertThat(s.plugin()).isEmpty(); // the Stoker plugin is not loaded here
    assertThat(s.stages()).isPresent();
    assertThat(sample.age(Instant.now())).isLessThan(TIMEOUT);
  }

  @Test
  @Order(2)
  void batchJobStagesAndTasks() {
    driver.startBlockingJob(8);
    SparkDriverAdapter a = adapter();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .ignoreExceptionsInstanceOf(java.util.concurrent.CompletionException.class)
        .untilAsserted(
            () -> {
              SparkSnapshot s = scrape(a);
              SparkSnapshot.Stages st = s.stages().orElseThrow();
              // 2 slots busy with the blocked job, its other 6 tasks not started
              assertThat(st.activeTasks()).isGreaterThanOrEqualTo(2);
              assertThat(st.pendingTasks()).isGreaterThanOrEqualTo(6);
              assertThat(s.runningStages()).isGreaterThanOrEqualTo(1);
              assertThat(s.activeJobs()).isGreaterThanOrEqualTo(1);
              assertThat(s.executors().activeTasks()).isEqualTo(2);
            });
  }

  @Test
  @Order(3)
  void redirectToTrailingSlashIsFollowed() {
    SparkSnapshot s = scrape(adapter("path", "/metrics/prometheus", "stages", "false"));
    assertThat(s.stages()).isEmpty();
    assertThat(s.appId()).isEqualTo(driver.appId());
  }

  @Test
  @Order(4)
  void badPathAndWrongNamespaceAreTypedErrors() {
    assertThatThrownBy(
            () ->
                scrape(
                    adapter(
                        "executorsPath", "/api/v1/applications/no-such-app/executors",
                        "stages", "false")))
        .cause()
        .isInstanceOfSatisfying(
            AdapterException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(AdapterException.Kind.BAD_STATUS);
              // Jersey answers 406 (we accept text/plain, it serves JSON) before its 404
              assertThat(e.getMessage()).containsPattern("answered HTTP 40[46]");
            });
    // an unknown UI path ends on an HTML page (Spark redirects it): not metrics text
    assertThatThrownBy(() -> scrape(adapter("path", "/no/such/path", "stages", "false")))
        .cause()
        .isInstanceOfSatisfying(
            AdapterException.class,
            e -> {
              assertThat(e.kind())
                  .isIn(AdapterException.Kind.MALFORMED, AdapterException.Kind.BAD_STATUS);
              assertThat(e.getMessage()).containsAnyOf("line ", "HTTP 404");
            });
    assertThatThrownBy(() -> scrape(adapter("metricsNamespace", "clickstream")))
        .cause()
        .isInstanceOfSatisfying(
            AdapterException.class,
            e -> assertThat(e.getMessage()).contains("metrics_clickstream_driver_"));
    // the app id used as the namespace is what Spark puts in the names by default
    assertThat(scrape(adapter("metricsNamespace", driver.appId())).runningStages())
        .isGreaterThanOrEqualTo(0);
  }
}
