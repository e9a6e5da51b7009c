package io.stoker.spark;

import static io.stoker.spark.SparkTestSupport.pluginGauge;
import static io.stoker.spark.SparkTestSupport.scrape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real local-mode driver with the plugin, a rate-source streaming query and the target channel on
 * a mock API server: the gauges appear on the driver's PrometheusServlet with sane values.
 */
class LocalModePluginTest {

  private static final String NS = "stokerlocal";
  private static final String QUERY = "rates";

  private static MockKubernetes k8s;
  private static SparkSession spark;
  private static StreamingQuery query;
  private static String ui;

  @BeforeAll
  static void start() throws TimeoutException {
    k8s = MockKubernetes.start();
    k8s.createDriverPod("3");
    spark =
        SparkSession.builder()
            .config(
                SparkTestSupport.withMockPod(SparkTestSupport.conf("local[2]", NS), k8s)
                    .set("spark.stoker.maxExecutors", "10"))
            .getOrCreate();
    ui = spark.sparkContext().uiWebUrl().get();
    query =
        spark
            .readStream()
            .format("rate")
            .option("rowsPerSecond", "200")
            .option("numPartitions", "2")
            .load()
            .writeStream()
            .queryName(QUERY)
            .format("noop")
            .trigger(Trigger.ProcessingTime("300 milliseconds"))
            .start();
  }

  @AfterAll
  static void stop() throws TimeoutException {
    try {
      if (query != null) {
        query.stop();
      }
    } finally {
      try {
        if (spark != null) {
          spark.stop();
        }
      } finally {
        if (k8s != null) {
          k8s.close();
        }
      }
    }
  }

  /** The plugin's gauges of the test's query, from a scrape. */
  private static Map<String, Double> queryGauges(Map<String, Double> m) {
    return queryGauges(m, QUERY);
  }

  private static Map<String, Double> queryGauges(Map<String, Double> m, String query) {
    String prefix = pluginGauge(NS, "streaming." + query + ".").replace("_Value", "");
    Map<String, Double> out = new java.util.TreeMap<>();
    m.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.put(k, v);
          }
        });
    return out;
  }

  /** The gauges that describe the last batch: all but its age, which grows at every scrape. */
  private static Map<String, Double> batchGauges(Map<String, Double> m, String query) {
    Map<String, Double> out = queryGauges(m, query);
    out.keySet().removeIf(k -> k.contains("lastBatchAgeMs"));
    return out;
  }

  private static Double value(Map<String, Double> m, String gauge) {
    return m.get(pluginGauge(NS, gauge));
  }

  @Test
  void streamingGaugesAppearOnThePrometheusServletWithSaneValues() throws Exception {
    String q = "streaming." + QUERY + ".";
    // The plugin updates a query's gauges one by one after each batch: two scrapes in a row that
    // agree on all of them saw one batch's values, not a mix of two.
    Map<String, Double> m =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  Map<String, Double> first = scrape(ui);
                  Double rows = value(first, q + "lastBatchInputRows");
                  Double id = value(first, q + "batchId");
                  boolean ready = rows != null && rows > 0 && id != null && id >= 3;
                  return ready && batchGauges(first, QUERY).equals(batchGauges(scrape(ui), QUERY))
                      ? first
                      : null;
                },
                java.util.Objects::nonNull);
    assertThat(queryGauges(m)).hasSize(22); // a query's 11 gauges, each as _Number and _Value
    // Rates are rows over the time between triggers: on a busy machine a batch that follows a
    // stalled one reports thousands of rows/s from a 200 rows/s source, so no upper bound here;
    // the values are checked against the batch's own progress below.
    assertThat(value(m, q + "inputRowsPerSecond")).isPositive();
    assertThat(value(m, q + "processedRowsPerSecond")).isPositive();
    assertThat(value(m, q + "batchDurationMs")).isBetween(1.0, 60_000.0);
    // No Kafka source: offsets behind latest are unknown.
    assertThat(value(m, q + "offsetsBehindLatestSum")).isEqualTo(-1.0);
    assertThat(value(m, q + "offsetsBehindLatestMax")).isEqualTo(-1.0);

    // The exported batch is one the query really ran, with the row count it really had.
    long batch = value(m, q + "batchId").longValue();
    StreamingQueryProgress p =
        Arrays.stream(query.recentProgress())
            .filter(x -> x.batchId() == batch)
            .findFirst()
            .orElseThrow();
    assertThat(value(m, q + "lastBatchInputRows")).isEqualTo((double) p.numInputRows());
    assertThat(value(m, q + "inputRowsPerSecond")).isCloseTo(p.inputRowsPerSecond(), within(1e-6));
    assertThat(value(m, q + "processedRowsPerSecond"))
        .isCloseTo(p.processedRowsPerSecond(), within(1e-6));
    assertThat(value(m, q + "batchDurationMs"))
        .isEqualTo((double) p.durationMs().get("triggerExecution"));
    assertThat(value(m, q + "addBatchMs")).isEqualTo((double) p.durationMs().get("addBatch"));
    assertThat(value(m, q + "batchTaskSlotMs")).isGreaterThanOrEqualTo(0.0);
    assertThat(value(m, q + "lastBatchAgeMs")).isGreaterThanOrEqualTo(0.0);

    // Spark's own streaming source is there too (sanity check of the namespace).
    assertThat(m).containsKey("metrics_" + NS + "_driver_DAGScheduler_job_allJobs_Value");
  }

  @Test
  void batchProgressShowsTheTriggerIntervalAndTheBatchsOwnTaskTime() throws Exception {
    // Every row takes 20 ms in its task: a batch's tasks run at least rows × 20 ms, and within its
    // task phase (addBatch) on at most the two slots of local[2].
    StreamingQuery slow =
        spark
            .readStream()
            .format("rate")
            .option("rowsPerSecond", "20")
            .option("numPartitions", "2")
            .load()
            .select("value")
            .as(Encoders.LONG())
            .map(
                (MapFunction<Long, Long>)
                    v -> {
                      // work, not synchronisation: the task holds its slot for 20 ms a row
                      long until = System.nanoTime() + 20_000_000L;
                      while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                      }
                      return v;
                    },
                Encoders.LONG())
            .writeStream()
            .queryName("slow")
            .format("noop")
            .trigger(Trigger.ProcessingTime("2 seconds"))
            .start();
    String q = "streaming.slow.";
    try {
      Map<String, Double> m =
          await()
              .atMost(Duration.ofSeconds(90))
              .until(
                  () -> {
                    Map<String, Double> first = scrape(ui);
                    Double rows = value(first, q + "lastBatchInputRows");
                    Double interval = value(first, q + "triggerIntervalMs");
                    boolean ready =
                        rows != null && rows > 0 && interval != null && interval == 2000.0;
                    return ready
                            && batchGauges(first, "slow").equals(batchGauges(scrape(ui), "slow"))
                        ? first
                        : null;
                  },
                  java.util.Objects::nonNull);
      long batch = value(m, q + "batchId").longValue();
      StreamingQueryProgress p =
          Arrays.stream(slow.recentProgress())
              .filter(x -> x.batchId() == batch)
              .findFirst()
              .orElseThrow();
      double rows = p.numInputRows();
      double addBatch = p.durationMs().get("addBatch");
      assertThat(value(m, q + "lastBatchInputRows")).isEqualTo(rows);
      assertThat(value(m, q + "addBatchMs")).isEqualTo(addBatch);
      assertThat(value(m, q + "batchTaskSlotMs"))
          .as("the batch's tasks and no one else's")
          .isBetween(rows * 20, 2 * addBatch);
      assertThat(value(m, q + "lastBatchAgeMs")).isBetween(0.0, 60_000.0);
    } finally {
      slow.stop();
    }
  }

  @Test
  void targetChannelValidatesAnnotationsButLocalModeCannotActuate() throws Exception {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Double.valueOf(3).equals(value(scrape(ui), "requestedTargetExecutors")));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Double.valueOf(0).equals(value(scrape(ui), "actuationSupported")));
    Map<String, Double> before = scrape(ui);
    assertThat(value(before, "kubernetesWatchConnected")).isEqualTo(1.0);
    assertThat(value(before, "dynamicAllocationRefused")).isEqualTo(0.0);
    double rejected = value(before, "rejectedAnnotations");

    k8s.setTarget("three");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> value(scrape(ui), "rejectedAnnotations") == rejected + 1);
    k8s.setTarget("11"); // above spark.stoker.maxExecutors=10
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> value(scrape(ui), "rejectedAnnotations") == rejected + 2);
    // Pod events that leave the annotation alone (and resyncs) do not count it again.
    k8s.setLabel("unrelated", "change");
    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(10))
        .until(() -> value(scrape(ui), "rejectedAnnotations") == rejected + 2);
    Map<String, Double> after = scrape(ui);
    assertThat(value(after, "requestedTargetExecutors")).isEqualTo(3.0);
    assertThat(value(after, "appliedTargetExecutors")).isEqualTo(-1.0);

    k8s.setTarget("4");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Double.valueOf(4).equals(value(scrape(ui), "requestedTargetExecutors")));

    // A bad preferred-executors annotation is rejected and counted; the target written with it
    // is still taken.
    k8s.setTarget("5", "7,not-an-id");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Double.valueOf(5).equals(value(scrape(ui), "requestedTargetExecutors")));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> value(scrape(ui), "rejectedAnnotations") == rejected + 3);
  }

  @Test
  void queryStillRunsAndGaugesGoAwayWhenItStops() throws Exception {
    assertThat(query.isActive()).isTrue();
    assertThat(query.exception().isEmpty()).isTrue();
    StreamingQuery other =
        spark
            .readStream()
            .format("rate")
            .option("rowsPerSecond", "10")
            .load()
            .writeStream()
            .queryName("short_lived")
            .format("noop")
            .trigger(Trigger.ProcessingTime("200 milliseconds"))
            .start();
    String gauge = pluginGauge(NS, "streaming.short_lived.batchId");
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> scrape(ui).containsKey(gauge));
    } finally {
      other.stop();
    }
    try {
      other.awaitTermination();
    } catch (StreamingQueryException e) {
      throw new AssertionError(e);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> !scrape(ui).containsKey(gauge));
  }
}
