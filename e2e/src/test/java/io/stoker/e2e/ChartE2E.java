package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.reconcile.Operator;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart ({@code charts/stoker}) rendered with helm-java and applied to the real API server
 * (every object accepted server-side: CRD, RBAC, ServiceAccount, Deployment, Services, ...); then
 * the controller runs in-process with <b>only the chart's ServiceAccount token</b>: it scales an
 * application without a single 403, and calls it must not make are refused.
 */
class ChartE2E {
  private static final String RELEASE = "stoker";
  private static final String NS = "stoker-system";

  private static ControlPlane cp;
  private static KubernetesClient admin;
  private static EmbeddedKafka kafka;
  private static final List<HasMetadata> APPLIED = new ArrayList<>();
  private static final java.util.Set<String> CLUSTER_SCOPED =
      java.util.Set.of("ClusterRole", "ClusterRoleBinding", "PriorityClass", "Namespace");
  private static String serviceAccount;

  @BeforeAll
  static void install() throws Exception {
    // JUnit runs @AfterAll also when this fails: stop() closes whatever was started.
    assumeTrue(
        Files.isRegularFile(Crd.repoRoot().resolve("charts/stoker/Chart.yaml")),
        "charts/stoker is not in this checkout yet (it lands with the packaging work)");
    cp = ControlPlane.start();
    admin = cp.adminClient();
    String manifest =
        new Helm(Crd.repoRoot().resolve("charts/stoker"))
            .template()
            .withName(RELEASE)
            .withNamespace(NS)
            .withKubeVersion(System.getProperty("stoker.kube.version", "v1.34.4"))
            .call();
    List<HasMetadata> objects =
        admin.load(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8))).items();
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .serverSideApply();
    // CRDs first (established before anything refers to them), then everything else.
    for (HasMetadata o : objects) {
      if (o.getKind().equals("CustomResourceDefinition")) {
        APPLIED.add(admin.resource(o).serverSideApply());
      }
    }
    if (APPLIED.isEmpty()) {
      Crd.install(admin);
    }
    for (HasMetadata o : objects) {
      if (!o.getKind().equals("CustomResourceDefinition")) {
        if (o.getMetadata().getNamespace() == null && !CLUSTER_SCOPED.contains(o.getKind())) {
          o.getMetadata().setNamespace(NS);
        }
        APPLIED.add(admin.resource(o).serverSideApply());
      }
      if (o.getKind().equals("ServiceAccount")) {
        serviceAccount = o.getMetadata().getName();
      }
    }
    kafka = new EmbeddedKafka();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (kafka != null) {
        kafka.close();
      }
    } finally {
      if (admin != null) {
        admin.close();
      }
      if (cp != null) {
        cp.close();
      }
    }
  }

  private static String token() {
    return admin
        .serviceAccounts()
        .inNamespace(NS)
        .withName(serviceAccount)
        .tokenRequest(
            new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus()
        .getToken();
  }

  @Test
  void everyObjectOfTheChartIsAcceptedServerSide() {
    assertThat(APPLIED).extracting(HasMetadata::getKind).contains("ServiceAccount", "Deployment");
    assertThat(APPLIED).extracting(HasMetadata::getKind).anyMatch(k -> k.endsWith("RoleBinding"));
    for (HasMetadata o : APPLIED) {
      assertThat(o.getMetadata().getUid())
          .as("%s %s", o.getKind(), o.getMetadata().getName())
          .isNotBlank();
    }
    assertThat(serviceAccount).isNotBlank();
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
    // The chart's defaults: all namespaces, leader election with the Lease in the release
    // namespace.
    try (KubernetesClient client = cp.clientWithToken(token(), audit)) {
      Operator op =
          InProcessController.start(
              client,
              "stoker-0",
              InProcessController.flags(
                  Map.of(
                      "leader-election", "true",
                      "lease-namespace", NS,
                      "lease-name", "stoker-controller")));
      try {
        ExecutorAutoscalerSpec s = new ExecutorAutoscalerSpec();
        s.target = new ExecutorAutoscalerSpec.Target();
        s.target.driverSelector = new ExecutorAutoscalerSpec.DriverSelector();
        s.target.driverSelector.matchLabels = Map.of(SparkPods.APP_LABEL, "chart");
        s.actuation = ExecutorAutoscalerSpec.Actuation.DriverPlugin;
        s.minExecutors = 1;
        s.maxExecutors = 4;
        s.signals = new ExecutorAutoscalerSpec.Signals();
        s.signals.kafka = new ExecutorAutoscalerSpec.KafkaSignal();
        s.signals.kafka.bootstrapServers = kafka.bootstrap();
        s.signals.kafka.consumerGroup = group;
        s.signals.kafka.topics = List.of(topic);
        ExecutorAutoscaler eas = new ExecutorAutoscaler();
        eas.getMetadata().setNamespace(ns);
        eas.getMetadata().setName("chart");
        eas.setSpec(s);
        admin.resources(ExecutorAutoscaler.class).inNamespace(ns).resource(eas).create();
        await("target written")
            .atMost(Duration.ofSeconds(30))
            .until(() -> pods.targetAnnotation() != null);
        int before = Integer.parseInt(pods.targetAnnotation());
        for (int p = 0; p < 4; p++) {
          kafka.produce(topic, p, 2000);
        }
        await("scale-out written with the chart's rights")
            .atMost(Duration.ofSeconds(30))
            .until(() -> Integer.parseInt(pods.targetAnnotation()) > before);
        await("a ScaledUp event")
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    admin.v1().events().inNamespace(ns).list().getItems().stream()
                        .anyMatch(e -> "ScaledUp".equals(e.getReason())));
      } finally {
        op.close(Duration.ofSeconds(10));
      }
    }
    assertThat(audit.forbidden()).as("calls the chart's RBAC refused").isEmpty();
    assertThat(audit.calls()).anyMatch(c -> c.lease() && c.write());
  }

  @Test
  void chartsServiceAccountCannotDoWhatItMustNot() {
    try (KubernetesClient c = cp.clientWithToken(token())) {
      assertThatThrownBy(() -> c.secrets().inAnyNamespace().list())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
      assertThatThrownBy(() -> c.namespaces().withName(NS).delete())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
      assertThatThrownBy(() -> c.pods().inNamespace(NS).withName("x").delete())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
      assertThatThrownBy(() -> c.rbac().clusterRoles().list())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
    }
  }
}
