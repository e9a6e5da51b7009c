package io.stoker.app.k8s.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.stoker.app.capacity.CapacityCondition;
import io.stoker.app.controller.Fixtures;
import io.stoker.app.controller.TestingClock;
import io.stoker.app.k8s.WriteGuard;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ProvisioningRequest lifecycle on the fabric8 mock server (CRUD mode): the test plays Cluster
 * Autoscaler by writing the request's status conditions.
 */
@EnableKubernetesMockClient(crud = true)
class ProvisioningRequestsTest {
  static final String NS = "spark-jobs";
  static final String CLASS = "check-capacity.autoscaling.x-k8s.io";
  static final ResourceDefinitionContext PR =
      new ResourceDefinitionContext.Builder()
          .withGroup("autoscaling.x-k8s.io")
          .withVersion("v1")
          .withKind("ProvisioningRequest")
          .withPlural("provisioningrequests")
          .withNamespaced(true)
          .build();

  KubernetesClient client;

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  private ExecutorAutoscaler owner;
  private ProvisioningRequests requests;

  @BeforeEach
  void setUp() {
    owner = new ExecutorAutoscaler();
    owner.getMetadata().setNamespace(NS);
    owner.getMetadata().setName("etl");
    owner.getMetadata().setUid("uid-etl");
    WriteGuard guard =
        new WriteGuard(
            new WriteGuard.Limits(1000, 1000, 1000, Duration.ZERO, 1, Duration.ofMillis(1)),
            () -> true);
    requests = new ProvisioningRequests(client, guard, clock, "registry.k8s.io/pause:3.10");
  }

  private void installCrd() {
    Fixtures.provisioningRequestCrd(client);
  }

  private CapacityCondition reconcile(int needed) {
    return requests.reconcile(
        NS + "/etl",
        owner,
        CLASS,
        needed,
        Optional.of(ExecutorShape.of(PlaceholdersTest.executorSpec())));
  }

  private GenericKubernetesResource request() {
    return client.genericKubernetesResources(PR).inNamespace(NS).withName("etl-capacity").get();
  }

  private PodTemplate template() {
    return client.v1().podTemplates().inNamespace(NS).withName("etl-capacity").get();
  }

  /** Cluster Autoscaler's part: a condition of type {@code type} with status True. */
  private void caSets(String type, String message) {
    GenericKubernetesResource r = request();
    r.getAdditionalProperties()
        .put(
            "status",
            Map.of(
                "conditions",
                List.of(
                    Map.of(
                        "type", type,
                        "status", "True",
                        "reason", type,
                        "message", message))));
    client.genericKubernetesResources(PR).inNamespace(NS).resource(r).update();
  }

  @Test
  void aMissingCrdIsNamedAndNothingIsCreated() {
    CapacityCondition c = reconcile(3);
    assertThat(c.type()).isEqualTo("CapacityAvailable");
    assertThat(c.status()).isFalse();
    assertThat(c.reason()).isEqualTo("CrdNotFound");
    assertThat(c.message()).contains("provisioningrequests.autoscaling.x-k8s.io");
    assertThat(client.v1().podTemplates().inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void requestIsMadeTrackedAndDeletedWhenTheBookingExpires() {
    installCrd();
    CapacityCondition made = reconcile(3);
    assertThat(made.reason()).isEqualTo("Requested");

    GenericKubernetesResource r = request();
    assertThat(r).isNotNull();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
    assertThat(spec).containsEntry("provisioningClassName", CLASS);
    assertThat(spec.get("podSets"))
        .isEqualTo(List.of(Map.of("podTemplateRef", Map.of("name", "etl-capacity"), "count", 3)));
    assertThat(r.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo("uid-etl");
    PodTemplate t = template();
    assertThat(t.getTemplate().getSpec().getContainers().get(0).getResources())
        .isEqualTo(PlaceholdersTest.executorSpec().getContainers().get(0).getResources());
    assertThat(t.getTemplate().getSpec().getNodeSelector())
        .isEqualTo(PlaceholdersTest.executorSpec().getNodeSelector());

    assertThat(reconcile(3).reason()).as("no status yet: waiting").isEqualTo("Requested");
    caSets("Provisioned", "capacity is available");
    CapacityCondition ok = reconcile(3);
    assertThat(ok.status()).isTrue();
    assertThat(ok.reason()).isEqualTo("Provisioned");

    caSets("BookingExpired", "booking expired after 10 minutes");
    CapacityCondition expired = reconcile(3);
    assertThat(expired.status()).isFalse();
    assertThat(expired.reason()).isEqualTo("BookingExpired");
    assertThat(request()).isNull();
    assertThat(template()).isNull();
  }

  @Test
  void aFailedRequestIsDeletedAndRetriedAfterABackoff() {
    installCrd();
    reconcile(2);
    caSets("Failed", "out of quota");
    CapacityCondition failed = reconcile(2);
    assertThat(failed.reason()).isEqualTo("Failed");
    assertThat(failed.message()).contains("out of quota");
    assertThat(request()).isNull();

    assertThat(reconcile(2).reason()).as("backing off").isEqualTo("Failed");
    assertThat(request()).isNull();
    clock.advance(Duration.ofSeconds(61));
    assertThat(reconcile(2).reason()).isEqualTo("Requested");
    assertThat(request()).isNotNull();
  }

  @Test
  void theRequestGoesWhenTheExecutorsArrive() {
    installCrd();
    reconcile(4);
    caSets("Provisioned", "ok");
    CapacityCondition done = reconcile(0);
    assertThat(done.reason()).isEqualTo("Provisioned");
    assertThat(request()).isNull();
    assertThat(template()).isNull();
    assertThat(reconcile(0).reason()).isEqualTo("NoDemand");
    assertThat(request()).as("no demand, no request").isNull();
  }

  @Test
  void turningTheFeatureOffRemovesTheRequest() {
    installCrd();
    reconcile(2);
    requests.remove(NS + "/etl", owner);
    assertThat(request()).isNull();
    assertThat(template()).isNull();
  }
}
