package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real kube-scheduler and kube-controller-manager of {@link ControlPlane}: a StatefulSet's
 * controller creates its pods, the scheduler binds them to the one Node that has room, and a change
 * of {@code /scale} is followed. No kubelet runs: the pods stay Pending on their Node.
 */
class KubeControllersE2E {
  /** Keeps the two tests' pods on their own Nodes. */
  private static final String POOL = "e2e.stoker.io/pool";

  private static ControlPlane cp;
  private static KubernetesClient admin;
  private static KwokNodes kwok;

  @BeforeAll
  static void start() throws Exception {
    cp = ControlPlane.start();
    admin = cp.adminClient();
    cp.startScheduler();
    cp.startControllerManager(
        List.of("statefulset-controller", "node-lifecycle-controller"), Duration.ofSeconds(15));
    kwok = KwokNodes.start(cp, admin);
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.all(admin, cp);
  }

  @Test
  void statefulSetPodsAreCreatedAndBoundToTheNodeWithRoom() {
    node("small", "1"); // room for none of the pods (each asks for 2 CPUs)
    node("big", "8");
    admin.apps().statefulSets().inNamespace("default").resource(statefulSet("web", 2)).create();

    awaitPodsBound("web", 2);
    assertThat(nodesOf("web").values()).containsOnly("big");

    admin.apps().statefulSets().inNamespace("default").withName("web").scale(3);
    awaitPodsBound("web", 3);
    assertThat(nodesOf("web").values()).containsOnly("big");
  }

  @Test
  void kwokStartsPodsOnItsNodesWithinTheirRoomAndLeavesSparkExecutorsAlone() {
    kwok.node("kwok-0", "4", "16Gi", 110, Map.of(POOL, "kwok"), List.of());
    await("node-lifecycle-controller clears the not-ready taint of the Ready node")
        .atMost(Duration.ofSeconds(60))
        .until(() -> !KwokNodes.notReadyTainted(admin.nodes().withName("kwok-0").get()));

    // Created first: an executor of a real Spark application, which kwok must not touch.
    pod("spark-exec", "1", Map.of("spark-role", "executor"));
    pod(
        "kwok-exec",
        "1",
        Map.of(
            "spark-role",
            "executor",
            KwokNodes.RUN_BY_KWOK.getKey(),
            KwokNodes.RUN_BY_KWOK.getValue()));
    pod("plain", "1", Map.of());
    pod("too-big", "5", Map.of()); // more than the node's 4 CPUs

    await("kwok starts the plain pod and the executor that opted in")
        .atMost(Duration.ofSeconds(60))
        .failFast(() -> cp.assertRunning("kwok", "kube-scheduler"))
        .untilAsserted(
            () -> {
              for (String name : List.of("plain", "kwok-exec")) {
                Pod p = admin.pods().inNamespace("default").withName(name).get();
                assertThat(p.getSpec().getNodeName()).as(name).isEqualTo("kwok-0");
                assertThat(p.getStatus().getPhase()).as(name).isEqualTo("Running");
                assertThat(p.getStatus().getPodIP()).as(name).startsWith("10.0.");
              }
            });
    Pod spark = admin.pods().inNamespace("default").withName("spark-exec").get();
    assertThat(spark.getSpec().getNodeName()).as("bound by the scheduler").isEqualTo("kwok-0");
    assertThat(spark.getStatus().getPhase()).as("left to its agent").isEqualTo("Pending");
    assertThat(spark.getStatus().getPodIP()).isNull();
    Pod big = admin.pods().inNamespace("default").withName("too-big").get();
    assertThat(big.getSpec().getNodeName()).as("no node has 5 CPUs").isNull();

    // kwok completes the deletion of its pods, as a kubelet does once the containers stopped.
    admin.pods().inNamespace("default").withName("kwok-exec").delete();
    await("kwok completes the deletion")
        .atMost(Duration.ofSeconds(30))
        .until(() -> admin.pods().inNamespace("default").withName("kwok-exec").get() == null);
  }

  private static void pod(String name, String cpu, Map<String, String> labels) {
    admin
        .pods()
        .inNamespace("default")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels(labels)
                .endMetadata()
                .withNewSpec()
                .addToNodeSelector(POOL, "kwok")
                .addNewContainer()
                .withName("main")
                .withImage("registry.k8s.io/pause:3.10")
                .withNewResources()
                .addToRequests("cpu", new Quantity(cpu))
                .endResources()
                .endContainer()
                .endSpec()
                .build())
        .create();
  }

  private static void awaitPodsBound(String app, int n) {
    await(n + " pods of " + app + " created and bound")
        .atMost(Duration.ofSeconds(90))
        .failFast(() -> cp.assertRunning("kube-scheduler", "kube-controller-manager"))
        .untilAsserted(
            () ->
                assertThat(nodesOf(app))
                    .as(
                        "pod -> node (%s\n%s)",
                        cp.tail("kube-controller-manager"), cp.tail("kube-scheduler"))
                    .hasSize(n)
                    .doesNotContainValue(""));
  }

  private static Map<String, String> nodesOf(String app) {
    Map<String, String> out = new TreeMap<>();
    for (Pod p : admin.pods().inNamespace("default").withLabel("app", app).list().getItems()) {
      String node = p.getSpec().getNodeName();
      out.put(p.getMetadata().getName(), node == null ? "" : node);
    }
    return out;
  }

  /** A Node object without a kubelet (kwok does not manage it). */
  private static void node(String name, String cpu) {
    admin
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels(POOL, "sts")
                .endMetadata()
                .withNewStatus()
                .addToCapacity("cpu", new Quantity(cpu))
                .addToCapacity("memory", new Quantity("16Gi"))
                .addToCapacity("pods", new Quantity("110"))
                .addToAllocatable("cpu", new Quantity(cpu))
                .addToAllocatable("memory", new Quantity("16Gi"))
                .addToAllocatable("pods", new Quantity("110"))
                .endStatus()
                .build())
        .create();
  }

  /**
   * Parallel pod management: with OrderedReady the controller would wait for pod 0 to be Ready,
   * which no kubelet makes it. The pods tolerate every taint: no kubelet reports their Nodes Ready,
   * so they keep the not-ready taint (and node-lifecycle-controller adds more).
   */
  private static StatefulSet statefulSet(String name, int replicas) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withServiceName(name)
        .withPodManagementPolicy("Parallel")
        .withNewSelector()
        .addToMatchLabels("app", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .addToNodeSelector(POOL, "sts")
        .addNewToleration()
        .withOperator("Exists")
        .endToleration()
        .addNewContainer()
        .withName("main")
        .withImage("registry.k8s.io/pause:3.10")
        .withNewResources()
        .addToRequests("cpu", new Quantity("2"))
        .endResources()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
