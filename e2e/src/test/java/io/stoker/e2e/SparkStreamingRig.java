package io.stoker.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.app.controller.Operator;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import io.stoker.app.metrics.MetricNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The real parts of the Spark end-to-end tests: a real Spark 4.1 driver (its own JVM, local-cluster
 * master with real executor JVMs) runs a Structured Streaming query from a real Kafka broker, with
 * the Stoker plugin watching its driver pod object on the real API server; the controller (in this
 * JVM, with only the Helm chart's ServiceAccount token) reads the Kafka lag the plugin commits and
 * the driver's metrics, and writes the target annotation; the plugin applies it with
 * requestTotalExecutors and graceful decommissioning. Only the executor pods are mirrored ({@link
 * ExecutorPodMirror}): there is no kubelet.
 */
final class SparkStreamingRig {
  static final String NS = "streaming";
  static final String APP = "clicks";
  static final String TOPIC = "clicks";
  static final String GROUP = "clicks-stoker";
  static final int PARTITIONS = 3;
  static final Duration TICK = Duration.ofSeconds(2);
  static final Duration SCALE_DOWN_WINDOW = Duration.ofSeconds(15);

  ControlPlane cp;
  KubernetesClient admin;
  EmbeddedKafka kafka;
  Path work;
  SparkDriverProcess driver;
  ExecutorPodMirror mirror;
  KubernetesClient controllerClient;
  Operator controller;
  final ApiAudit audit = new ApiAudit();
  SparkPods pods;
  StreamingAppProbe probe;
  int uiPort;

  private SparkStreamingRig() {}

  /**
   * Starts every part; the query runs with {@code Trigger.ProcessingTime(trigger)} and reads at
   * most {@code recordsPerBatch} records per batch ({@code maxOffsetsPerTrigger}). What was started
   * is closed again when a later part fails.
   */
  static SparkStreamingRig start(String trigger, int recordsPerBatch) throws Exception {
    return start(trigger, recordsPerBatch, Map.of());
  }

  /** As {@link #start(String, int)}, with more controller flags. */
  static SparkStreamingRig start(String trigger, int recordsPerBatch, Map<String, String> flags)
      throws Exception {
    SparkStreamingRig r = new SparkStreamingRig();
    try {
      r.startParts(trigger, recordsPerBatch, flags);
      return r;
    } catch (Exception e) {
      try {
        r.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private void startParts(String trigger, int recordsPerBatch, Map<String, String> flags)
      throws Exception {
    cp = ControlPlane.start();
    admin = cp.adminClient();
    // The chart's defaults: its ServiceAccount, bound by the RBAC the chart renders.
    ChartInstall chart = ChartInstall.install(admin, Map.of());
    kafka = new EmbeddedKafka();
    kafka.createTopic(TOPIC, PARTITIONS);
    SparkPods.namespace(admin, NS);
    pods = new SparkPods(admin, NS, APP);
    // spark-submit's driver pod, with the target the application starts with.
    pods.driver("127.0.0.1", Map.of("stoker.io/target-executors", "1"));
    work = Files.createTempDirectory("stoker-e2e-spark");
    int port = Loopback.freePort();
    driver =
        SparkDriverProcess.start(
            sparkSettings(port, trigger, recordsPerBatch),
            Map.of("KUBECONFIG", driverKubeconfig().toString()));
    mirror = new ExecutorPodMirror(pods, driver.ui, driver.appId);
    probe = new StreamingAppProbe(admin, pods, NS, APP, driver.ui, kafka, TOPIC, GROUP, PARTITIONS);
    controllerClient = cp.clientWithToken(chart.token(), audit);
    controller =
        InProcessController.start(
            controllerClient, "stoker-0", InProcessController.flags(withFlags(flags)));
    uiPort = port;
  }

  private static Map<String, String> withFlags(Map<String, String> more) {
    Map<String, String> m = new HashMap<>(more);
    m.put("namespace", NS);
    m.put("tick-interval", TICK.toMillis() + "ms");
    return m;
  }

  /** Stops every part that was started, also after a failure. */
  void close() throws Exception {
    Closing.all(
        controller == null ? null : () -> controller.close(Duration.ofSeconds(10)),
        controllerClient,
        mirror,
        driver,
        kafka,
        admin,
        cp,
        work == null ? null : () -> deleteTree(work));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  private Map<String, String> sparkSettings(int port, String trigger, int recordsPerBatch) {
    Map<String, String> s = new HashMap<>();
    s.put("spark.master", "local-cluster[" + PARTITIONS + ",1,1024]");
    s.put("spark.app.name", APP);
    s.put("spark.plugins", "io.stoker.spark.StokerPlugin");
    s.put("spark.dynamicAllocation.enabled", "false");
    s.put("spark.decommission.enabled", "true");
    s.put("spark.metrics.namespace", APP);
    s.put(
        "spark.metrics.conf.*.sink.prometheusServlet.class",
        "org.apache.spark.metrics.sink.PrometheusServlet");
    s.put("spark.metrics.conf.*.sink.prometheusServlet.path", "/metrics/prometheus");
    s.put("spark.sql.streaming.metricsEnabled", "true");
    s.put("spark.driver.host", "127.0.0.1");
    s.put("spark.driver.bindAddress", "127.0.0.1");
    s.put("spark.ui.port", String.valueOf(port));
    s.put("spark.ui.showConsoleProgress", "false");
    s.put("spark.sql.shuffle.partitions", "2");
    s.put("spark.executor.cores", "1");
    s.put("spark.executor.memory", "512m");
    s.put("spark.executor.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    // The plugin: its driver pod on the API server (through KUBECONFIG), fast reconnects.
    s.put("spark.kubernetes.driver.pod.name", pods.driverName());
    s.put("spark.kubernetes.namespace", NS);
    s.put("spark.stoker.kubernetes.backoff.initial", "200ms");
    s.put("spark.stoker.kubernetes.backoff.max", "2s");
    s.put("spark.stoker.kubernetes.resyncInterval", "5s");
    s.put("spark.stoker.reconcileInterval", "250ms");
    s.put("spark.stoker.kafka.commitGroup", GROUP);
    s.put("spark.stoker.kafka.bootstrapServers", kafka.bootstrap());
    // The query: 2 ms of work per record, so one executor drains ~500 records/s and three ~1500/s.
    s.put("stoker.e2e.bootstrap", kafka.bootstrap());
    s.put("stoker.e2e.topic", TOPIC);
    s.put("stoker.e2e.checkpoint", work.resolve("checkpoint").toString());
    s.put("stoker.e2e.recordCostMicros", "2000");
    s.put("stoker.e2e.maxOffsetsPerTrigger", String.valueOf(recordsPerBatch));
    s.put("stoker.e2e.trigger", trigger);
    return s;
  }

  /**
   * The driver's ServiceAccount (get and watch pods, as the plugin's README asks) as a kubeconfig.
   */
  private Path driverKubeconfig() throws IOException {
    WorkloadIdentity driver =
        WorkloadIdentity.grant(
            admin,
            NS,
            "spark-driver",
            "spark-driver-stoker",
            new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("pods")
                .withVerbs("get", "watch")
                .build());
    return WorkloadIdentity.privateFile(work, "kubeconfig", driver.kubeconfig(cp));
  }

  ExecutorAutoscalerSpec spec() {
    return Autoscalers.onSparkDriver(
        APP, kafka.bootstrap(), GROUP, TOPIC, PARTITIONS, uiPort, SCALE_DOWN_WINDOW);
  }

  Optional<ExecutorAutoscalerStatus> status() {
    return probe.status();
  }

  boolean metricsAvailable() {
    return probe.metricsAvailable();
  }

  int desired() {
    return probe.desired();
  }

  int annotation() {
    return probe.annotation();
  }

  /**
   * The evaluations the controller counted with this reason ({@code
   * stoker_scaling_decisions_total}), in any direction.
   */
  double decisions(String reason) {
    double n = 0;
    for (var f :
        java.util.Collections.list(controller.metrics().registry().metricFamilySamples())) {
      for (var sample : f.samples) {
        if (sample.name.equals(MetricNames.SCALING_DECISIONS_TOTAL)
            && sample.labelValues.contains(reason)) {
          n += sample.value;
        }
      }
    }
    return n;
  }

  /** A plugin gauge from the driver's PrometheusServlet, or NaN when absent. */
  double pluginGauge(String gauge) throws IOException, InterruptedException {
    return probe.pluginGauge(gauge);
  }

  /** Records in the topic not yet committed by the query's group. */
  long lag() throws Exception {
    return probe.lag();
  }

  void awaitExecutors(int n, Duration atMost) {
    await("executors = " + n)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                mirror.liveExecutors().size() == n
                    && mirror.mirroredCount() == n
                    && pluginGauge("appliedTargetExecutors") == n
                    && pluginGauge("decommissioningExecutors") == 0);
  }
}
