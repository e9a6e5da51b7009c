package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import io.stoker.app.signals.AdapterSignalCollector;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The micro-batch rules in production wiring: a driver (a loopback HTTP server answering as a Spark
 * driver with the Stoker plugin does) → the Spark driver adapter → the signal collector → the
 * decision → the driver pod's target annotation and the status. Two autoscalers see the same query
 * with a 30 s trigger; one driver's plugin publishes batch progress, the other's (an older plugin)
 * does not. The records that wait for the next trigger are a standing backlog for the first, so it
 * holds fewer executors than the second, which takes them for a backlog to drain.
 */
class BatchDecisionTest extends MockServerControllerTest {
  private final List<HttpServer> drivers = new ArrayList<>();
  private AdapterSignalCollector collector;

  @AfterEach
  void stopDrivers() {
    if (operator != null) {
      operator.close(Duration.ofSeconds(5));
      operator = null;
    }
    drivers.forEach(d -> d.stop(0));
  }

  /** Prometheus text of a driver: the DAGScheduler gauges, Spark's streaming source, the plugin. */
  static String driverText(Map<String, String> pluginQueryGauges) {
    StringBuilder t = new StringBuilder();
    String p = "metrics_orders_driver_";
    t.append(p).append("DAGScheduler_stage_runningStages_Value{type=\"gauges\"} 1\n");
    t.append(p).append("DAGScheduler_stage_waitingStages_Value{type=\"gauges\"} 0\n");
    t.append(p).append("DAGScheduler_stage_failedStages_Value{type=\"gauges\"} 0\n");
    t.append(p).append("DAGScheduler_job_activeJobs_Value{type=\"gauges\"} 1\n");
    // 1,000 records/s arriving; the last batch processed 30,000 rows in 6 s
    t.append(p).append("spark_streaming_orders_inputRate_total_Value{type=\"gauges\"} 1000\n");
    t.append(p).append("spark_streaming_orders_processingRate_total_Value{type=\"gauges\"} 5000\n");
    t.append(p).append("spark_streaming_orders_latency_Value{type=\"gauges\"} 6000\n");
    String q = p + "plugin_io_stoker_spark_StokerPlugin_streaming_orders_";
    pluginQueryGauges.forEach(
        (g, v) -> t.append(q).append(g).append("_Value{type=\"gauges\"} ").append(v).append('\n'));
    return t.toString();
  }

  /** Four executors of four task slots, four tasks running. */
  static String executorsText() {
    StringBuilder t = new StringBuilder();
    for (String id : List.of("driver", "1", "2", "3", "4")) {
      String labels = "{application_id=\"app-1\", application_name=\"orders\", executor_id=\"" + id;
      int cores = id.equals("driver") ? 0 : 4;
      t.append("metrics_executor_totalCores").append(labels).append("\"} ").append(cores);
      t.append('\n');
      t.append("metrics_executor_maxTasks").append(labels).append("\"} ").append(cores);
      t.append('\n');
      t.append("metrics_executor_activeTasks").append(labels).append("\"} ");
      t.append(cores == 0 ? 0 : 1).append('\n');
    }
    return t.toString();
  }

  private int serve(String metrics) throws IOException {
    HttpServer d = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    respond(d, "/metrics/prometheus/", metrics);
    respond(d, "/metrics/executors/prometheus", executorsText());
    d.setExecutor(Executors.newFixedThreadPool(2));
    d.start();
    drivers.add(d);
    return d.getAddress().getPort();
  }

  private static void respond(HttpServer d, String path, String body) {
    d.createContext(
        path,
        ex -> {
          byte[] b = body.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, b.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
          }
        });
  }

  private void autoscaler(String app, int driverPort) {
    Fixtures.driver(client, NS, app, "127.0.0.1");
    Fixtures.executors(client, app, 4);
    ExecutorAutoscalerSpec spec = Fixtures.spec(app);
    spec.signals.kafka = null;
    spec.signals.spark = new ExecutorAutoscalerSpec.SparkSignal();
    spec.signals.spark.port = driverPort;
    spec.signals.spark.metricsNamespace = "orders";
    Fixtures.create(client, app, spec);
  }

  @Test
  void theBatchRulesDecideWhenThePluginPublishesBatchProgress() throws Exception {
    Map<String, String> old = new LinkedHashMap<>();
    old.put("inputRowsPerSecond", "1000");
    old.put("processedRowsPerSecond", "5000");
    old.put("batchDurationMs", "6000");
    old.put("lastBatchInputRows", "30000");
    old.put("batchId", "118");
    // 20,000 records behind: those that arrived since the batch was planned
    old.put("offsetsBehindLatestSum", "20000");
    old.put("offsetsBehindLatestMax", "1300");
    Map<String, String> batches = new LinkedHashMap<>(old);
    // a 30 s trigger; 5 s of tasks on 16 slots, 40 slot-seconds; ended 3 s ago
    batches.put("addBatchMs", "5000");
    batches.put("triggerIntervalMs", "30000");
    batches.put("batchTaskSlotMs", "40000");
    batches.put("lastBatchAgeMs", "3000");
    autoscaler("batched", serve(driverText(batches)));
    autoscaler("plain", serve(driverText(old)));
    collector = new AdapterSignalCollector(new AdapterContext(clock));
    operator = Fixtures.start(client, Fixtures.fastConfig(), "batches", clock, collector);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              ExecutorAutoscalerStatus b = Fixtures.status(client, "batched");
              ExecutorAutoscalerStatus p = Fixtures.status(client, "plain");
              return b != null
                  && b.desiredExecutors != null
                  && p != null
                  && p.desiredExecutors != null;
            });
    ExecutorAutoscalerStatus batched = Fixtures.status(client, "batched");
    ExecutorAutoscalerStatus plain = Fixtures.status(client, "plain");
    assertThat(batched.lastBatch).as("the decision's observation had the batch").isNotNull();
    assertThat(batched.lastBatch.inputRows).isEqualTo(30_000L);
    assertThat(batched.lastBatch.seconds).isEqualTo(6.0);
    assertThat(batched.lastBatch.taskSeconds).isEqualTo(5.0);
    assertThat(batched.lastBatch.triggerIntervalSeconds).isEqualTo(30.0);
    assertThat(batched.lastBatch.taskSlotSeconds).isEqualTo(40.0);
    assertThat(plain.lastBatch).as("an older plugin publishes no batch").isNull();
    assertThat(batched.lastDecision.reason).contains("0 beyond what waits for the next batch");
    assertThat(plain.lastDecision.reason).contains("backlog still draining");
    assertThat(Fixtures.target(client, "batched"))
        .as("records waiting for the next trigger are no backlog to drain: " + batched.lastDecision)
        .isLessThan(Fixtures.target(client, "plain"));
  }
}
