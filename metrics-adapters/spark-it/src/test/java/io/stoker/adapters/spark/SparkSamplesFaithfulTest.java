package io.stoker.adapters.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.adapters.prometheus.PrometheusTextParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The committed Spark samples ({@code metrics-adapters/src/test/resources/spark-samples/}, written
 * by {@link SparkSampleCapture}) still say what the Spark on this class path exposes: they were
 * captured with this Spark version, and a live driver set up and loaded as the capture's local one
 * exposes every metric of the local samples (name and label names; the application id in the
 * driver's metric names aside). A Spark upgrade that renames or drops a metric fails here, with the
 * command that captures the samples again.
 */
class SparkSamplesFaithfulTest {
  private static final Duration START = Duration.ofMinutes(2);

  @Test
  void aLiveDriverExposesEveryMetricOfTheLocalSamples() throws Exception {
    Path dir = SparkSampleCapture.SAMPLES;
    try (LiveSparkDriver d = new LiveSparkDriver(SparkSampleCapture.LOCAL, Map.of())) {
      String version = d.spark.version();
      Path driverSample = dir.resolve(SparkSampleCapture.driverLocal(version));
      Path executorsSample = dir.resolve(SparkSampleCapture.executorsLocal(version));
      assertThat(driverSample)
          .as(
              "samples of Spark %s (the class path's) in %s; capture them with %s",
              version, dir.toAbsolutePath().normalize(), SparkSampleCapture.COMMAND)
          .isRegularFile();
      assertThat(executorsSample).isRegularFile();
      byte[] executorsText = Files.readAllBytes(executorsSample);
      String sampleAppId = SparkMetricsReader.readExecutors(executorsText).appId();

      d.awaitStreaming(START);
      d.startBlockingJob(SparkSampleCapture.TASKS);
      d.awaitBlocked(
          SparkSampleCapture.SLOTS, SparkSampleCapture.TASKS - SparkSampleCapture.SLOTS, START);
      String liveDriver = d.get("/metrics/prometheus/");
      String liveExecutors = d.get(SparkExecutorStates.PATH);

      Set<String> sampleDriver = metrics(Files.readAllBytes(driverSample), sampleAppId);
      Set<String> sampleExecutors = metrics(executorsText, sampleAppId);
      // the reader's gauges, with the application id taken out of their names
      assertThat(sampleDriver)
          .contains(
              "metrics_<app>_driver_DAGScheduler_stage_runningStages_Value[type]",
              "metrics_<app>_driver_spark_streaming_rate_q_inputRate_total_Value[type]");
      assertThat(sampleExecutors)
          .contains("metrics_executor_activeTasks[application_id, application_name, executor_id]");

      String recapture = "; capture the samples again with " + SparkSampleCapture.COMMAND;
      assertThat(
              missing(
                  sampleDriver, metrics(liveDriver.getBytes(StandardCharsets.UTF_8), d.appId())))
          .as(
              "metrics of the committed %s that Spark %s does not expose" + recapture,
              driverSample.getFileName(),
              version)
          .isEmpty();
      assertThat(
              missing(
                  sampleExecutors,
                  metrics(liveExecutors.getBytes(StandardCharsets.UTF_8), d.appId())))
          .as(
              "metrics of the committed %s that Spark %s does not expose" + recapture,
              executorsSample.getFileName(),
              version)
          .isEmpty();
      assertThat(label(liveExecutors.getBytes(StandardCharsets.UTF_8), "spark_info", "version"))
          .as("the Spark version of the committed samples" + recapture)
          .isEqualTo(label(executorsText, "spark_info", "version"))
          .isEqualTo(version);
    }
  }

  /** Each line's metric name (with {@code <app>} for the application id) and label names. */
  static Set<String> metrics(byte[] text, String appId) {
    String app = "metrics_" + appId.replaceAll("[^a-zA-Z0-9]", "_") + "_";
    Set<String> out = new TreeSet<>();
    new PrometheusTextParser()
        .parse(
            text,
            l -> {
              String name = l.name();
              if (name.startsWith(app)) {
                name = "metrics_<app>_" + name.substring(app.length());
              }
              List<String> labels = new ArrayList<>();
              for (int i = 0; i < l.labelCount(); i++) {
                labels.add(l.labelName(i));
              }
              labels.sort(null);
              out.add(name + labels);
            });
    return out;
  }

  private static Set<String> missing(Set<String> sample, Set<String> live) {
    Set<String> m = new TreeSet<>(sample);
    m.removeAll(live);
    return m;
  }

  private static String label(byte[] text, String metric, String label) {
    String[] v = {null};
    new PrometheusTextParser()
        .parse(
            text,
            l -> {
              if (l.nameEquals(metric)) {
                v[0] = l.label(label);
              }
            });
    return v[0];
  }
}
