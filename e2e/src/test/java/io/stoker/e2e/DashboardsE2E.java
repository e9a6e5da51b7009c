package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.adapters.promql.PrometheusServer;
import io.stoker.app.controller.Fixtures;
import io.stoker.app.controller.Operator;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.dashboards.DashboardQueries;
import io.stoker.dashboards.KedaPolls;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every query of every Grafana dashboard ({@code dashboards/*.json}) returns data from a real
 * Prometheus server scraping the controller, which runs in-process against the real API server with
 * <b>only the chart's ServiceAccount token</b> (any 403 fails the test) and the settings of the
 * chart's Deployment, installed with placeholders and the KEDA external scaler on and a write
 * budget of one write per second. Each panel gets its series the way a cluster gives it:
 *
 * <ul>
 *   <li>Kafka lag, arrival, processing and executor rates, latency: a real broker, a burst of
 *       records, and a {@link FakeFleet} of executors that follows the driver pod's annotation and
 *       consumes at a fixed rate per executor;
 *   <li>signal errors: the autoscaler also reads the Spark driver's metrics, on a port of the
 *       driver pod's IP where nothing listens (a driver whose UI is down);
 *   <li>actuation errors: the chart's {@code config.kube-writes-per-second: 1} and {@code
 *       kube-write-max-wait: 0s}: the controller's write budget refuses the writes of a tick beyond
 *       the first (the API server refuses none of them);
 *   <li>placeholders: {@code spec.capacity.placeholders} with the PriorityClass the chart creates
 *       (the pods stay Pending: there is no scheduler);
 *   <li>pending executors and node hints: an executor pod the scheduler could not place and a Node
 *       of a node group (the chart's {@code nodeHints} RBAC lists nodes);
 *   <li>KEDA requests and latency: KEDA's calls ({@code GetMetrics}, {@code IsActive}) on the gRPC
 *       port the chart turns on, also for a ScaledObject whose autoscaler does not exist;
 *   <li>decisions, leader, reconciles, JVM: the controller itself.
 * </ul>
 */
class DashboardsE2E {
  private static final String NS = "clickstream";
  private static final String APP = "clicks";
  private static final String TOPIC = "clicks";
  private static final String GROUP = "clicks-query";
  private static final int PARTITIONS = 4;
  private static final int RATE_PER_EXECUTOR = 500;
  private static final String NODE_GROUP = "m5.xlarge";

  private static ControlPlane cp;
  private static KubernetesClient admin;
  private static ChartInstall chart;
  private static EmbeddedKafka kafka;
  private static KubernetesClient controllerClient;
  private static Operator controller;
  private static PrometheusServer prometheus;
  private static FakeFleet fleet;
  private static KedaPolls keda;
  private static final ApiAudit AUDIT = new ApiAudit();

  @BeforeAll
  static void install() throws Exception {
    // JUnit runs @AfterAll also when this fails: stop() closes whatever was started.
    cp = ControlPlane.start();
    admin = cp.adminClient();
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("placeholders.enabled", true);
    values.put("grpc.enabled", true);
    values.put("networkPolicy.grpcFromNamespaces[0]", "keda"); // the chart refuses gRPC without
    values.put("config.kube-writes-per-second", 1);
    values.put("config.kube-write-max-wait", "0s");
    chart = ChartInstall.install(admin, values);
    kafka = new EmbeddedKafka();
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.all(
        keda,
        fleet,
        prometheus,
        controller == null ? null : () -> controller.close(Duration.ofSeconds(10)),
        controllerClient,
        kafka,
        admin,
        cp);
  }

  @Test
  void everyQueryOfEveryDashboardReturnsDataFromAControllerWithOnlyTheChartsRights()
      throws Exception {
    Map<String, String> settings = chart.flags();
    assertThat(settings)
        .containsEntry("namespace", "")
        .containsEntry("leader-election", "true")
        .containsEntry("grpc-port", "9090")
        .containsEntry("kube-writes-per-second", "1")
        .containsKey("node-group-label")
        .containsKey("placeholder-image");
    assertThat(admin.scheduling().v1().priorityClasses().withName("stoker-placeholder").get())
        .as("the chart's PriorityClass of the placeholders")
        .isNotNull();

    kafka.createTopic(TOPIC, PARTITIONS);
    Map<TopicPartition, Long> zero = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      zero.put(new TopicPartition(TOPIC, p), 0L);
    }
    kafka.commit(GROUP, zero);
    SparkPods.namespace(admin, NS);
    // A Node of a node group with room for a few executors (nodes are plain objects here).
    Fixtures.node(admin, "node-1", settings.get("node-group-label"), NODE_GROUP, "4", "16Gi");
    SparkPods pods = new SparkPods(admin, NS, APP);
    pods.driver("127.0.0.1", Map.of());
    // An executor Spark asked for earlier that no node has room for.
    pods.unschedulableExecutor("100");
    fleet = new FakeFleet(pods, kafka, TOPIC, PARTITIONS, GROUP, RATE_PER_EXECUTOR);

    controllerClient = cp.clientWithToken(chart.token(), AUDIT);
    controller = InProcessController.start(controllerClient, "stoker-0", chart.controllerFlags());
    prometheus = new PrometheusServer("stoker", List.of("127.0.0.1:" + controller.metricsPort()));
    await("leader").atMost(Duration.ofSeconds(30)).until(controller::isLeader);
    createAutoscaler(Loopback.freePort()); // the driver UI of an application whose UI is down
    pollLikeKeda(controller.grpcPort().orElseThrow());
    // Enough records to keep the four executors of the partition cap saturated for about 80 s:
    // the executor rate (and the capacity line of "Arrival vs processing vs capacity") is learned
    // from a backlog once the same executors have been saturated for the core's rate settle time
    // (60 s), the Kafka consume rate being an average.
    for (int p = 0; p < PARTITIONS; p++) {
      kafka.produce(TOPIC, p, 40_000);
    }

    List<DashboardQueries.Query> queries =
        DashboardQueries.load(DashboardQueries.repoRoot())
            .substituted(Map.of("namespace", NS, "autoscaler", APP, "job", "stoker"));
    try {
      DashboardQueries.assertEveryQueryReturnsData(
          prometheus.url(), queries, Duration.ofSeconds(150));
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage()
              + "\nunexpected 4xx: "
              + AUDIT.unexpected()
              + "\nfleet: "
              + fleet.executors()
              + " executors, last error "
              + fleet.lastError()
              + "\nstatus: "
              + Serialization.asJson(autoscaler().getStatus())
              + "\nprometheus log:\n"
              + prometheus.log(),
          e);
    }

    assertThat(AUDIT.unexpected()).as("calls refused (RBAC) or malformed").isEmpty();
    // The actuation errors are the write budget's refusals: the API server refused no write
    // (a 409 is retried by the controller).
    assertThat(AUDIT.calls())
        .as("writes the API server refused")
        .noneMatch(c -> c.write() && c.code() >= 400 && c.code() != 409);
    assertThat(signalErrors("kafka")).as("Kafka signal errors").isNull();
    assertThat(signalErrors("spark")).as("Spark signal errors").isPositive();
    List<Pod> placeholders =
        admin.pods().inNamespace(NS).withLabel("stoker.io/role", "placeholder").list().getItems();
    assertThat(placeholders)
        .as("placeholder pods created with the chart's rights")
        .isNotEmpty()
        .allSatisfy(
            p -> {
              assertThat(p.getSpec().getPriorityClassName()).isEqualTo("stoker-placeholder");
              // Resolved by the API server's Priority admission from the chart's PriorityClass.
              assertThat(p.getSpec().getPriority()).isEqualTo(-10);
            });
    // Within the write budget, the status comes last in a tick: it is written once the target,
    // the placeholders and the Event are.
    await("node hints in the status")
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              ExecutorAutoscaler eas = autoscaler();
              return eas.getStatus() != null
                  && eas.getStatus().capacity != null
                  && eas.getStatus().capacity.nodeHints != null
                  && Integer.valueOf(1).equals(eas.getStatus().capacity.nodeHints.get(NODE_GROUP));
            });
  }

  private static ExecutorAutoscaler autoscaler() {
    return admin.resources(ExecutorAutoscaler.class).inNamespace(NS).withName(APP).get();
  }

  private static Double signalErrors(String signal) {
    return controller
        .metrics()
        .registry()
        .getSampleValue(
            "stoker_signal_errors_total",
            new String[] {"namespace", "autoscaler", "signal"},
            new String[] {NS, APP, signal});
  }

  private static void createAutoscaler(int sparkUiPort) {
    ExecutorAutoscalerSpec s = Autoscalers.onKafkaLag(APP, kafka.bootstrap(), GROUP, TOPIC, 6);
    s.objective = new ExecutorAutoscalerSpec.Objective();
    s.objective.targetLatency = "30s";
    s.signals.spark = new ExecutorAutoscalerSpec.SparkSignal();
    s.signals.spark.port = sparkUiPort;
    s.capacity = new ExecutorAutoscalerSpec.Capacity();
    s.capacity.placeholders = new ExecutorAutoscalerSpec.Placeholders();
    s.capacity.placeholders.enabled = true;
    s.capacity.placeholders.headroomExecutors = 1;
    Autoscalers.create(admin, NS, APP, s);
  }

  /** KEDA polling the scaler (also a ScaledObject without autoscaler); waits for an answer. */
  private static void pollLikeKeda(int port) {
    keda = KedaPolls.start(port, NS, APP);
    try {
      // The first polls may come before the autoscaler's first decision (NOT_FOUND).
      await("a KEDA poll answered").atMost(Duration.ofSeconds(30)).until(() -> keda.answered() > 0);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no KEDA poll answered: " + keda.errors(), e);
    }
  }
}
