package io.stoker.adapters.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.adapters.prometheus.PrometheusTextParser;
import io.stoker.adapters.spi.AdapterException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Parser and reader tests on every captured output of a real Spark driver in the test resources'
 * {@code spark-samples/} (see its README: how they were captured, and the command that captures
 * them again).
 */
class SparkSamplesTest {
  static final String DIR = "/spark-samples/";

  static byte[] read(String name) throws IOException {
    try (InputStream in = SparkSamplesTest.class.getResourceAsStream(DIR + name)) {
      if (in == null) {
        throw new FileNotFoundException("no test resource " + DIR + name);
      }
      return in.readAllBytes();
    }
  }

  @Test
  void everySampleFileIsCoveredAndEveryTextLineParses() throws Exception {
    List<String> files;
    try (Stream<Path> s = Files.list(Path.of(SparkSamplesTest.class.getResource(DIR).toURI()))) {
      files = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(files)
        .containsExactlyInAnyOrder(
            "README.md",
            "api-executors.json",
            "api-stages-active.json",
            "driver-local-4.1.1.txt",
            "driver-localcluster-dynalloc-4.1.1.txt",
            "executors-local-4.1.1.txt",
            "executors-localcluster-4.1.1.txt");
    for (String f : files) {
      if (!f.endsWith(".txt")) {
        continue;
      }
      byte[] b = read(f);
      long lines = new String(b, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).count();
      int[] n = {0};
      new PrometheusTextParser().parse(b, l -> n[0]++);
      assertThat(n[0])
          .as(f)
          .isEqualTo((int) lines); // Spark writes no comments: every line is a sample
    }
  }

  @Test
  void driverLocalWithAppIdInNames() throws IOException {
    SparkMetricsReader.DriverGauges g =
        SparkMetricsReader.readDriver(read("driver-local-4.1.1.txt"), null);
    // the blocked batch job and the query's next batch, waiting for a slot
    assertThat(g.runningStages()).isEqualTo(2);
    assertThat(g.waitingStages()).isZero();
    assertThat(g.failedStages()).isZero();
    assertThat(g.activeJobs()).isEqualTo(2);
    assertThat(g.streamingQueries()).containsOnlyKeys("rate_q");
    SparkSnapshot.StreamingQuery q = g.streamingQueries().get("rate_q");
    assertThat(q.inputRate()).isEqualTo(179.9370220422852);
    assertThat(q.processingRate()).isEqualTo(565.5042412818096);
    assertThat(q.latencyMs()).isEqualTo(2121.0);
    assertThat(g.allocationManager()).isEmpty(); // local mode: no dynamic allocation
    assertThat(g.plugin()).isEmpty();
  }

  @Test
  void driverLocalWithExplicitNamespaceMatchingTheAppId() throws IOException {
    // The sample has no spark.metrics.namespace, so the app id is the namespace.
    SparkMetricsReader.DriverGauges g =
        SparkMetricsReader.readDriver(read("driver-local-4.1.1.txt"), "local-1796622090179");
    assertThat(g.runningStages()).isEqualTo(2);
    assertThatThrownBy(
            () -> SparkMetricsReader.readDriver(read("driver-local-4.1.1.txt"), "clickstream"))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining("metrics_clickstream_driver_");
  }

  @Test
  void driverWithDynamicAllocation() throws IOException {
    SparkMetricsReader.DriverGauges g =
        SparkMetricsReader.readDriver(read("driver-localcluster-dynalloc-4.1.1.txt"), null);
    // target 4 (spark.dynamicAllocation.maxExecutors), 2 executors (the two workers), 10 needed
    assertThat(g.allocationManager())
        .contains(new SparkSnapshot.AllocationManager(4, 2, 10, 1, 0, 0));
    assertThat(g.runningStages()).isEqualTo(2);
    assertThat(g.activeJobs()).isEqualTo(2);
    assertThat(g.streamingQueries().get("rate_q").inputRate()).isEqualTo(167.50418760469012);
    assertThat(g.streamingQueries().get("rate_q").processingRate()).isEqualTo(169.01408450704227);
    assertThat(g.streamingQueries().get("rate_q").latencyMs()).isEqualTo(3550.0);
  }

  @Test
  void executorsLocalAndLocalCluster() throws IOException {
    SparkMetricsReader.ExecutorRows local =
        SparkMetricsReader.readExecutors(read("executors-local-4.1.1.txt"));
    assertThat(local.appId()).isEqualTo("local-1796622090179");
    // only the driver row, which runs the tasks: local[2], both slots busy
    assertThat(local.executors()).isEqualTo(new SparkSnapshot.Executors(0, 2, 2, 2));

    SparkMetricsReader.ExecutorRows cluster =
        SparkMetricsReader.readExecutors(read("executors-localcluster-4.1.1.txt"));
    assertThat(cluster.appId()).isEqualTo("app-20261207054207-0000");
    // two executors of one core, each running a task; the driver row has no slots
    assertThat(cluster.executors()).isEqualTo(new SparkSnapshot.Executors(2, 2, 2, 2));
  }

  @Test
  void restStagesAndExecutorsJson() throws IOException {
    String stagesJson = new String(read("api-stages-active.json"), StandardCharsets.UTF_8);
    JsonArray raw = new JsonArray(stagesJson);
    SparkSnapshot.Stages s = SparkMetricsReader.readStages(stagesJson);
    assertThat(s.activeStages() + s.pendingStages()).isEqualTo(raw.size());
    long expectPending = 0;
    for (int i = 0; i < raw.size(); i++) {
      var o = raw.getJsonObject(i);
      expectPending +=
          Math.max(
              0,
              o.getLong("numTasks")
                  - o.getLong("numCompletedIndices")
                  - o.getLong("numActiveTasks"));
    }
    assertThat(s.pendingTasks()).isEqualTo(expectPending);
    // the blocked job's stage (8 tasks, 2 running) and the query's next batch (2 tasks, waiting)
    assertThat(s).isEqualTo(new SparkSnapshot.Stages(2, 0, 2, 8));

    JsonArray execs = new JsonArray(new String(read("api-executors.json"), StandardCharsets.UTF_8));
    assertThat(execs.stream().map(e -> ((JsonObject) e).getString("id")))
        .containsExactlyInAnyOrder("driver", "0", "1");
    assertThatThrownBy(() -> SparkMetricsReader.readStages("{not json"))
        .isInstanceOf(AdapterException.class);
  }

  @Test
  void pluginGaugesAreRecognised() {
    String text =
        "metrics_ns_driver_DAGScheduler_stage_runningStages_Value{type=\"gauges\"} 1\n"
            + "metrics_ns_driver_DAGScheduler_stage_waitingStages_Value{type=\"gauges\"} 0\n"
            + "metrics_ns_driver_DAGScheduler_stage_failedStages_Value{type=\"gauges\"} 0\n"
            + "metrics_ns_driver_DAGScheduler_job_activeJobs_Value{type=\"gauges\"} 1\n"
            + "metrics_ns_driver_plugin_io_stoker_spark_StokerPlugin_appliedTargetExecutors_Number{type=\"gauges\"} 9\n"
            + "metrics_ns_driver_plugin_io_stoker_spark_StokerPlugin_appliedTargetExecutors_Value{type=\"gauges\"} 9\n"
            + "metrics_ns_driver_plugin_io_stoker_spark_StokerPlugin_decommissioningExecutors_Value{type=\"gauges\"} 2\n"
            + "metrics_ns_driver_plugin_io_stoker_spark_StokerPlugin_streaming_click_stream_inputRowsPerSecond_Value{type=\"gauges\"} 5400.5\n"
            + "metrics_ns_driver_plugin_io_stoker_spark_StokerPlugin_streaming_click_stream_offsetsBehindLatestMax_Value{type=\"gauges\"} 1.2E5\n"
            // a query without a Kafka source: the plugin publishes -1
            + "metrics_ns_driver_plugin_io_stoker_spark_StokerPlugin_streaming_rates_offsetsBehindLatestSum_Value{type=\"gauges\"} -1\n";
    SparkMetricsReader.DriverGauges g =
        SparkMetricsReader.readDriver(text.getBytes(StandardCharsets.UTF_8), "ns");
    SparkSnapshot.StokerPlugin p = g.plugin().orElseThrow();
    assertThat(p.appliedTarget()).isEqualTo(9);
    assertThat(p.executorsDecommissioning()).isEqualTo(2);
    assertThat(p.queries()).containsOnlyKeys("click_stream", "rates");
    assertThat(p.queries().get("rates").offsetsBehindLatestSum()).isNaN();
    assertThat(p.queries().get("click_stream").inputRate()).isEqualTo(5400.5);
    assertThat(p.queries().get("click_stream").offsetsBehindLatestMax()).isEqualTo(120000.0);
    assertThat(p.queries().get("click_stream").processingRate()).isNaN();
  }
}
