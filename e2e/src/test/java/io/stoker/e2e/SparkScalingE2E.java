package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import io.stoker.app.reconcile.Operator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The main job end to end on real parts: a real Spark 4.1 driver (its own JVM, local-cluster master
 * with real executor JVMs) runs a Structured Streaming query from a real Kafka broker, with the
 * Stoker plugin watching its driver pod object on the real API server; the controller (in this JVM,
 * with only the Helm chart's ServiceAccount token) reads the Kafka lag the plugin commits and the
 * driver's metrics, and writes the target annotation; the plugin applies it with
 * requestTotalExecutors and graceful decommissioning. Only the executor pods are mirrored by the
 * test ({@link ExecutorPodMirror}): there is no kubelet.
 */
class SparkScalingE2E {
  private static final String NS = "streaming";
  private static final String APP = "clicks";
  private static final String TOPIC = "clicks";
  private static final String GROUP = "clicks-stoker";
  private static final int PARTITIONS = 3;
  private static final Duration TICK = Duration.ofSeconds(2);
  private static final Duration SCALE_DOWN_WINDOW = Duration.ofSeconds(15);

  private static ControlPlane cp;
  private static KubernetesClient admin;
  private static EmbeddedKafka kafka;
  private static Path work;
  private static SparkDriverProcess driver;
  private static ExecutorPodMirror mirror;
  private static KubernetesClient controllerClient;
  private static Operator controller;
  private static final ApiAudit AUDIT = new ApiAudit();
  private static SparkPods pods;
  private static int uiPort;

  @BeforeAll
  static void start() throws Exception {
    // JUnit runs @AfterAll also when this fails: stop() closes whatever was started.
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
    int port = freePort();
    driver =
        SparkDriverProcess.start(
            sparkSettings(port), Map.of("KUBECONFIG", driverKubeconfig().toString()));
    mirror = new ExecutorPodMirror(pods, driver.ui, driver.appId);
    controllerClient = cp.clientWithToken(chart.token(), AUDIT);
    controller =
        InProcessController.start(
            controllerClient,
            "stoker-0",
            InProcessController.flags(
                Map.of("namespace", NS, "tick-interval", TICK.toMillis() + "ms")));
    uiPort = port;
  }

  @AfterAll
  static void stop() throws Exception {
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

  private static Map<String, String> sparkSettings(int port) {
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
    // The query: 2 ms of work per record, 500 records per partition and batch, so one executor
    // drains ~500 records/s and three ~1500/s.
    s.put("stoker.e2e.bootstrap", kafka.bootstrap());
    s.put("stoker.e2e.topic", TOPIC);
    s.put("stoker.e2e.checkpoint", work.resolve("checkpoint").toString());
    s.put("stoker.e2e.recordCostMicros", "2000");
    s.put("stoker.e2e.maxOffsetsPerTrigger", String.valueOf(500 * PARTITIONS));
    return s;
  }

  /**
   * The driver's ServiceAccount (get and watch pods, as the plugin's README asks) as a kubeconfig.
   */
  private static Path driverKubeconfig() throws IOException {
    admin
        .serviceAccounts()
        .inNamespace(NS)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("spark-driver")
                .withNamespace(NS)
                .endMetadata()
                .build())
        .create();
    admin
        .rbac()
        .roles()
        .inNamespace(NS)
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName("spark-driver-stoker")
                .withNamespace(NS)
                .endMetadata()
                .addNewRule()
                .withApiGroups("")
                .withResources("pods")
                .withVerbs("get", "watch")
                .endRule()
                .build())
        .create();
    admin
        .rbac()
        .roleBindings()
        .inNamespace(NS)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName("spark-driver-stoker")
                .withNamespace(NS)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "spark-driver-stoker")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName("spark-driver")
                .withNamespace(NS)
                .endSubject()
                .build())
        .create();
    String token =
        admin
            .serviceAccounts()
            .inNamespace(NS)
            .withName("spark-driver")
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    Path file = work.resolve("kubeconfig");
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        file,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: e2e",
            "  cluster: {server: \"" + cp.server() + "\", insecure-skip-tls-verify: true}",
            "users:",
            "- name: spark-driver",
            "  user: {token: \"" + token + "\"}",
            "contexts:",
            "- name: e2e",
            "  context: {cluster: e2e, user: spark-driver, namespace: " + NS + "}",
            "current-context: e2e",
            ""));
    return file;
  }

  private static ExecutorAutoscalerSpec spec(int port) {
    ExecutorAutoscalerSpec s =
        Autoscalers.onKafkaLag(APP, kafka.bootstrap(), GROUP, TOPIC, PARTITIONS);
    s.objective = new ExecutorAutoscalerSpec.Objective();
    // Longer than the reaction delay the controller assumes before it has measured one (executor
    // start-up 60 s + a tick): no burst headroom is kept, so the fleet returns to minExecutors
    // once the backlog is gone. The burst's arrival rate still calls for every executor.
    s.objective.targetLatency = "90s";
    s.signals.spark = new ExecutorAutoscalerSpec.SparkSignal();
    s.signals.spark.port = port;
    s.signals.spark.path = "/metrics/prometheus/";
    s.signals.spark.metricsNamespace = APP;
    s.behavior = new ExecutorAutoscalerSpec.Behavior();
    s.behavior.scaleUp = new ExecutorAutoscalerSpec.StepBehavior();
    s.behavior.scaleUp.stabilizationWindow = "0s";
    s.behavior.scaleDown = new ExecutorAutoscalerSpec.StepBehavior();
    s.behavior.scaleDown.stabilizationWindow = SCALE_DOWN_WINDOW.toSeconds() + "s";
    return s;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static Optional<ExecutorAutoscalerStatus> status() {
    ExecutorAutoscaler eas =
        admin.resources(ExecutorAutoscaler.class).inNamespace(NS).withName(APP).get();
    return Optional.ofNullable(eas).map(ExecutorAutoscaler::getStatus);
  }

  private static boolean metricsAvailable() {
    return status().stream()
        .flatMap(s -> s.conditions.stream())
        .anyMatch(c -> "MetricsAvailable".equals(c.type) && "True".equals(c.status));
  }

  private static int desired() {
    return status().map(s -> s.desiredExecutors == null ? -1 : s.desiredExecutors).orElse(-1);
  }

  private static int annotation() {
    String a = pods.targetAnnotation();
    return a == null ? -1 : Integer.parseInt(a);
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();

  /** A plugin gauge from the driver's PrometheusServlet, or NaN when absent. */
  private static double pluginGauge(String gauge) throws IOException, InterruptedException {
    String name =
        "metrics_" + APP + "_driver_plugin_io_stoker_spark_StokerPlugin_" + gauge + "_Value";
    String body =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(driver.ui + "/metrics/prometheus/"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : body.split("\n")) {
      if (line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  /** Records in the topic not yet committed by the query's group. */
  private static long lag() throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
    }
    long end = 0;
    for (var e : kafka.admin().listOffsets(latest).all().get().values()) {
      end += e.offset();
    }
    long committed = 0;
    for (var e :
        kafka
            .admin()
            .listConsumerGroupOffsets(GROUP)
            .partitionsToOffsetAndMetadata()
            .get()
            .values()) {
      committed += e == null ? 0 : e.offset();
    }
    return end - committed;
  }

  private static void awaitExecutors(int n, Duration atMost) {
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

  @Test
  void burstScalesOutThroughThePluginDrainsAndScalesInAfterTheWindow() throws Exception {
    // Steady: one executor (the annotation the app started with), the query consuming, nothing
    // behind, the controller collecting both signals and keeping 1.
    awaitExecutors(1, Duration.ofSeconds(120));
    // Warm-up with the autoscaler capped at one executor: the controller measures what one
    // executor processes (status.executorRate) on a backlog one executor drains in ~9 s. Without a
    // measured rate the core doubles the fleet on any backlog and, with no backlog left, keeps
    // what it has, so the scale-in below would depend on whether the burst let it measure one.
    ExecutorAutoscalerSpec warmUp = spec(uiPort);
    warmUp.maxExecutors = 1;
    Autoscalers.create(admin, NS, APP, warmUp);
    for (int p = 0; p < PARTITIONS; p++) {
      kafka.produce(TOPIC, p, 1500);
    }
    await("the executor rate is measured and the warm-up backlog drained")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                lag() == 0
                    && status()
                        .map(st -> st.executorRate != null && st.executorRate > 0)
                        .orElse(false));
    admin
        .resources(ExecutorAutoscaler.class)
        .inNamespace(NS)
        .withName(APP)
        .edit(
            e -> {
              e.getSpec().maxExecutors = PARTITIONS;
              return e;
            });
    // Steady before the burst: the warm-up's arrivals have left the one-minute rate average, so
    // one executor is what the controller wants and any rise below answers the burst alone.
    await("the controller sees the app, steady at one executor")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                metricsAvailable()
                    && desired() == 1
                    && annotation() == 1
                    && status()
                        .map(
                            st ->
                                st.arrivalRate != null
                                    && st.executorRate != null
                                    && st.arrivalRate < 0.5 * st.executorRate)
                        .orElse(false));

    // Burst: 24000 records in a few seconds, ~48 s of work for one executor.
    for (int p = 0; p < PARTITIONS; p++) {
      kafka.produce(TOPIC, p, 8000);
    }
    Instant burst = Instant.now();
    await("desired executors rise within two ticks")
        .atMost(TICK.multipliedBy(2).plusSeconds(2))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> desired() > 1);
    Duration toDecision = Duration.between(burst, Instant.now());
    await("the annotation is written on the driver pod")
        .atMost(TICK)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> annotation() > 1);

    // The plugin applies it: more executors register (and are mirrored as pods).
    await("the plugin raises executors")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () -> mirror.liveExecutors().size() > 1 && pluginGauge("appliedTargetExecutors") > 1);
    int peak = annotation();
    awaitExecutors(peak, Duration.ofSeconds(90));
    Instant lastScaleUp = Instant.parse(status().orElseThrow().lastScaleTime);

    // The backlog drains; the target comes back to 1 only after the scale-down window.
    await("the lag drains")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> lag() == 0);
    await("scale-in to minExecutors")
        .atMost(SCALE_DOWN_WINDOW.plusSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> annotation() == 1);
    Instant scaleIn = Instant.now();
    assertThat(Duration.between(lastScaleUp, scaleIn))
        .as("scale-in waits for the stabilisation window after the last scale-up")
        .isGreaterThanOrEqualTo(SCALE_DOWN_WINDOW);
    awaitExecutors(1, Duration.ofSeconds(90));
    assertThat(pluginGauge("scaleDownExecutorsTotal")).isGreaterThanOrEqualTo(peak - 1.0);
    assertThat(AUDIT.unexpected()).as("calls refused (RBAC) or malformed").isEmpty();
    System.out.printf(
        "SparkScalingE2E: burst -> desired %d in %d ms; peak %d executors; scale-in %d s after the"
            + " last scale-up%n",
        peak, toDecision.toMillis(), peak, Duration.between(lastScaleUp, scaleIn).toSeconds());
  }
}
