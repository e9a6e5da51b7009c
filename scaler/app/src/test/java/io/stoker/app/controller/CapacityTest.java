package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import io.stoker.app.metrics.MetricNames;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The capacity step of a running controller: placeholders and node-group hints. */
class CapacityTest extends MockServerControllerTest {
  static final String GROUP = "node.kubernetes.io/instance-type";

  private static ExecutorAutoscalerSpec withPlaceholders(String app, int headroom) {
    ExecutorAutoscalerSpec s = Fixtures.spec(app);
    s.capacity = new ExecutorAutoscalerSpec.Capacity();
    s.capacity.placeholders = new ExecutorAutoscalerSpec.Placeholders();
    s.capacity.placeholders.enabled = true;
    s.capacity.placeholders.headroomExecutors = headroom;
    return s;
  }

  private List<Pod> placeholders(String autoscaler) {
    return client
        .pods()
        .inNamespace(NS)
        .withLabel("stoker.io/autoscaler", autoscaler)
        .withLabel("stoker.io/role", "placeholder")
        .list()
        .getItems();
  }

  private ExecutorAutoscalerStatus.Capacity capacity(String name) {
    ExecutorAutoscalerStatus s = Fixtures.status(client, name);
    return s == null ? null : s.capacity;
  }

  private Double metric(String name, String... labels) {
    String[] names =
        labels.length == 2
            ? new String[] {"namespace", "autoscaler"}
            : new String[] {"namespace", "autoscaler", "node_group"};
    return operator.metrics().registry().getSampleValue(name, names, labels);
  }

  @Test
  void placeholdersFollowTheHeadroomAndAreCountedInStatusAndMetrics() throws Exception {
    Fixtures.priorityClass(client, "stoker-placeholder");
    Fixtures.driver(client, "p");
    Fixtures.unschedulableExecutor(client, "p", 1);
    ExecutorAutoscaler eas = Fixtures.create(client, "p", withPlaceholders("p", 3));
    signals.kafka(NS + "/p", 0, 1_000, 1_000, 64);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "a", clock, signals);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                capacity("p") != null && Integer.valueOf(3).equals(capacity("p").placeholderPods));
    List<Pod> pods = placeholders("p");
    assertThat(pods).hasSize(3);
    assertThat(pods.get(0).getSpec().getContainers().get(0).getResources().getRequests())
        .containsEntry("cpu", new Quantity("4"))
        .containsEntry("memory", new Quantity("8Gi"));
    assertThat(pods.get(0).getSpec().getPriorityClassName()).isEqualTo("stoker-placeholder");
    assertThat(pods.get(0).getMetadata().getOwnerReferences().get(0).getUid())
        .isEqualTo(eas.getMetadata().getUid());
    assertThat(Fixtures.conditionIs(client, "p", Conditions.PLACEHOLDERS_READY, "True")).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Double.valueOf(3).equals(metric(MetricNames.PLACEHOLDER_PODS, NS, "p")));

    // Demand falls: headroom 0 and the executor got placed.
    client.pods().inNamespace(NS).withName("p-exec-1").delete();
    // A merge patch without a version, which cannot race the controller's status writes (409).
    Fixtures.editSpec(client, "p", s -> s.capacity.placeholders.headroomExecutors = 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> placeholders("p").isEmpty());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Integer.valueOf(0).equals(capacity("p").placeholderPods));
  }

  @Test
  void aMissingPriorityClassIsNamedAndScalingGoesOn() throws Exception {
    Fixtures.driver(client, "m");
    Fixtures.executors(client, "m", 1);
    ExecutorAutoscalerSpec spec = withPlaceholders("m", 2);
    spec.capacity.placeholders.priorityClassName = "overprovisioning";
    Fixtures.create(client, "m", spec);
    signals.kafka(NS + "/m", 120_000, 5_000, 1_000, 64);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "a", clock, signals);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Fixtures.conditionIs(client, "m", Conditions.PLACEHOLDERS_READY, "False"));
    ExecutorAutoscalerStatus.Condition c =
        Fixtures.condition(client, "m", Conditions.PLACEHOLDERS_READY).orElseThrow();
    assertThat(c.reason).isEqualTo("PriorityClassNotFound");
    assertThat(c.message).contains("PriorityClass overprovisioning");
    assertThat(placeholders("m")).isEmpty();
    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "m") > 1);
    assertThat(Fixtures.conditionIs(client, "m", Conditions.READY, "True")).isTrue();
  }

  @Test
  void aMissingProvisioningRequestCrdIsNamedAndScalingGoesOn() throws Exception {
    Fixtures.driver(client, "q");
    Fixtures.executors(client, "q", 1);
    ExecutorAutoscalerSpec spec = Fixtures.spec("q");
    spec.capacity = new ExecutorAutoscalerSpec.Capacity();
    spec.capacity.provisioningRequest = new ExecutorAutoscalerSpec.ProvisioningRequest();
    spec.capacity.provisioningRequest.enabled = true;
    Fixtures.create(client, "q", spec);
    signals.kafka(NS + "/q", 120_000, 5_000, 1_000, 64);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "a", clock, signals);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Fixtures.condition(client, "q", Conditions.CAPACITY_AVAILABLE).isPresent());
    ExecutorAutoscalerStatus.Condition c =
        Fixtures.condition(client, "q", Conditions.CAPACITY_AVAILABLE).orElseThrow();
    assertThat(c.status).isEqualTo("False");
    assertThat(c.reason).isEqualTo("CrdNotFound");
    assertThat(c.message).contains("provisioningrequests.autoscaling.x-k8s.io");
    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "q") > 1);
    assertThat(Fixtures.conditionIs(client, "q", Conditions.READY, "True")).isTrue();
  }

  @Test
  void pendingExecutorsGiveNodeHintsPerGroup() throws Exception {
    Fixtures.node(client, "n1", GROUP, "m5.2xlarge", "8", "32Gi");
    Fixtures.node(client, "n2", GROUP, "r5.4xlarge", "16", "128Gi");
    Fixtures.driver(client, "h");
    for (int i = 1; i <= 5; i++) {
      Fixtures.unschedulableExecutor(client, "h", i);
    }
    Fixtures.create(client, "h", Fixtures.spec("h"));
    signals.kafka(NS + "/h", 0, 1_000, 1_000, 64);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "a", clock, signals);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> capacity("h") != null && capacity("h").nodeHints != null);
    assertThat(capacity("h").pendingExecutors).isEqualTo(5);
    assertThat(capacity("h").placeholderPods).as("placeholders are off").isNull();
    assertThat(capacity("h").nodeHints).isEqualTo(Map.of("m5.2xlarge", 3, "r5.4xlarge", 2));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metric(MetricNames.NODE_HINT_NODES, NS, "h", "m5.2xlarge") != null);
    assertThat(metric(MetricNames.NODE_HINT_NODES, NS, "h", "m5.2xlarge")).isEqualTo(3.0);
    assertThat(metric(MetricNames.NODE_HINT_NODES, NS, "h", "r5.4xlarge")).isEqualTo(2.0);
    assertThat(metric(MetricNames.PENDING_EXECUTORS, NS, "h")).isEqualTo(5.0);
    assertThat(Fixtures.condition(client, "h", Conditions.PLACEHOLDERS_READY)).isEmpty();
  }

  /**
   * A node group that appears after the nodes were listed (a node pool's first node) is seen within
   * seconds while executors wait that no known group can take, not after the 30 s the node list is
   * otherwise reused.
   */
  @Test
  void aNodeGroupThatAppearsWhileExecutorsWaitIsHintedWithinSeconds() throws Exception {
    Fixtures.node(client, "n1", GROUP, "m5.2xlarge", "8", "32Gi");
    Fixtures.driver(client, "g");
    Fixtures.unschedulableExecutor(client, "g", 1);
    client
        .pods()
        .inNamespace(NS)
        .withName("g-exec-1")
        .edit(
            p -> {
              p.getSpec().setNodeSelector(Map.of(GROUP, "c6i.xlarge"));
              return p;
            });
    Fixtures.create(client, "g", Fixtures.spec("g"));
    signals.kafka(NS + "/g", 0, 1_000, 1_000, 64);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "a", clock, signals);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                capacity("g") != null && Integer.valueOf(1).equals(capacity("g").pendingExecutors));
    assertThat(capacity("g").nodeHints).as("no node of c6i.xlarge yet").isNullOrEmpty();

    Fixtures.node(client, "n2", GROUP, "c6i.xlarge", "4", "8Gi");
    clock.advance(Duration.ofSeconds(6));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(capacity("g").nodeHints).isEqualTo(Map.of("c6i.xlarge", 1)));
  }
}
