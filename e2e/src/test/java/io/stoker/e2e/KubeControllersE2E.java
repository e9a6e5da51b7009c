package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
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
  private static ControlPlane cp;
  private static KubernetesClient admin;

  @BeforeAll
  static void start() throws Exception {
    cp = ControlPlane.start();
    admin = cp.adminClient();
    cp.startScheduler();
    cp.startControllerManager(List.of("statefulset-controller"), Duration.ofSeconds(15));
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

  private static void awaitPodsBound(String app, int n) {
    await(n + " pods of " + app + " created and bound")
        .atMost(Duration.ofSeconds(90))
        .failFast("a control plane process exited", () -> !cp.exited().isEmpty())
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

  private static void node(String name, String cpu) {
    admin
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
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
   * which no kubelet makes it. The pods tolerate the not-ready taint every new Node gets (no
   * kubelet reports these Nodes Ready).
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
        .addNewToleration()
        .withKey("node.kubernetes.io/not-ready")
        .withOperator("Exists")
        .withEffect("NoSchedule")
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
