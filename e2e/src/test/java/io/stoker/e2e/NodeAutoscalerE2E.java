package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.app.controller.Operator;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stoker's capacity features against a real node autoscaler: Karpenter (its kwok provider, {@link
 * KarpenterKwok}) adds and removes fake Nodes that kwok ({@link KwokNodes}) keeps Ready, the real
 * kube-scheduler places (and preempts) pods, kube-controller-manager's node-lifecycle controller
 * clears new Nodes' not-ready taint. Stoker runs in-process with the chart's ServiceAccount token
 * (placeholders, shuffle protection with {@code karpenter.sh/do-not-disrupt}, node hints per
 * NodePool); its target comes from a real Kafka broker in the JVM (no lag: the target is {@code
 * minExecutors}, so a change of {@code minExecutors} is a target jump). Executor pods are created
 * and deleted by {@link ExecutorAllocator}, as Spark's allocator follows the driver annotation.
 *
 * <p>Each test has its own namespace and NodePool (c-4x-amd64-linux: 3.9 allocatable CPUs, room for
 * three 1-CPU executors); Nodes register {@link #NODE_DELAY} after Karpenter launches them, a
 * stand-in for a cloud instance's boot. The reaction times are printed ({@code NodeAutoscalerE2E
 * figures:}) and kept in docs/capacity.md.
 */
class NodeAutoscalerE2E {
  static final Duration NODE_DELAY = Duration.ofSeconds(10);
  private static final String INSTANCE_TYPE = "c-4x-amd64-linux";
  private static final String POOL_LABEL = "karpenter.sh/nodepool";
  private static final String TARGET = "stoker.io/target-executors";

  private static ControlPlane cp;
  private static KubernetesClient admin;
  private static KwokNodes kwok;
  private static KarpenterKwok karpenter;
  private static EmbeddedKafka kafka;
  private static KubernetesClient controllerClient;
  private static Operator controller;
  private static final ApiAudit AUDIT = new ApiAudit();

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cp = ControlPlane.start();
    admin = cp.adminClient();
    cp.startScheduler();
    cp.startControllerManager(
        List.of(
            "node-lifecycle-controller",
            "pod-garbage-collector-controller",
            "statefulset-controller"),
        Duration.ofSeconds(15));
    kwok = KwokNodes.start(cp, admin);
    // The drivers' Node: a Node object no kubelet or kwok runs (a driver here is a pod object whose
    // IP is this JVM's, where ExecutorAllocator serves its metrics), tainted so that no executor or
    // placeholder is scheduled there.
    admin
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName("system-0")
                .endMetadata()
                .withNewSpec()
                .addNewTaint()
                .withKey("e2e.stoker.io/system")
                .withValue("true")
                .withEffect("NoSchedule")
                .endTaint()
                .endSpec()
                .build())
        .create();
    karpenter = KarpenterKwok.start(cp, admin);
    karpenter.nodeClass("fake", NODE_DELAY);
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("placeholders.enabled", true);
    values.put("shuffleProtection.enabled", true);
    values.put("shuffleProtection.evictionHold", "5s");
    values.put("shuffleProtection.karpenterDoNotDisrupt", true);
    values.put("nodeHints.nodeGroupLabel", POOL_LABEL);
    values.put("rbac.scaleTargets[0].apiGroup", "apps");
    values.put("rbac.scaleTargets[0].resource", "statefulsets");
    ChartInstall chart = ChartInstall.install(admin, values);
    kafka = new EmbeddedKafka();
    controllerClient = cp.clientWithToken(chart.token(), AUDIT);
    controller = InProcessController.start(controllerClient, "stoker-0", chart.controllerFlags());
    await("leader").atMost(Duration.ofSeconds(30)).until(controller::isLeader);
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.all(
        controller == null ? null : () -> controller.close(Duration.ofSeconds(10)),
        controllerClient,
        kafka,
        admin,
        cp);
  }

  @AfterEach
  void closeAndCheckAudit() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    assertThat(AUDIT.unexpected()).as("calls refused (RBAC) or malformed").isEmpty();
  }

  @Test
  void pendingExecutorsGetNewNodesAsTheNodeHintsSaid() throws Exception {
    App app = app("cold", 1, 8, 0);
    Set<String> before = claimNames("cold");

    Jump jump = app.jumpTo(7);
    Map<String, Integer> hinted = new TreeMap<>();
    awaitRunning(
        app,
        7,
        Duration.ofSeconds(180),
        () -> {
          var status = app.autoscaler().getStatus();
          if (status != null && status.capacity != null && status.capacity.nodeHints != null) {
            status.capacity.nodeHints.forEach((g, n) -> hinted.merge(g, n, Math::max));
          }
        });
    Instant running = Instant.now();
    Set<String> added = new HashSet<>(claimNames("cold"));
    added.removeAll(before);

    assertThat(added).as("NodeClaims Karpenter launched for the jump").hasSize(2);
    assertThat(hinted)
        .as("status.capacity.nodeHints while the executors waited")
        .isEqualTo(Map.of("cold", added.size()));
    figure("no placeholders", jump, running);
  }

  @Test
  void placeholdersArePreemptedSoExecutorsStartAtOnceAndKarpenterReplacesTheirRoom()
      throws Exception {
    App app = app("warm", 1, 13, 6);
    await("6 placeholders placed on nodes Karpenter added for them")
        .atMost(Duration.ofSeconds(180))
        .failFast(() -> cp.assertRunning("karpenter", "kwok", "kube-scheduler"))
        .until(() -> placeholders("warm", true).size() == 6);
    Set<String> nodesBefore = nodeNames("warm");
    Set<String> claimsBefore = claimNames("warm");
    Set<String> placeholdersBefore = placeholders("warm", false);

    Jump jump = app.jumpTo(7);
    awaitRunning(app, 7, Duration.ofSeconds(60), () -> {});
    Instant running = Instant.now();

    Set<String> executorNodes =
        app.allocator.live().stream()
            .map(p -> p.getSpec().getNodeName())
            .collect(Collectors.toSet());
    assertThat(nodesBefore)
        .as("the executors ran on the nodes the placeholders held, no new node")
        .containsAll(executorNodes);
    Set<String> preempted = new HashSet<>(placeholdersBefore);
    preempted.removeAll(placeholders("warm", false));
    // Executors beyond the free slots the placeholders' nodes had left preempted placeholders.
    assertThat(preempted).as("placeholders preempted by the executors").isNotEmpty();

    await("Stoker puts 6 placeholders back and Karpenter adds room for them")
        .atMost(Duration.ofSeconds(180))
        .failFast(() -> cp.assertRunning("karpenter", "kwok", "kube-scheduler"))
        .until(() -> placeholders("warm", true).size() == 6);
    Instant roomBack = Instant.now();
    Set<String> claimsAdded = new HashSet<>(claimNames("warm"));
    claimsAdded.removeAll(claimsBefore);
    assertThat(claimsAdded).as("NodeClaims launched for the new placeholders").isNotEmpty();
    figure("placeholders (headroomExecutors 6)", jump, running);
    System.out.printf(
        "NodeAutoscalerE2E figures: placeholders' room replaced %d ms after the jump (%d new"
            + " NodeClaims)%n",
        Duration.between(jump.at, roomBack).toMillis(), claimsAdded.size());
  }

  @Test
  void protectedExecutorsKeepTheirNodesWhileEmptyNodesAreConsolidated() throws Exception {
    App app = app("shrink", 7, 8, 0);
    Map<String, List<Pod>> byNode =
        app.allocator.live().stream()
            .collect(Collectors.groupingBy(p -> p.getSpec().getNodeName()));
    assertThat(byNode).as("7 executors over three 3-slot nodes").hasSize(3);
    // One executor of each of two nodes keeps running tasks; the rest go idle and are released.
    List<String> kept = new ArrayList<>(byNode.keySet()).subList(0, 2);
    Map<String, Pod> busy = new HashMap<>();
    for (String node : kept) {
      busy.put(node, byNode.get(node).get(0));
    }
    app.allocator.busy(
        busy.values().stream()
            .map(p -> p.getMetadata().getLabels().get("spark-exec-id"))
            .collect(Collectors.toSet()));
    await("the busy executors protected with karpenter.sh/do-not-disrupt")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                busy.values().stream()
                    .allMatch(
                        p ->
                            "true"
                                .equals(
                                    pod("shrink", p.getMetadata().getName())
                                        .getMetadata()
                                        .getAnnotations()
                                        .get("karpenter.sh/do-not-disrupt"))));

    app.jumpTo(2); // the five idle executors are removed; one node is left empty
    await("the empty node consolidated, the protected executors' nodes kept")
        .atMost(Duration.ofSeconds(150))
        .failFast(
            () -> {
              cp.assertRunning("karpenter", "kwok");
              for (Map.Entry<String, Pod> e : busy.entrySet()) {
                Pod now = pod("shrink", e.getValue().getMetadata().getName());
                assertThat(now).as("protected executor still exists").isNotNull();
                assertThat(now.getMetadata().getUid())
                    .isEqualTo(e.getValue().getMetadata().getUid());
                assertThat(now.getMetadata().getDeletionTimestamp()).as("evicted").isNull();
                assertThat(now.getSpec().getNodeName()).isEqualTo(e.getKey());
              }
            })
        .untilAsserted(() -> assertThat(nodeNames("shrink")).isEqualTo(new HashSet<>(kept)));
    // Each kept node runs one executor on 1 of its 3.9 CPUs and the other has room for it: without
    // the annotation, Karpenter's Underutilized consolidation (a 10 s disruption poll, then 15 s of
    // validation) would move one executor and delete its node. Both must stay for longer than that.
    await("the protected executors keep running on their nodes")
        .during(Duration.ofSeconds(40))
        .atMost(Duration.ofSeconds(60))
        .failFast(() -> cp.assertRunning("karpenter", "kwok"))
        .untilAsserted(
            () -> {
              assertThat(nodeNames("shrink")).isEqualTo(new HashSet<>(kept));
              for (Map.Entry<String, Pod> e : busy.entrySet()) {
                Pod now = pod("shrink", e.getValue().getMetadata().getName());
                assertThat(now).as("protected executor still exists").isNotNull();
                assertThat(now.getMetadata().getUid())
                    .isEqualTo(e.getValue().getMetadata().getUid());
                assertThat(now.getMetadata().getDeletionTimestamp()).as("evicted").isNull();
                assertThat(now.getStatus().getPhase()).isEqualTo("Running");
                assertThat(now.getSpec().getNodeName()).isEqualTo(e.getKey());
              }
            });
  }

  @Test
  void scaleActuationResizesARealStatefulSetWhosePodsGetNodes() throws Exception {
    String ns = "sts";
    karpenter.nodePool(ns, "fake", INSTANCE_TYPE, Duration.ofSeconds(5));
    SparkPods.namespace(admin, ns);
    kafka.createTopic(ns, 1);
    kafka.commit(ns, Map.of(new TopicPartition(ns, 0), 0L));
    admin.apps().statefulSets().inNamespace(ns).resource(executorStatefulSet(ns)).create();
    ExecutorAutoscalerSpec s = Autoscalers.onKafkaLag(ns, kafka.bootstrap(), ns, ns, 6);
    Autoscalers.scaleDownWindow(s, "0s");
    s.target = ExecutorAutoscalerSpec.Target.scaled("apps/v1", "StatefulSet", ns);
    s.actuation = ExecutorAutoscalerSpec.Actuation.Scale;
    // Placeholders for this shape too: their shape comes from the StatefulSet's pod template.
    s.capacity = new ExecutorAutoscalerSpec.Capacity();
    s.capacity.placeholders = new ExecutorAutoscalerSpec.Placeholders();
    s.capacity.placeholders.enabled = true;
    s.capacity.placeholders.headroomExecutors = 2;
    Autoscalers.create(admin, ns, ns, s);
    awaitStatefulSetPods(ns, 1);
    await("2 placeholders shaped like the pod template, Running on nodes of its NodePool")
        .atMost(Duration.ofSeconds(180))
        .failFast(() -> cp.assertRunning("karpenter", "kwok", "kube-scheduler"))
        .until(() -> placeholders(ns, true).size() == 2);
    Set<String> poolNodes = nodeNames(ns);
    for (Pod p :
        admin.pods().inNamespace(ns).withLabel("stoker.io/role", "placeholder").list().getItems()) {
      assertThat(p.getSpec().getNodeSelector()).containsEntry(POOL_LABEL, ns);
      assertThat(p.getSpec().getContainers().get(0).getResources().getRequests())
          .containsEntry("cpu", new Quantity("1"))
          .containsEntry("memory", new Quantity("1408Mi"));
      assertThat(poolNodes).contains(p.getSpec().getNodeName());
    }

    setMin(ns, 4);
    await("Stoker writes 4 replicas through /scale")
        .atMost(Duration.ofSeconds(30))
        .until(() -> replicas(ns) == 4);
    awaitStatefulSetPods(ns, 4);
    await("the placeholders' room back beside the 4 pods")
        .atMost(Duration.ofSeconds(180))
        .failFast(() -> cp.assertRunning("karpenter", "kwok", "kube-scheduler"))
        .until(() -> placeholders(ns, true).size() == 2);

    setMin(ns, 1);
    await("Stoker writes 1 replica through /scale")
        .atMost(Duration.ofSeconds(30))
        .until(() -> replicas(ns) == 1);
    awaitStatefulSetPods(ns, 1);
  }

  private static int replicas(String ns) {
    return admin.apps().statefulSets().inNamespace(ns).withName(ns).get().getSpec().getReplicas();
  }

  private static void setMin(String ns, int n) {
    admin
        .resources(ExecutorAutoscaler.class)
        .inNamespace(ns)
        .withName(ns)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"minExecutors\":" + n + "}}");
  }

  /** Exactly {@code n} pods of the StatefulSet, all Running on Nodes of its NodePool. */
  private static void awaitStatefulSetPods(String ns, int n) {
    await(n + " pods of StatefulSet " + ns + " Running on its NodePool's nodes")
        .atMost(Duration.ofSeconds(120))
        .failFast(
            () ->
                cp.assertRunning("karpenter", "kwok", "kube-scheduler", "kube-controller-manager"))
        .untilAsserted(
            () -> {
              List<Pod> pods = admin.pods().inNamespace(ns).withLabel("app", ns).list().getItems();
              assertThat(pods).hasSize(n);
              Set<String> poolNodes = nodeNames(ns);
              for (Pod p : pods) {
                assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                assertThat(poolNodes).contains(p.getSpec().getNodeName());
              }
            });
  }

  /**
   * Executors as a StatefulSet (one replica): Spark's executor labels (Stoker counts its pods),
   * opted in to kwok, in the NodePool of the same name.
   */
  private static StatefulSet executorStatefulSet(String name) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withServiceName(name)
        .withPodManagementPolicy("Parallel")
        .withNewSelector()
        .addToMatchLabels("app", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", name)
        .addToLabels("spark-role", "executor")
        .addToLabels(KwokNodes.RUN_BY_KWOK.getKey(), KwokNodes.RUN_BY_KWOK.getValue())
        .endMetadata()
        .withNewSpec()
        .addToNodeSelector(POOL_LABEL, name)
        .addNewContainer()
        .withName("executor")
        .withImage("registry.k8s.io/pause:3.10")
        .withNewResources()
        .addToRequests("cpu", new Quantity("1"))
        .addToRequests("memory", new Quantity("1408Mi"))
        .endResources()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  // --- one application ---------------------------------------------------------------------

  /** A driver on the system node, its executors in NodePool {@code name}, its autoscaler. */
  private final class App {
    final String ns;
    final SparkPods pods;
    final ExecutorAllocator allocator;

    App(String ns, SparkPods pods, ExecutorAllocator allocator) {
      this.ns = ns;
      this.pods = pods;
      this.allocator = allocator;
    }

    ExecutorAutoscaler autoscaler() {
      return admin.resources(ExecutorAutoscaler.class).inNamespace(ns).withName(ns).get();
    }

    /** Sets minExecutors (the target, as there is no lag) and waits for Stoker's write. */
    Jump jumpTo(int n) {
      Instant at = Instant.now();
      admin
          .resources(ExecutorAutoscaler.class)
          .inNamespace(ns)
          .withName(ns)
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"minExecutors\":" + n + "}}");
      await("Stoker writes target " + n)
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> String.valueOf(n).equals(pods.targetAnnotation()));
      return new Jump(at, Instant.now(), n);
    }
  }

  private record Jump(Instant at, Instant written, int executors) {}

  private App app(String name, int min, int max, int headroom) throws Exception {
    karpenter.nodePool(name, "fake", INSTANCE_TYPE, Duration.ofSeconds(5));
    SparkPods.namespace(admin, name);
    kafka.createTopic(name, 1);
    kafka.commit(name, Map.of(new TopicPartition(name, 0), 0L));
    SparkPods pods = new SparkPods(admin, name, name);
    Pod driver = pods.driverOn("system-0", "127.0.0.1", Map.of());
    ExecutorAllocator allocator =
        new ExecutorAllocator(admin, pods, name, driver, Map.of(POOL_LABEL, name));
    toClose.add(allocator);
    ExecutorAutoscalerSpec s = Autoscalers.onKafkaLag(name, kafka.bootstrap(), name, name, max);
    Autoscalers.scaleDownWindow(s, "0s");
    s.minExecutors = min;
    s.signals.spark = new ExecutorAutoscalerSpec.SparkSignal();
    s.signals.spark.port = allocator.port();
    s.capacity = new ExecutorAutoscalerSpec.Capacity();
    s.capacity.protectShuffle = true;
    if (headroom > 0) {
      s.capacity.placeholders = new ExecutorAutoscalerSpec.Placeholders();
      s.capacity.placeholders.enabled = true;
      s.capacity.placeholders.headroomExecutors = headroom;
    }
    Autoscalers.create(admin, name, name, s);
    App app = new App(name, pods, allocator);
    awaitRunning(app, min, Duration.ofSeconds(180), () -> {});
    return app;
  }

  /** Waits until exactly {@code n} live executors are Running; {@code each} runs every poll. */
  private void awaitRunning(App app, int n, Duration atMost, Runnable each) {
    await(n + " executors of " + app.ns + " Running")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .failFast(
            () ->
                cp.assertRunning("karpenter", "kwok", "kube-scheduler", "kube-controller-manager"))
        .untilAsserted(
            () -> {
              each.run();
              List<Pod> live = app.allocator.live();
              assertThat(live.stream().map(p -> p.getStatus().getPhase()).toList())
                  .as(
                      "executor phases (allocator: %s; annotation %s)",
                      app.allocator.lastError(), app.pods.targetAnnotation())
                  .hasSize(n)
                  .containsOnly("Running");
            });
  }

  private static void figure(String mode, Jump jump, Instant running) {
    String line =
        String.format(
            "NodeAutoscalerE2E figures: %s: target 1 -> %d written %d ms after the spec change;"
                + " all executors Running %d ms after the target was written (node registration"
                + " delay %d s)",
            mode,
            jump.executors,
            Duration.between(jump.at, jump.written).toMillis(),
            Duration.between(jump.written, running).toMillis(),
            NODE_DELAY.toSeconds());
    System.out.println(line);
  }

  // --- reads ------------------------------------------------------------------------------

  private static Pod pod(String ns, String name) {
    return admin.pods().inNamespace(ns).withName(name).get();
  }

  private static Set<String> claimNames(String pool) {
    return karpenter.nodeClaims(pool).stream()
        .map(GenericKubernetesResource::getMetadata)
        .map(m -> m.getName())
        .collect(Collectors.toSet());
  }

  private static Set<String> nodeNames(String pool) {
    return admin.nodes().withLabel(POOL_LABEL, pool).list().getItems().stream()
        .map(Node::getMetadata)
        .map(m -> m.getName())
        .collect(Collectors.toSet());
  }

  /** Placeholder pods of an autoscaler (only those Running on a node with {@code running}). */
  private static Set<String> placeholders(String ns, boolean running) {
    return admin
        .pods()
        .inNamespace(ns)
        .withLabel("stoker.io/role", "placeholder")
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> !running || "Running".equals(p.getStatus().getPhase()))
        .map(p -> p.getMetadata().getName())
        .collect(Collectors.toSet());
  }
}
