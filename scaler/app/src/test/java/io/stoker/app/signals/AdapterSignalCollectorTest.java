package io.stoker.app.signals;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.stoker.adapters.kafka.KafkaLagConfig;
import io.stoker.adapters.spark.SparkDriverConfig;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.Reading;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.spec.SpecParser;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real adapters behind the port: a Spark driver (a local HTTP server answering with the outputs
 * of a real Spark 4.1.1 driver, local-cluster with dynamic allocation, that metrics-adapters keeps
 * in its test resources' {@code spark-samples/}) and an unreachable Kafka cluster.
 */
class AdapterSignalCollectorTest {
  /** A captured Spark output, from metrics-adapters' test-jar. */
  static String sample(String name) throws IOException {
    try (InputStream in =
        AdapterSignalCollectorTest.class.getResourceAsStream("/spark-samples/" + name)) {
      if (in == null) {
        throw new FileNotFoundException("no test resource /spark-samples/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private HttpServer driver;
  private AdapterSignalCollector collector;
  private final List<String> requested = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    driver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    serve("/metrics/prometheus/", sample("driver-localcluster-dynalloc-4.1.1.txt"));
    serve("/metrics/executors/prometheus", sample("executors-localcluster-4.1.1.txt"));
    serve("/api/v1/applications", "[{\"id\":\"app-1\",\"name\":\"t\"}]");
    serve("/api/v1/applications/app-1/stages", sample("api-stages-active.json"));
    driver.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    driver.start();
    collector = new AdapterSignalCollector(new AdapterContext(Clock.systemUTC()));
  }

  private void serve(String path, String body) {
    driver.createContext(
        path,
        ex -> {
          requested.add(ex.getRequestURI().getPath());
          byte[] b = body.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, b.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
          }
        });
  }

  @AfterEach
  void tearDown() {
    collector.close();
    driver.stop(0);
  }

  @Test
  void readsTheSparkDriverAndReportsAnUnreachableKafkaAsAnErrorWithinTheDeadline()
      throws Exception {
    Instant before = Instant.now();
    SignalRequest request =
        new SignalRequest(
            "ns/app",
            List.of(
                KafkaLagConfig.builder("127.0.0.1:1", "g").build(),
                SparkDriverConfig.ofDriver(driver.getAddress().getPort(), null, null, true)),
            Optional.of("127.0.0.1"),
            Map.of());
    // The first collection also starts the shared HTTP client and the Kafka Admin (slow on a
    // busy machine); the second one shows the steady state.
    collector.collect(request, Duration.ofSeconds(5)).get(15, TimeUnit.SECONDS);
    before = Instant.now();
    Signals s = collector.collect(request, Duration.ofSeconds(5)).get(15, TimeUnit.SECONDS);

    assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofSeconds(12));
    assertThat(s.errors()).containsOnlyKeys("kafka");
    Reading spark = s.reading("spark").orElseThrow();
    // the captured driver: 2 executors of one slot, both running a task; 8 tasks not started
    assertThat(spark.busyFraction()).hasValue(1.0);
    assertThat(spark.taskBacklog()).hasValue(8);
    // its streaming query rate-q
    assertThat(spark.arrivalRate()).hasValue(167.50418760469012);
    assertThat(spark.processingRate()).hasValue(169.01408450704227);
  }

  @Test
  void theControllersSparkSignalReadsOnlyTheTwoMetricsEndpoints() throws Exception {
    // What an ExecutorAutoscaler's signals.spark becomes: the decision core uses no task backlog,
    // so the driver's REST API (two more requests per tick) is not read.
    ExecutorAutoscalerSpec spec = new ExecutorAutoscalerSpec();
    spec.target = new ExecutorAutoscalerSpec.Target();
    spec.target.sparkApplication = "app";
    spec.signals = new ExecutorAutoscalerSpec.Signals();
    spec.signals.spark = new ExecutorAutoscalerSpec.SparkSignal();
    spec.signals.spark.port = driver.getAddress().getPort();
    SpecParser.Result parsed = SpecParser.parse(spec);
    assertThat(parsed.errors()).isEmpty();
    SignalRequest request =
        new SignalRequest(
            "ns/app", parsed.spec().orElseThrow().signals(), Optional.of("127.0.0.1"), Map.of());

    Signals s = collector.collect(request, Duration.ofSeconds(5)).get(15, TimeUnit.SECONDS);

    assertThat(s.errors()).isEmpty();
    assertThat(s.reading("spark").orElseThrow().busyFraction()).isPresent();
    assertThat(requested)
        .containsExactlyInAnyOrder("/metrics/prometheus/", "/metrics/executors/prometheus");
  }

  @Test
  void sparkWithoutADriverIpIsAnErrorNotAGuess() throws Exception {
    SignalRequest request =
        new SignalRequest(
            "ns/app",
            List.of(SparkDriverConfig.ofDriver(null, null, null, true)),
            Optional.empty(),
            Map.of());
    Signals s = collector.collect(request, Duration.ofSeconds(1)).get(5, TimeUnit.SECONDS);
    assertThat(s.readings()).isEmpty();
    assertThat(s.errors()).containsEntry("spark", "the driver pod has no IP yet");
  }

  @Test
  void secretsNeverAppearInTheRequestText() {
    SignalRequest r =
        new SignalRequest(
            "ns/app",
            List.of(KafkaLagConfig.builder("k:9092", "g").build()),
            Optional.empty(),
            Map.of("sasl.password", "hunter2"));
    assertThat(r.toString()).doesNotContain("hunter2").contains("sasl.password").contains("kafka");
  }

  @Test
  void severalKafkaTopicsAreOneSignalAndAFailingTopicIsNamed() throws Exception {
    SignalRequest request =
        new SignalRequest(
            "ns/app",
            List.of(KafkaLagConfig.builder("127.0.0.1:1", "g").topics(List.of("a", "b")).build()),
            Optional.empty(),
            Map.of());
    Signals s = collector.collect(request, Duration.ofSeconds(1)).get(15, TimeUnit.SECONDS);

    assertThat(s.readings()).isEmpty();
    assertThat(s.errors()).containsOnlyKeys("kafka");
    assertThat(s.errors().get("kafka")).contains("topic a: ").contains("topic b: ");
  }
}
