package io.stoker.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * kwok (built by {@code e2e/tools/build-kwok.sh}) playing kubelet for fake Nodes: it keeps every
 * Node annotated {@code kwok.x-k8s.io/node: fake} Ready (status and Lease) and walks the pods bound
 * to them through the stages of {@code kwok/kwok.yaml} (test resources): started at once (Running,
 * Ready, a pod IP) and gone at once when deleted. Spark executor pods ({@code spark-role=executor})
 * are left to their own agent unless labelled {@link #RUN_BY_KWOK}. Nodes come from {@link #node}
 * (capacity as given) or from a node autoscaler that sets the same annotation (Karpenter's kwok
 * provider). A controller manager with {@code node-lifecycle-controller} must run: it removes the
 * {@code node.kubernetes.io/not-ready} taint every new Node gets once kwok reports it Ready.
 */
final class KwokNodes {
  /** The annotation of the Nodes kwok manages (Karpenter's kwok provider sets it too). */
  static final String MANAGED = "kwok.x-k8s.io/node";

  /** The label that lets kwok start and stop a Spark executor pod (key and value). */
  static final Map.Entry<String, String> RUN_BY_KWOK = Map.entry("e2e.stoker.io/kubelet", "kwok");

  private final ControlPlane cp;
  private final KubernetesClient admin;

  private KwokNodes(ControlPlane cp, KubernetesClient admin) {
    this.cp = cp;
    this.admin = admin;
  }

  static Path binary() {
    String version = System.getProperty("stoker.kwok.version", "v0.8.0");
    return ControlPlane.tool("kwok-" + version, "build-kwok.sh", "kwok").resolve("kwok");
  }

  /** Starts kwok against {@code cp} (log {@code kwok}; stopped with the control plane). */
  static KwokNodes start(ControlPlane cp, KubernetesClient admin) throws IOException {
    Path bin = binary();
    Path config = cp.adminKubeconfig().resolveSibling("kwok.yaml");
    try (InputStream in = KwokNodes.class.getResourceAsStream("/kwok/kwok.yaml")) {
      if (in == null) {
        throw new IllegalStateException("kwok/kwok.yaml is not on the test class path");
      }
      Files.copy(in, config, StandardCopyOption.REPLACE_EXISTING);
    }
    cp.startProcess(
        "kwok",
        List.of(
            bin.toString(),
            "--kubeconfig=" + cp.adminKubeconfig(),
            "--config=" + config,
            "--manage-nodes-with-annotation-selector=" + MANAGED + "=fake",
            "--server-address=127.0.0.1:0",
            "--cidr=10.0.0.0/16"),
        Map.of());
    return new KwokNodes(cp, admin);
  }

  /**
   * Creates a fake Node with this allocatable room (also its capacity) and waits until kwok has it
   * Ready.
   */
  Node node(
      String name,
      String cpu,
      String memory,
      int pods,
      Map<String, String> labels,
      List<Taint> taints) {
    Map<String, Quantity> room =
        Map.of(
            "cpu", new Quantity(cpu),
            "memory", new Quantity(memory),
            "pods", new Quantity(String.valueOf(pods)));
    admin
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .addToAnnotations(MANAGED, "fake")
                .addToLabels(labels)
                .addToLabels("kubernetes.io/hostname", name)
                .addToLabels("kubernetes.io/os", "linux")
                .addToLabels("kubernetes.io/arch", "amd64")
                .endMetadata()
                .withNewSpec()
                .withTaints(taints)
                .endSpec()
                .withNewStatus()
                .withCapacity(room)
                .withAllocatable(room)
                .endStatus()
                .build())
        .create();
    await("kwok reports node " + name + " Ready")
        .atMost(Duration.ofSeconds(60))
        .failFast(() -> cp.assertRunning("kwok"))
        .until(() -> ready(admin.nodes().withName(name).get()));
    return admin.nodes().withName(name).get();
  }

  static boolean ready(Node n) {
    return n != null
        && n.getStatus() != null
        && n.getStatus().getConditions() != null
        && n.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Whether a Node still carries the not-ready taint the API server puts on new Nodes. */
  static boolean notReadyTainted(Node n) {
    return n.getSpec().getTaints() != null
        && n.getSpec().getTaints().stream()
            .anyMatch(t -> "node.kubernetes.io/not-ready".equals(t.getKey()));
  }
}
