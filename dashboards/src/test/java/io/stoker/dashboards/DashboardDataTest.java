package io.stoker.dashboards;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.stoker.adapters.promql.PrometheusServer;
import io.stoker.app.controller.Fixtures;
import io.stoker.app.controller.Operator;
import io.stoker.app.controller.TestingClock;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.signals.TestingSignalCollector;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every dashboard query returns data from a real Prometheus server (built from its Go module)
 * scraping a running controller: the controller runs on the fabric8 mock API server with fake
 * signals, in a scenario that gives every series the dashboards draw a value: an autoscaler that
 * scales up on lag, whose Spark signal fails, whose Events are refused (RBAC), with placeholders
 * on, a pending unschedulable executor and a labelled node (node hints), and KEDA polling its gRPC
 * endpoint.
 */
@EnableKubernetesMockClient(crud = true)
class DashboardDataTest {
  private static final String APP = "clicks";
  static final String NODE_GROUP_LABEL = "node.kubernetes.io/instance-type";

  KubernetesMockServer server;
  KubernetesClient client;

  private Operator operator;
  private PrometheusServer prometheus;
  private KedaPolls keda;

  @AfterEach
  void tearDown() throws Exception {
    if (keda != null) {
      keda.close();
    }
    if (prometheus != null) {
      prometheus.close();
    }
    if (operator != null) {
      operator.close(Duration.ofSeconds(5));
    }
  }

  @Test
  void everyQueryOfEveryDashboardReturnsDataFromPrometheusScrapingTheController() throws Exception {
    startScenario();

    List<DashboardQueries.Query> queries =
        DashboardQueries.load(DashboardQueries.repoRoot())
            .substituted(Map.of("namespace", NS, "autoscaler", APP, "job", "stoker"));
    try {
      DashboardQueries.assertEveryQueryReturnsData(
          prometheus.url(), queries, Duration.ofSeconds(90));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\nprometheus log:\n" + prometheus.log(), e);
    }

    // The check itself tells an empty panel by its title.
    List<DashboardQueries.Query> another =
        DashboardQueries.load(DashboardQueries.repoRoot())
            .substituted(Map.of("namespace", NS, "autoscaler", "nobody", "job", "stoker"));
    List<String> empty =
        DashboardQueries.withoutData(
            prometheus.url(),
            another.stream().filter(q -> q.title().equals("Kafka lag")).toList(),
            Duration.ofMinutes(10));
    assertThat(empty)
        .singleElement()
        .asString()
        .startsWith("stoker-autoscaler.json panel 'Kafka lag' A: no data from ")
        .contains("autoscaler=\"nobody\"");
  }

  private void startScenario() throws Exception {
    Fixtures.installCrd(client);
    Fixtures.priorityClass(client, "stoker-placeholder");
    Fixtures.node(client, "n1", NODE_GROUP_LABEL, "m5.2xlarge", "8", "32Gi");
    Fixtures.driver(client, APP);
    Fixtures.executors(client, APP, 2);
    Fixtures.unschedulableExecutor(client, APP, 3);
    // The controller may not create Events (a chart without that RBAC rule): counted as
    // stoker_actuation_errors_total{kind="event"}; scaling goes on.
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/" + NS + "/events")
        .andReturn(
            403,
            new StatusBuilder()
                .withCode(403)
                .withReason("Forbidden")
                .withMessage("events is forbidden: cannot create resource \"events\"")
                .build())
        .always();
    ExecutorAutoscalerSpec spec = Fixtures.spec(APP);
    spec.signals.spark = new ExecutorAutoscalerSpec.SparkSignal();
    spec.capacity = new ExecutorAutoscalerSpec.Capacity();
    spec.capacity.placeholders = new ExecutorAutoscalerSpec.Placeholders();
    spec.capacity.placeholders.enabled = true;
    spec.capacity.placeholders.headroomExecutors = 2;
    Fixtures.create(client, APP, spec);

    TestingClock clock = new TestingClock(Instant.now());
    TestingSignalCollector signals = new TestingSignalCollector(clock);
    signals
        .kafka(NS + "/" + APP, 120_000, 5_000, 2_000, 64)
        .alsoFailing(NS + "/" + APP, "spark", "driver UI unreachable: connection refused");
    Map<String, String> flags = Fixtures.fastConfig();
    flags.put("jvm-metrics", "true");
    flags.put("node-group-label", NODE_GROUP_LABEL);
    flags.put("grpc-address", "127.0.0.1");
    flags.put("grpc-port", "0");
    operator = Fixtures.start(client, flags, "stoker-0", clock, signals);
    prometheus = new PrometheusServer("stoker", List.of("127.0.0.1:" + operator.metricsPort()));

    await().atMost(Duration.ofSeconds(30)).until(() -> Fixtures.target(client, APP) > 2);
    // The lag keeps the 2 ready executors saturated: once that has lasted the core's rate settle
    // time (60 s on the test clock), their rate is learned and the executor-rate series exists.
    clock.advance(Duration.ofSeconds(61));
    // KEDA polls the external scaler (GetMetrics, IsActive), also for a ScaledObject whose
    // autoscaler does not exist (NOT_FOUND).
    keda = KedaPolls.start(operator.grpcPort().orElseThrow(), NS, APP);
    await().atMost(Duration.ofSeconds(10)).until(() -> !keda.errors().isEmpty() || polled());
    assertThat(keda.errors()).isEmpty();
  }

  private boolean polled() {
    Double v =
        operator
            .metrics()
            .registry()
            .getSampleValue(
                "stoker_keda_requests_total",
                new String[] {"method", "code"},
                new String[] {"GetMetrics", "OK"});
    return v != null && v > 0;
  }
}
