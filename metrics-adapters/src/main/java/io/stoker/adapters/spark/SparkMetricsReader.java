package io.stoker.adapters.spark;

import io.stoker.adapters.prometheus.MetricLine;
import io.stoker.adapters.prometheus.PrometheusTextParser;
import io.stoker.adapters.prometheus.SampleHandler;
import io.stoker.adapters.spi.AdapterException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the texts a Spark driver serves into parts of a {@link SparkSnapshot}. Pure: no I/O, so it
 * is tested on the captured samples as well as on a live driver.
 */
public final class SparkMetricsReader {
  /**
   * Prometheus stem of the Stoker plugin's metric source {@code
   * plugin.io.stoker.spark.StokerPlugin}.
   */
  public static final String PLUGIN_STEM = "plugin_io_stoker_spark_StokerPlugin_";

  private static final String STREAMING = "spark_streaming_";
  private static final String EAM = "ExecutorAllocationManager_executors_";

  /** The plugin's per-query gauges (scaler/spark-plugin/README.md), in PluginQuery order. */
  private static final String[] QUERY_GAUGES = {
    "inputRowsPerSecond",
    "processedRowsPerSecond",
    "batchDurationMs",
    "offsetsBehindLatestSum",
    "offsetsBehindLatestMax",
    "lastBatchInputRows",
    "batchId",
    "addBatchMs",
    "triggerIntervalMs",
    "batchTaskSlotMs",
    "lastBatchAgeMs"
  };

  /** Prefix of the plugin's per-query gauges: {@code streaming_<query>_<gauge>}. */
  private static final String PLUGIN_QUERY = "streaming_";

  private SparkMetricsReader() {}

  /** Spark's {@code normalizeKey} character rule: every non-alphanumeric character becomes '_'. */
  public static String normalize(String s) {
    return s.replaceAll("[^a-zA-Z0-9]", "_");
  }

  /** The driver gauges found in {@code /metrics/prometheus/} text. */
  public record DriverGauges(
      long runningStages,
      long waitingStages,
      long failedStages,
      long activeJobs,
      Map<String, SparkSnapshot.StreamingQuery> streamingQueries,
      Optional<SparkSnapshot.AllocationManager> allocationManager,
      Optional<SparkSnapshot.StokerPlugin> plugin) {}

  /**
   * Reads the driver's PrometheusServlet text.
   *
   * @param metricsNamespace {@code spark.metrics.namespace} if the app sets one, else null (the app
   *     id is then inside the names and any {@code metrics_<x>_driver_} prefix is accepted)
   * @throws AdapterException MALFORMED with the line for bad text, or when the DAGScheduler gauges
   *     (always registered by Spark) are missing, e.g. for a wrong namespace
   */
  public static DriverGauges readDriver(byte[] text, String metricsNamespace) {
    DriverCollector c = new DriverCollector(metricsNamespace);
    new PrometheusTextParser().parse(text, c);
    return c.result();
  }

  private static final class DriverCollector implements SampleHandler {
    private final String prefix;
    private final Map<String, Double> dag = new TreeMap<>();
    private final Map<String, double[]> queries = new TreeMap<>();
    private final Map<String, Double> eam = new TreeMap<>();
    private final Map<String, Double> pluginTop = new TreeMap<>();
    private final Map<String, double[]> pluginQueries = new TreeMap<>();
    private boolean pluginSeen;

    DriverCollector(String metricsNamespace) {
      this.prefix =
          metricsNamespace == null || metricsNamespace.isBlank()
              ? null
              : "metrics_" + normalize(metricsNamespace) + "_driver_";
    }

    @Override
    public boolean wants(MetricLine line) {
      // Only the _Value twins of the driver's gauges (a few dozen of several hundred lines).
      return line.nameEndsWith("_Value")
          && line.nameStartsWith(prefix != null ? prefix : "metrics_");
    }

    @Override
    public void sample(MetricLine line) {
      if (!line.nameEndsWith("_Value")) {
        return;
      }
      int stemStart;
      if (prefix != null) {
        if (!line.nameStartsWith(prefix)) {
          return;
        }
        stemStart = prefix.length();
      } else {
        if (!line.nameStartsWith("metrics_")) {
          return;
        }
        int d = line.nameIndexOf("_driver_", "metrics_".length());
        if (d < 0) {
          return;
        }
        stemStart = d + "_driver_".length();
      }
      String stem = line.nameSubstring(stemStart, line.nameLength() - "_Value".length());
      dispatch(stem, line.value());
    }

    private void dispatch(String stem, double v) {
      if (stem.startsWith("DAGScheduler_")) {
        dag.put(stem, v);
      } else if (stem.startsWith(STREAMING)) {
        streaming(stem.substring(STREAMING.length()), v);
      } else if (stem.startsWith(EAM)) {
        eam.put(stem.substring(EAM.length()), v);
      } else if (stem.startsWith(PLUGIN_STEM)) {
        pluginSeen = true;
        plugin(stem.substring(PLUGIN_STEM.length()), v);
      }
    }

    private void streaming(String rest, double v) {
      String[] suffixes = {"_inputRate_total", "_processingRate_total", "_latency"};
      for (int k = 0; k < suffixes.length; k++) {
        if (rest.endsWith(suffixes[k]) && rest.length() > suffixes[k].length()) {
          String q = rest.substring(0, rest.length() - suffixes[k].length());
          queries.computeIfAbsent(q, x -> nanArray(3))[k] = v;
          return;
        }
      }
    }

    private void plugin(String rest, double v) {
      if (rest.startsWith(PLUGIN_QUERY)) {
        String qr = rest.substring(PLUGIN_QUERY.length());
        for (int k = 0; k < QUERY_GAUGES.length; k++) {
          String suffix = "_" + QUERY_GAUGES[k];
          if (qr.endsWith(suffix) && qr.length() > suffix.length()) {
            String q = qr.substring(0, qr.length() - suffix.length());
            // the plugin publishes -1 for "unknown" (no Kafka source, no batch yet): not a value
            pluginQueries.computeIfAbsent(q, x -> nanArray(QUERY_GAUGES.length))[k] =
                v < 0 ? Double.NaN : v;
            return;
          }
        }
      } else {
        pluginTop.put(rest, v);
      }
    }

    private static double[] nanArray(int n) {
      double[] a = new double[n];
      java.util.Arrays.fill(a, Double.NaN);
      return a;
    }

    DriverGauges result() {
      String[] required = {
        "DAGScheduler_stage_runningStages",
        "DAGScheduler_stage_waitingStages",
        "DAGScheduler_stage_failedStages",
        "DAGScheduler_job_activeJobs"
      };
      for (String r : required) {
        if (!dag.containsKey(r)) {
          throw new AdapterException(
              AdapterException.Kind.MALFORMED,
              "driver metrics lack "
                  + r
                  + (prefix == null
                      ? " (is the PrometheusServlet sink enabled?)"
                      : " under prefix " + prefix + " (check spark.metrics.namespace)"));
        }
      }
      Map<String, SparkSnapshot.StreamingQuery> qs = new TreeMap<>();
      queries.forEach((q, a) -> qs.put(q, new SparkSnapshot.StreamingQuery(a[0], a[1], a[2])));
      return new DriverGauges(
          dag.get(required[0]).longValue(),
          dag.get(required[1]).longValue(),
          dag.get(required[2]).longValue(),
          dag.get(required[3]).longValue(),
          qs,
          allocationManager(),
          pluginSeen ? Optional.of(pluginGauges()) : Optional.empty());
    }

    private Optional<SparkSnapshot.AllocationManager> allocationManager() {
      if (eam.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          new SparkSnapshot.AllocationManager(
              eamValue("numberTargetExecutors"),
              eamValue("numberAllExecutors"),
              eamValue("numberMaxNeededExecutors"),
              eamValue("numberExecutorsToAdd"),
              eamValue("numberExecutorsPendingToRemove"),
              eamValue("numberDecommissioningExecutors")));
    }

    private long eamValue(String name) {
      Double v = eam.get(name);
      if (v == null) {
        throw new AdapterException(
            AdapterException.Kind.MALFORMED,
            "ExecutorAllocationManager gauge " + name + " missing");
      }
      return v.longValue();
    }

    private SparkSnapshot.StokerPlugin pluginGauges() {
      Map<String, SparkSnapshot.PluginQuery> pq = new TreeMap<>();
      pluginQueries.forEach(
          (q, a) ->
              pq.put(
                  q,
                  new SparkSnapshot.PluginQuery(
                      a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10])));
      return new SparkSnapshot.StokerPlugin(
          pluginTop.getOrDefault("appliedTargetExecutors", -1.0).longValue(),
          pluginTop.getOrDefault("decommissioningExecutors", -1.0).longValue(),
          pq);
    }
  }

  /** Executor rows and the application id from {@code /metrics/executors/prometheus}. */
  public record ExecutorRows(String appId, SparkSnapshot.Executors executors) {}

  /**
   * Reads the executors endpoint text.
   *
   * @throws AdapterException MALFORMED for bad text or when no executor row is present (the driver
   *     row is always there)
   */
  public static ExecutorRows readExecutors(byte[] text) {
    Set<String> ids = new HashSet<>();
    long[] sums = new long[3];
    String[] appId = {null};
    new PrometheusTextParser()
        .parse(
            text,
            new SampleHandler() {
              @Override
              public boolean wants(MetricLine line) {
                return line.nameEquals("metrics_executor_totalCores")
                    || line.nameEquals("metrics_executor_activeTasks")
                    || line.nameEquals("metrics_executor_maxTasks");
              }

              @Override
              public void sample(MetricLine line) {
                executorRow(line, ids, sums, appId);
              }
            });
    if (ids.isEmpty()) {
      throw new AdapterException(
          AdapterException.Kind.MALFORMED,
          "executors endpoint has no metrics_executor_totalCores row");
    }
    int count = ids.contains("driver") ? ids.size() - 1 : ids.size();
    return new ExecutorRows(
        appId[0], new SparkSnapshot.Executors(count, sums[0], sums[1], sums[2]));
  }

  /** Adds one executor row (totalCores, activeTasks or maxTasks) to the sums. */
  private static void executorRow(MetricLine line, Set<String> ids, long[] sums, String[] appId) {
    String id = line.label("executor_id");
    if (id == null) {
      return;
    }
    if (appId[0] == null) {
      appId[0] = line.label("application_id");
    }
    if (line.nameEquals("metrics_executor_totalCores")) {
      ids.add(id);
      sums[2] += (long) line.value();
    } else if (line.nameEquals("metrics_executor_activeTasks")) {
      sums[0] += (long) line.value();
    } else if (line.nameEquals("metrics_executor_maxTasks")) {
      sums[1] += (long) line.value();
    }
  }

  /** The id of the (single) live application in {@code /api/v1/applications}. */
  public static String readApplicationId(String json) {
    try {
      JsonArray apps = new JsonArray(json);
      if (apps.isEmpty() || !(apps.getValue(0) instanceof JsonObject)) {
        throw new AdapterException(AdapterException.Kind.NOT_FOUND, "no live Spark application");
      }
      String id = apps.getJsonObject(0).getString("id");
      if (id == null) {
        throw new AdapterException(AdapterException.Kind.MALFORMED, "application without id");
      }
      return id;
    } catch (DecodeException | ClassCastException e) {
      throw new AdapterException(
          AdapterException.Kind.MALFORMED, "applications list is not a JSON array of objects");
    }
  }

  /** Summarises {@code /stages?status=active&status=pending}. */
  public static SparkSnapshot.Stages readStages(String json) {
    try {
      JsonArray stages = new JsonArray(json);
      int active = 0;
      int pending = 0;
      long activeTasks = 0;
      long pendingTasks = 0;
      for (int i = 0; i < stages.size(); i++) {
        JsonObject s = stages.getJsonObject(i);
        String status = s.getString("status", "");
        long numTasks = s.getLong("numTasks", 0L);
        long running = s.getLong("numActiveTasks", 0L);
        long done = s.getLong("numCompletedIndices", 0L);
        if ("ACTIVE".equals(status)) {
          active++;
        } else if ("PENDING".equals(status)) {
          pending++;
        } else {
          continue;
        }
        activeTasks += running;
        pendingTasks += Math.max(0, numTasks - done - running);
      }
      return new SparkSnapshot.Stages(active, pending, activeTasks, pendingTasks);
    } catch (DecodeException | ClassCastException e) {
      throw new AdapterException(
          AdapterException.Kind.MALFORMED, "stages answer is not a JSON array of stage objects");
    }
  }
}
