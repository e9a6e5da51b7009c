package io.stoker.adapters.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * A real Spark driver in this JVM: local mode, PrometheusServlet on, streaming metrics on, a
 * rate-source streaming query named {@code rate-q}, and on demand a batch job whose tasks block on
 * a latch (local mode runs tasks in this JVM) so that its stage stays active with pending tasks.
 */
final class LiveSparkDriver implements AutoCloseable {
  /** The latch the blocking batch job of the current driver waits on (tasks run in this JVM). */
  static volatile CountDownLatch release = new CountDownLatch(0);

  private final Path dir;
  final SparkSession spark;
  final StreamingQuery query;
  private final List<CompletableFuture<Long>> jobs = new ArrayList<>();

  LiveSparkDriver(String metricsNamespace, int cores) throws Exception {
    release = new CountDownLatch(1);
    dir = Files.createTempDirectory("stoker-spark");
    SparkSession.Builder b =
        SparkSession.builder()
            .master("local[" + cores + "]")
            .appName("stoker spark-it")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "true")
            .config("spark.ui.port", "0")
            .config("spark.ui.prometheus.enabled", "true")
            .config(
                "spark.metrics.conf.*.sink.prometheusServlet.class",
                "org.apache.spark.metrics.sink.PrometheusServlet")
            .config("spark.metrics.conf.*.sink.prometheusServlet.path", "/metrics/prometheus")
            .config("spark.sql.streaming.metricsEnabled", "true")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.local.dir", dir.resolve("local").toString())
            .config("spark.sql.warehouse.dir", dir.resolve("warehouse").toString());
    if (metricsNamespace != null) {
      b.config("spark.metrics.namespace", metricsNamespace);
    }
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
      throw e;
    }
  }

  /** UI port of the driver. */
  int port() {
    String url = spark.sparkContext().uiWebUrl().get();
    return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
  }

  String appId() {
    return spark.sparkContext().applicationId();
  }

  /** Starts a batch job of {@code partitions} tasks that block until {@link #close()}. */
  void startBlockingJob(int partitions) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> data = new ArrayList<>();
    for (int i = 0; i < partitions; i++) {
      data.add(i);
    }
    jobs.add(
        CompletableFuture.supplyAsync(
            () ->
                jsc.parallelize(data, partitions)
                    .map(
                        x -> {
                          release.await();
                          return x;
                        })
                    .count()));
  }

  @Override
  public void close() throws IOException {
    release.countDown();
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
