package io.stoker.app.k8s.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.stoker.app.capacity.CapacityCondition;
import io.stoker.app.k8s.WriteGuard;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Placeholder pods on the fabric8 mock server (CRUD mode), driven with explicit counts. */
@EnableKubernetesMockClient(crud = true)
class PlaceholdersTest {
  static final String NS = "spark-jobs";
  static final String CLASS = "stoker-placeholder";
  static final String IMAGE = "registry.k8s.io/pause:3.10";

  KubernetesClient client;

  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private ExecutorAutoscaler owner;
  private WriteGuard guard;
  private Placeholders placeholders;

  @BeforeEach
  void setUp() {
    owner = new ExecutorAutoscaler();
    owner.getMetadata().setNamespace(NS);
    owner.getMetadata().setName("clicks");
    owner.getMetadata().setUid("0f0e-uid");
    guard =
        new WriteGuard(
            new WriteGuard.Limits(1000, 1000, 1000, Duration.ZERO, 1, Duration.ofMillis(1)),
            () -> true);
    placeholders = new Placeholders(client, guard, clock, IMAGE);
  }

  private void priorityClass() {
    client
        .scheduling()
        .v1()
        .priorityClasses()
        .resource(
            new PriorityClassBuilder()
                .withNewMetadata()
                .withName(CLASS)
                .endMetadata()
                .withValue(-10)
                .build())
        .create();
  }

  /** An executor pod spec as Spark writes it: requests and limits, placement. */
  static PodSpec executorSpec() {
    Affinity affinity =
        new AffinityBuilder()
            .withNewNodeAffinity()
            .withNewRequiredDuringSchedulingIgnoredDuringExecution()
            .addNewNodeSelectorTerm()
            .addNewMatchExpression()
            .withKey("topology.kubernetes.io/zone")
            .withOperator("In")
            .withValues("eu-west-1a")
            .endMatchExpression()
            .endNodeSelectorTerm()
            .endRequiredDuringSchedulingIgnoredDuringExecution()
            .endNodeAffinity()
            .build();
    return new PodBuilder()
        .withNewSpec()
        .addNewContainer()
        .withName("spark-kubernetes-executor")
        .withImage("spark:4.1.1")
        .withNewResources()
        .addToRequests("cpu", new Quantity("4"))
        .addToRequests("memory", new Quantity("8Gi"))
        .addToLimits("memory", new Quantity("8Gi"))
        .endResources()
        .endContainer()
        .withNodeSelector(Map.of("node.kubernetes.io/instance-type", "m5.2xlarge"))
        .withAffinity(affinity)
        .withTolerations(
            new TolerationBuilder()
                .withKey("spark")
                .withOperator("Equal")
                .withValue("true")
                .withEffect("NoSchedule")
                .build())
        .withServiceAccountName("spark")
        .endSpec()
        .build()
        .getSpec();
  }

  private List<Pod> live() {
    return client
        .pods()
        .inNamespace(NS)
        .withLabel(CapacityLabels.ROLE, CapacityLabels.PLACEHOLDER)
        .list()
        .getItems();
  }

  private Placeholders.Result reconcile(boolean enabled, int wanted) {
    return placeholders.reconcile(
        NS + "/clicks",
        owner,
        enabled,
        CLASS,
        wanted,
        Optional.of(ExecutorShape.of(executorSpec())),
        "test");
  }

  @Test
  void placeholdersCopyTheExecutorShapeAndArePriorityClassedAndOwned() {
    priorityClass();
    Placeholders.Result r = reconcile(true, 3);

    assertThat(r.pods()).isEqualTo(3);
    assertThat(r.condition().orElseThrow().status()).isTrue();
    List<Pod> pods = live();
    assertThat(pods).hasSize(3);
    PodSpec want = executorSpec();
    for (Pod p : pods) {
      assertThat(p.getMetadata().getLabels())
          .containsEntry("app.kubernetes.io/managed-by", "stoker")
          .containsEntry("stoker.io/autoscaler", "clicks")
          .containsEntry("stoker.io/role", "placeholder");
      assertThat(p.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(
              o -> {
                assertThat(o.getKind()).isEqualTo("ExecutorAutoscaler");
                assertThat(o.getApiVersion()).isEqualTo("stoker.io/v1alpha1");
                assertThat(o.getName()).isEqualTo("clicks");
                assertThat(o.getUid()).isEqualTo("0f0e-uid");
                assertThat(o.getController()).isTrue();
              });
      PodSpec s = p.getSpec();
      assertThat(s.getPriorityClassName()).isEqualTo(CLASS);
      assertThat(s.getContainers())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.getImage()).isEqualTo(IMAGE);
                assertThat(c.getResources()).isEqualTo(want.getContainers().get(0).getResources());
              });
      assertThat(s.getNodeSelector()).isEqualTo(want.getNodeSelector());
      assertThat(s.getAffinity()).isEqualTo(want.getAffinity());
      assertThat(s.getTolerations()).isEqualTo(want.getTolerations());
      assertThat(s.getServiceAccountName()).as("no executor identity").isNull();
      assertThat(s.getTerminationGracePeriodSeconds()).isZero();
    }
  }

  @Test
  void theCountFollowsDemandBothWays() {
    priorityClass();
    assertThat(reconcile(true, 4).pods()).isEqualTo(4);
    assertThat(live()).hasSize(4);
    assertThat(reconcile(true, 4).pods()).as("steady: no churn").isEqualTo(4);
    assertThat(guard.writesByKind().get("placeholder")).isEqualTo(4);

    assertThat(reconcile(true, 1).pods()).isEqualTo(1);
    assertThat(live()).hasSize(1);
    assertThat(reconcile(true, 0).pods()).isZero();
    assertThat(live()).isEmpty();
  }

  @Test
  void turningTheFeatureOffRemovesLeftovers() {
    priorityClass();
    reconcile(true, 2);
    Placeholders.Result off = reconcile(false, 0);
    assertThat(off.condition()).isEmpty();
    assertThat(live()).isEmpty();
    long writes = guard.writes();
    reconcile(false, 0);
    assertThat(guard.writes()).as("nothing left to remove: no writes").isEqualTo(writes);
  }

  @Test
  void aMissingPriorityClassDisablesTheFeatureWithAConditionNamingIt() {
    Placeholders.Result r = reconcile(true, 3);
    assertThat(r.pods()).isZero();
    assertThat(live()).isEmpty();
    CapacityCondition c = r.condition().orElseThrow();
    assertThat(c.type()).isEqualTo("PlaceholdersReady");
    assertThat(c.status()).isFalse();
    assertThat(c.reason()).isEqualTo("PriorityClassNotFound");
    assertThat(c.message()).contains(CLASS, "capacity.placeholders.priorityClassName");
  }

  @Test
  void placeholdersOfAnOldShapeAreReplaced() {
    priorityClass();
    reconcile(true, 2);
    PodSpec bigger = executorSpec();
    bigger.getContainers().get(0).getResources().getRequests().put("cpu", new Quantity("8"));
    Placeholders.Result r =
        placeholders.reconcile(
            NS + "/clicks", owner, true, CLASS, 2, Optional.of(ExecutorShape.of(bigger)), "");
    assertThat(r.pods()).isEqualTo(2);
    assertThat(live())
        .hasSize(2)
        .allSatisfy(
            p ->
                assertThat(
                        p.getSpec().getContainers().get(0).getResources().getRequests().get("cpu"))
                    .isEqualTo(new Quantity("8")));
  }

  @Test
  void withoutAShapeNothingIsCreatedAndTheConditionSaysWhy() {
    priorityClass();
    Placeholders.Result r =
        placeholders.reconcile(NS + "/clicks", owner, true, CLASS, 2, Optional.empty(), "");
    assertThat(r.pods()).isZero();
    assertThat(r.condition().orElseThrow().reason()).isEqualTo("NoExecutorShape");
    assertThat(live()).isEmpty();
  }

  @Test
  void writesAreRateLimited() {
    priorityClass();
    guard =
        new WriteGuard(
            new WriteGuard.Limits(1000, 1000, 2, Duration.ZERO, 1, Duration.ofMillis(1)),
            () -> true);
    placeholders = new Placeholders(client, guard, clock, IMAGE);
    Placeholders.Result r = reconcile(true, 5);
    assertThat(r.pods()).as("two creates per minute for this autoscaler").isEqualTo(2);
    assertThat(live()).hasSize(2);
    assertThat(r.condition().orElseThrow().status()).isFalse();
    assertThat(r.condition().orElseThrow().message()).contains("rate limit");
  }

  @Test
  void aStandbyReplicaWritesNothing() {
    priorityClass();
    guard =
        new WriteGuard(
            new WriteGuard.Limits(1000, 1000, 1000, Duration.ZERO, 1, Duration.ofMillis(1)),
            () -> false);
    placeholders = new Placeholders(client, guard, clock, IMAGE);
    assertThat(reconcile(true, 3).pods()).isZero();
    assertThat(live()).isEmpty();
  }
}
