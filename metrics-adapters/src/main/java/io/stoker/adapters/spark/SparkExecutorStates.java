package io.stoker.adapters.spark;

import io.stoker.adapters.prometheus.PrometheusTextParser;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-executor state from the driver's {@code /metrics/executors/prometheus} (Spark's {@code
 * PrometheusResource}, Spark 4.1): running tasks, cached blocks and shuffle written, by executor
 * id. The driver's own row ({@code executor_id="driver"}) is left out. Pure: parses text.
 */
public final class SparkExecutorStates {
  /** The endpoint path on the driver UI port. */
  public static final String PATH = "/metrics/executors/prometheus";

  private SparkExecutorStates() {}

  /**
   * One executor as the driver sees it.
   *
   * @param activeTasks tasks running now
   * @param rddBlocks cached RDD blocks it holds
   * @param diskUsedBytes disk used by its cached blocks
   * @param shuffleWriteBytes shuffle bytes it has written so far (a counter)
   */
  public record ExecutorState(
      long activeTasks, long rddBlocks, long diskUsedBytes, long shuffleWriteBytes) {}

  /** Executors by id; an executor without a given family counts 0 there. */
  public static Map<String, ExecutorState> parse(byte[] text) {
    Map<String, long[]> raw = new TreeMap<>();
    new PrometheusTextParser()
        .parse(
            text,
            line -> {
              int field = field(line.name());
              String id = line.label("executor_id");
              if (field < 0
                  || id == null
                  || "driver".equals(id)
                  || !Double.isFinite(line.value())) {
                return;
              }
              raw.computeIfAbsent(id, k -> new long[4])[field] = (long) line.value();
            });
    Map<String, ExecutorState> out = new TreeMap<>();
    raw.forEach((id, v) -> out.put(id, new ExecutorState(v[0], v[1], v[2], v[3])));
    return out;
  }

  private static int field(String name) {
    return switch (name) {
      case "metrics_executor_activeTasks" -> 0;
      case "metrics_executor_rddBlocks" -> 1;
      case "metrics_executor_diskUsed_bytes" -> 2;
      case "metrics_executor_totalShuffleWrite_bytes_total" -> 3;
      default -> -1;
    };
  }
}
