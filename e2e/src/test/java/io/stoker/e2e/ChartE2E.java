package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.app.controller.Operator;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart ({@code charts/stoker}) rendered with helm-java and applied to the real API server
 * (every object accepted server-side with strict field validation: CRD, ServiceAccount, RBAC,
 * Deployment, Services, and with the production example also the PodDisruptionBudget,
 * PriorityClass, NetworkPolicy and dashboards); then the controller runs in-process, configured as
 * the chart's Deployment configures it and authenticated with <b>only the chart's ServiceAccount
 * token</b>: it scales an application without a single 403, and calls it must not make are refused.
 */
class ChartE2E {
  private static final String NS = ChartInstall.NAMESPACE;

  private static ControlPlane cp;
  private static KubernetesClient admin;
  private static EmbeddedKafka kafka;
  private static ChartInstall chart;

  @BeforeAll
  static void install() throws Exception {
    cp = ControlPlane.start();
    // JUnit runs @AfterAll also when this fails: stop() closes whatever was started.
    admin = cp.adminClient();
    // The chart's defaults, as `helm install stoker charts/stoker -n stoker-system` renders them.
    chart = ChartInstall.install(admin, Map.of());
    kafka = new EmbeddedKafka();
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.all(kafka, admin, cp);
  }

  @Test
  void everyObjectOfTheChartIsAcceptedServerSide() {
    assertThat(chart.applied())
        .extracting(HasMetadata::getKind)
        .contains(
            "CustomResourceDefinition",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Service",
            "Deployment");
    for (HasMetadata o : chart.applied()) {
      assertThat(o.getMetadata().getUid())
          .as("%s %s", o.getKind(), o.getMetadata().getName())
          .isNotBlank();
    }
    assertThat(chart.serviceAccount()).isNotBlank();
  }

  /**
   * The production example (docs/examples/values-production.yaml) as another release: its extra
   * kinds are accepted too. Its ServiceMonitor is left out: this API server has no Prometheus
   * Operator CRDs.
   */
  @Test
  void theProductionExampleIsAcceptedServerSide() {
    String ns = "stoker-prod";
    SparkPods.namespace(admin, ns);
    SparkPods.namespace(admin, "monitoring");
    String manifest =
        ChartInstall.render(
            "stoker-prod",
            ns,
            Map.of(),
            Crd.repoRoot().resolve("docs/examples/values-production.yaml"));
    String withoutServiceMonitor =
        Stream.of(manifest.split("(?m)^---\\s*$"))
            .filter(doc -> !doc.contains("kind: ServiceMonitor"))
            .reduce((a, b) -> a + "\n---\n" + b)
            .orElseThrow();
    assertThat(manifest).contains("kind: ServiceMonitor");
    List<HasMetadata> applied = ChartInstall.apply(admin, withoutServiceMonitor, ns);
    assertThat(applied)
        .extracting(HasMetadata::getKind)
        .contains(
            "PodDisruptionBudget",
            "PriorityClass",
            "NetworkPolicy",
            "ConfigMap",
            "Deployment",
            "Service");
    assertThat(applied).allSatisfy(o -> assertThat(o.getMetadata().getUid()).isNotBlank());
  }

  /** docs/examples/executorautoscaler.yaml is accepted by the real CRD schema (CEL included). */
  @Test
  void theExampleExecutorAutoscalerIsAcceptedAndABrokenOneRefused() throws IOException {
    String ns = "spark-jobs";
    SparkPods.namespace(admin, ns);
    GenericKubernetesResource example =
        admin
            .getKubernetesSerialization()
            .unmarshal(
                Files.readString(Crd.repoRoot().resolve("docs/examples/executorautoscaler.yaml")),
                GenericKubernetesResource.class);
    var eas =
        admin
            .genericKubernetesResources("stoker.io/v1alpha1", "ExecutorAutoscaler")
            .inNamespace(ns);
    try {
      GenericKubernetesResource stored =
          eas.resource(example).fieldValidation(Validation.STRICT).create();
      assertThat(stored.getMetadata().getUid()).isNotBlank();
      // An unknown field (strict field validation) and a second target (the CRD's CEL rule): the
      // API server refuses both.
      GenericKubernetesResource unknown = variant(example, "unknown-field");
      spec(unknown).put("maxExecutor", 40);
      assertRefused(() -> eas.resource(unknown).fieldValidation(Validation.STRICT).create(), 400);
      GenericKubernetesResource twoTargets = variant(example, "two-targets");
      @SuppressWarnings("unchecked")
      Map<String, Object> target = (Map<String, Object>) spec(twoTargets).get("target");
      target.put("sparkApplication", "clickstream");
      assertRefused(
          () -> eas.resource(twoTargets).fieldValidation(Validation.STRICT).create(), 422);
      // Numbers beyond the CRD's bounds (SpecLimits): maxExecutors, and a window longer than
      // the HPA's hour (its CEL rule on duration()).
      GenericKubernetesResource tooMany = variant(example, "too-many");
      spec(tooMany).put("maxExecutors", Integer.MAX_VALUE);
      assertRefused(() -> eas.resource(tooMany).fieldValidation(Validation.STRICT).create(), 422);
      GenericKubernetesResource longWindow = variant(example, "long-window");
      @SuppressWarnings("unchecked")
      Map<String, Object> scaleDown =
          (Map<String, Object>)
              ((Map<String, Object>) spec(longWindow).get("behavior")).get("scaleDown");
      scaleDown.put("stabilizationWindow", "2h");
      assertRefused(
          () -> eas.resource(longWindow).fieldValidation(Validation.STRICT).create(), 422);
    } finally {
      // Not left for the controller of the other test (its features are off in the defaults).
      eas.withName("clickstream").delete();
      await().atMost(Duration.ofSeconds(10)).until(() -> eas.withName("clickstream").get() == null);
    }
  }

  private static GenericKubernetesResource variant(GenericKubernetesResource r, String name) {
    GenericKubernetesResource copy = admin.getKubernetesSerialization().clone(r);
    copy.getMetadata().setName(name);
    return copy;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource r) {
    return (Map<String, Object>) r.getAdditionalProperties().get("spec");
  }

  @Test
  void controllerWithOnlyTheChartsServiceAccountScalesWithoutA403() throws Exception {
    String ns = "chart-app";
    String topic = "chart";
    String group = "chart-query";
    kafka.createTopic(topic, 4);
    Map<TopicPartition, Long> zero = new HashMap<>();
    for (int p = 0; p < 4; p++) {
      zero.put(new TopicPartition(topic, p), 0L);
    }
    kafka.commit(group, zero);
    SparkPods.namespace(admin, ns);
    SparkPods pods = new SparkPods(admin, ns, "chart");
    pods.driver("127.0.0.1", Map.of());
    pods.executor("1");
    ApiAudit audit = new ApiAudit();
    // Configured as the chart's Deployment: all namespaces, leader election with the Lease in the
    // release namespace. Only the metrics port differs (a free port in this JVM).
    Map<String, String> settings = chart.flags();
    assertThat(settings)
        .containsEntry("namespace", "")
        .containsEntry("leader-election", "true")
        .containsEntry("lease-namespace", NS);
    try (KubernetesClient client = cp.clientWithToken(chart.token(), audit)) {
      Operator op = InProcessController.start(client, "stoker-0", chart.controllerFlags());
      try {
        await("leader").atMost(Duration.ofSeconds(30)).until(op::isLeader);
        Autoscalers.create(
            admin,
            ns,
            "chart",
            Autoscalers.onKafkaLag("chart", kafka.bootstrap(), group, topic, 4));
        await("target written")
            .failFast(
                () -> assertThat(audit.unexpected()).as("refused (RBAC) or malformed").isEmpty())
            .atMost(Duration.ofSeconds(30))
            .until(() -> pods.targetAnnotation() != null);
        int before = Integer.parseInt(pods.targetAnnotation());
        for (int p = 0; p < 4; p++) {
          kafka.produce(topic, p, 2000);
        }
        await("scale-out written with the chart's rights")
            .failFast(
                () -> assertThat(audit.unexpected()).as("refused (RBAC) or malformed").isEmpty())
            .atMost(Duration.ofSeconds(30))
            .until(() -> Integer.parseInt(pods.targetAnnotation()) > before);
        await("status written")
            .failFast(
                () -> assertThat(audit.unexpected()).as("refused (RBAC) or malformed").isEmpty())
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  ExecutorAutoscaler e =
                      admin
                          .resources(ExecutorAutoscaler.class)
                          .inNamespace(ns)
                          .withName("chart")
                          .get();
                  return e.getStatus() != null
                      && e.getStatus().desiredExecutors != null
                      && e.getStatus().desiredExecutors > before;
                });
        await("a ScaledUp event")
            .failFast(
                () -> assertThat(audit.unexpected()).as("refused (RBAC) or malformed").isEmpty())
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    admin.v1().events().inNamespace(ns).list().getItems().stream()
                        .anyMatch(e -> "ScaledUp".equals(e.getReason())));
      } finally {
        op.close(Duration.ofSeconds(10));
      }
    }
    assertThat(audit.unexpected()).as("calls refused (RBAC) or malformed").isEmpty();
    assertThat(audit.calls()).anyMatch(c -> c.lease() && c.write() && c.code() < 300);
    assertThat(audit.calls())
        .as("status written through the status subresource")
        .anyMatch(c -> c.path().endsWith("/status") && c.write() && c.code() < 300);
  }

  /**
   * Least privilege, from the other side: with the chart's defaults the token cannot read Secrets
   * (kafkaAuthSecret is off), list RBAC objects, or delete what the controller only reads.
   */
  @Test
  void chartsServiceAccountCannotDoWhatItMustNot() {
    ApiAudit audit = new ApiAudit();
    try (KubernetesClient c = cp.clientWithToken(chart.token(), audit)) {
      assertRefused(() -> c.secrets().inAnyNamespace().list(), 403);
      assertRefused(() -> c.secrets().inNamespace(NS).withName("any").get(), 403);
      assertRefused(() -> c.rbac().clusterRoles().list(), 403);
      assertRefused(() -> c.namespaces().withName(NS).delete(), 403);
      assertRefused(() -> c.pods().inNamespace(NS).withName("x").delete(), 403);
      assertRefused(() -> c.apps().deployments().inNamespace(NS).list(), 403);
    }
    assertThat(audit.forbidden()).hasSize(6);
  }

  private static void assertRefused(ThrowingCallable call, int code) {
    assertThatThrownBy(call)
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(code));
  }
}
