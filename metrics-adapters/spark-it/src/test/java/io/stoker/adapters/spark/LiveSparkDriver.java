package io.stoker.adapters.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.awaitility.Awaitility;

/**
 * A real Spark driver in this JVM: PrometheusServlet on, streaming metrics on, a rate-source
 * streaming query named {@code rate-q}, and on demand a batch job whose tasks wait at a {@link
 * TaskGate} so that its stage stays active with pending tasks. Local mode by default; any master
 * (e.g. {@code local-cluster[2,1,1024]}, whose executors are separate JVMs) with extra settings.
 */
final class LiveSparkDriver implements AutoCloseable {
  /** What every driver here runs with, before the extra settings. */
  static final Map<String, String> SETTINGS = settings();

  private final Path dir;
  private final TaskGate gate;
  private final HttpClient http =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  final SparkSession spark;
  final StreamingQuery query;
  private final List<CompletableFuture<Long>> jobs = new ArrayList<>();

  /** Local mode with {@code cores} task slots; {@code metricsNamespace} may be null. */
  LiveSparkDriver(String metricsNamespace, int cores) throws Exception {
    this(
        "local[" + cores + "]",
        metricsNamespace == null ? Map.of() : Map.of("spark.metrics.namespace", metricsNamespace));
  }

  /** On {@code master}, with {@link #SETTINGS} and then {@code extra}. */
  LiveSparkDriver(String master, Map<String, String> extra) throws Exception {
    dir = Files.createTempDirectory("stoker-spark");
    gate = new TaskGate();
    SparkSession.Builder b =
        SparkSession.builder()
            .master(master)
            .appName("stoker spark-it")
            .config("spark.local.dir", dir.resolve("local").toString())
            .config("spark.sql.warehouse.dir", dir.resolve("warehouse").toString());
    SETTINGS.forEach(b::config);
    extra.forEach(b::config);
    spark = b.getOrCreate();
    try {
      query =
          spark
              .readStream()
              .format("rate")
              .option("rowsPerSecond", "200")
              .load()
              .writeStream()
              .format("noop")
              .queryName("rate-q")
              .trigger(Trigger.ProcessingTime(300, TimeUnit.MILLISECONDS))
              .option("checkpointLocation", dir.resolve("checkpoint").toString())
              .start();
    } catch (RuntimeException e) {
      spark.stop();
      gate.close();
      throw e;
    }
  }

  private static Map<String, String> settings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("spark.driver.host", "127.0.0.1");
    m.put("spark.driver.bindAddress", "127.0.0.1");
    m.put("spark.ui.enabled", "true");
    m.put("spark.ui.port", "0");
    m.put("spark.ui.prometheus.enabled", "true");
    m.put(
        "spark.metrics.conf.*.sink.prometheusServlet.class",
        "org.apache.spark.metrics.sink.PrometheusServlet");
    m.put("spark.metrics.conf.*.sink.prometheusServlet.path", "/metrics/prometheus");
    m.put("spark.sql.streaming.metricsEnabled", "true");
    m.put("spark.sql.shuffle.partitions", "2");
    return java.util.Collections.unmodifiableMap(m);
  }

  /** UI port of the driver. */
  int port() {
    String url = spark.sparkContext().uiWebUrl().get();
    return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
  }

  String appId() {
    return spark.sparkContext().applicationId();
  }

  /** GET {@code path} (with its query) from the driver's UI; the body if it answered 200. */
  String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (r.statusCode() != 200) {
      throw new IOException(path + " answered HTTP " + r.statusCode());
    }
    return r.body();
  }

  /** Waits until the query has reported a batch with input and processing rates. */
  void awaitStreaming(Duration atMost) {
    Awaitility.await("a batch of rate-q with input and processing rates")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              StreamingQueryProgress p = query.lastProgress();
              return p != null && p.inputRowsPerSecond() > 0 && p.processedRowsPerSecond() > 0;
            });
  }

  /**
   * Starts a batch job of {@code partitions} tasks that wait at the gate until {@link #close()}.
   */
  void startBlockingJob(int partitions) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> data = new ArrayList<>();
    for (int i = 0; i < partitions; i++) {
      data.add(i);
    }
    int port = gate.port();
    jobs.add(
        CompletableFuture.supplyAsync(
            () -> jsc.parallelize(data, partitions).map(x -> TaskGate.await(port, x)).count()));
  }

  /**
   * Waits until {@code slots} tasks of the blocking job wait at the gate and the driver shows it:
   * at least {@code slots} running and {@code pending} pending tasks in the REST API's active
   * stages, and {@code slots} active tasks in the executors endpoint.
   */
  void awaitBlocked(int slots, int pending, Duration atMost) {
    Awaitility.await("the blocking job's tasks running and pending, as the driver shows them")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              assertThat(gate.arrived()).as("tasks at the gate").isGreaterThanOrEqualTo(slots);
              SparkSnapshot.Stages st =
                  SparkMetricsReader.readStages(
                      get("/api/v1/applications/" + appId() + "/stages?status=active"));
              assertThat(st.activeTasks()).as("running tasks").isGreaterThanOrEqualTo(slots);
              assertThat(st.pendingTasks()).as("pending tasks").isGreaterThanOrEqualTo(pending);
              SparkMetricsReader.ExecutorRows rows =
                  SparkMetricsReader.readExecutors(
                      get("/metrics/executors/prometheus").getBytes(StandardCharsets.UTF_8));
              assertThat(rows.executors().activeTasks())
                  .as("active tasks of the executors endpoint")
                  .isGreaterThanOrEqualTo(slots);
            });
  }

  @Override
  public void close() throws IOException {
    gate.close();
    try {
      for (CompletableFuture<Long> j : jobs) {
        j.handle((v, e) -> v).join();
      }
      query.stop();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException(e);
    } finally {
      spark.stop();
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
