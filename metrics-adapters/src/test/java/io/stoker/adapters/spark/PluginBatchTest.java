package io.stoker.adapters.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.adapters.spi.Reading;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The plugin's batch-progress gauges, from the driver's Prometheus text to the checked {@link
 * SparkSnapshot.Batch}: what is taken, and every way a value is refused (the whole batch is then
 * absent: never acted on).
 */
class PluginBatchTest {
  private static final String DAG =
      "metrics_ns_driver_DAGScheduler_stage_runningStages_Value{type=\"gauges\"} 1\n"
          + "metrics_ns_driver_DAGScheduler_stage_waitingStages_Value{type=\"gauges\"} 0\n"
          + "metrics_ns_driver_DAGScheduler_stage_failedStages_Value{type=\"gauges\"} 0\n"
          + "metrics_ns_driver_DAGScheduler_job_activeJobs_Value{type=\"gauges\"} 1\n";

  /** A sane batch: 12,000 rows in 4 s (3.2 s of tasks, 12.8 slot-s), 10 s trigger, 2 s ago. */
  private static Map<String, String> good() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("batchId", "41");
    m.put("lastBatchInputRows", "12000");
    m.put("batchDurationMs", "4000");
    m.put("addBatchMs", "3200");
    m.put("triggerIntervalMs", "10000");
    m.put("batchTaskSlotMs", "12800");
    m.put("lastBatchAgeMs", "2000");
    return m;
  }

  private static Map<String, String> with(String gauge, String value) {
    Map<String, String> m = good();
    if (value == null) {
      m.remove(gauge);
    } else {
      m.put(gauge, value);
    }
    return m;
  }

  static Optional<SparkSnapshot.Batch> read(Map<String, String> gauges) {
    StringBuilder text = new StringBuilder(DAG);
    gauges.forEach(
        (g, v) ->
            text.append("metrics_ns_driver_plugin_io_stoker_spark_StokerPlugin_streaming_orders_")
                .append(g)
                .append("_Value{type=\"gauges\"} ")
                .append(v)
                .append('\n'));
    SparkMetricsReader.DriverGauges d =
        SparkMetricsReader.readDriver(text.toString().getBytes(StandardCharsets.UTF_8), "ns");
    return d.plugin().orElseThrow().queries().get("orders").lastBatch();
  }

  private static final SparkSnapshot.Batch GOOD =
      new SparkSnapshot.Batch(
          41,
          12_000,
          4.0,
          OptionalDouble.of(3.2),
          OptionalDouble.of(10.0),
          OptionalDouble.of(12.8),
          2.0);

  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of("a sane batch", good(), Optional.of(GOOD)),
        Arguments.of(
            "back to back (interval 0)",
            with("triggerIntervalMs", "0"),
            Optional.of(
                new SparkSnapshot.Batch(
                    41,
                    12_000,
                    4.0,
                    OptionalDouble.of(3.2),
                    OptionalDouble.of(0),
                    OptionalDouble.of(12.8),
                    2.0))),
        Arguments.of(
            "interval not known yet (-1)",
            with("triggerIntervalMs", "-1"),
            Optional.of(
                new SparkSnapshot.Batch(
                    41,
                    12_000,
                    4.0,
                    OptionalDouble.of(3.2),
                    OptionalDouble.empty(),
                    OptionalDouble.of(12.8),
                    2.0))),
        Arguments.of(
            "task time not measured (-1)",
            with("batchTaskSlotMs", "-1"),
            Optional.of(
                new SparkSnapshot.Batch(
                    41,
                    12_000,
                    4.0,
                    OptionalDouble.of(3.2),
                    OptionalDouble.of(10.0),
                    OptionalDouble.empty(),
                    2.0))),
        Arguments.of(
            "rows but 0 ms of tasks: below Spark's resolution, says nothing",
            with("batchTaskSlotMs", "0"),
            Optional.of(
                new SparkSnapshot.Batch(
                    41,
                    12_000,
                    4.0,
                    OptionalDouble.of(3.2),
                    OptionalDouble.of(10.0),
                    OptionalDouble.empty(),
                    2.0))),
        Arguments.of(
            "a batch without data (state clean-up): taken",
            with("lastBatchInputRows", "0"),
            Optional.of(
                new SparkSnapshot.Batch(
                    41,
                    0,
                    4.0,
                    OptionalDouble.of(3.2),
                    OptionalDouble.of(10.0),
                    OptionalDouble.of(12.8),
                    2.0))),
        Arguments.of("no batch yet (id -1)", with("batchId", "-1"), Optional.empty()),
        Arguments.of("a plugin without batch age", with("lastBatchAgeMs", null), Optional.empty()),
        Arguments.of("a plugin without batch id", with("batchId", null), Optional.empty()),
        Arguments.of("NaN rows", with("lastBatchInputRows", "NaN"), Optional.empty()),
        Arguments.of("fractional rows", with("lastBatchInputRows", "12.5"), Optional.empty()),
        Arguments.of("fractional batch id", with("batchId", "41.5"), Optional.empty()),
        Arguments.of("rows beyond 1e12", with("lastBatchInputRows", "2e12"), Optional.empty()),
        Arguments.of("infinite duration", with("batchDurationMs", "+Inf"), Optional.empty()),
        Arguments.of("duration beyond a day", with("batchDurationMs", "9e7"), Optional.empty()),
        Arguments.of("interval beyond a day", with("triggerIntervalMs", "9e7"), Optional.empty()),
        Arguments.of("task time beyond 1e12 ms", with("batchTaskSlotMs", "2e12"), Optional.empty()),
        Arguments.of("infinite task phase", with("addBatchMs", "+Inf"), Optional.empty()),
        Arguments.of(
            "task phase longer than the batch (a mixed scrape)",
            with("addBatchMs", "4001"),
            Optional.empty()),
        Arguments.of(
            "stale: older than 2 × max(interval, duration) + 5 s",
            with("lastBatchAgeMs", "25001"),
            Optional.empty()),
        Arguments.of(
            "just fresh: 2 × 10 s + 5 s",
            with("lastBatchAgeMs", "25000"),
            Optional.of(
                new SparkSnapshot.Batch(
                    41,
                    12_000,
                    4.0,
                    OptionalDouble.of(3.2),
                    OptionalDouble.of(10.0),
                    OptionalDouble.of(12.8),
                    25.0))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void batchFromGauges(String why, Map<String, String> gauges, Optional<SparkSnapshot.Batch> want) {
    assertThat(read(gauges)).as(why).isEqualTo(want);
  }

  @Test
  void staleIsMeasuredAgainstTheBatchItselfWithoutAnInterval() {
    Map<String, String> m = with("triggerIntervalMs", "-1");
    m.put("lastBatchAgeMs", "13000"); // 2 × 4 s + 5 s
    assertThat(read(m)).isPresent();
    m.put("lastBatchAgeMs", "13001");
    assertThat(read(m)).isEmpty();
  }

  @Test
  void theReadingTakesABatchOnlyWhenExactlyOneQueryPublishesBatchProgress() {
    // 12,000 rows in 4 s (3.2 s of tasks, 12.8 slot-seconds), a 10 s trigger, ended 2 s ago
    SparkSnapshot.PluginQuery orders =
        new SparkSnapshot.PluginQuery(
            3000, 3000, 4000, 0, 0, 12_000, 41, 3200, 10_000, 12_800, 2000);
    SparkSnapshot.PluginQuery old = new SparkSnapshot.PluginQuery(10, 10, 100, 0, 0);

    assertThat(SparkDriverAdapter.lastBatch(plugin(Map.of("orders", orders, "old", old))))
        .as("the other query publishes no batch progress")
        .contains(
            new Reading.MicroBatch(
                12_000,
                4.0,
                OptionalDouble.of(3.2),
                OptionalDouble.of(10.0),
                OptionalDouble.of(12.8)));
    assertThat(SparkDriverAdapter.lastBatch(plugin(Map.of("a", orders, "b", orders))))
        .as("two queries: no one batch to size for")
        .isEmpty();
    assertThat(SparkDriverAdapter.lastBatch(plugin(Map.of("old", old)))).isEmpty();
  }

  private static SparkSnapshot.StokerPlugin plugin(Map<String, SparkSnapshot.PluginQuery> qs) {
    return new SparkSnapshot.StokerPlugin(3, 0, qs);
  }
}
