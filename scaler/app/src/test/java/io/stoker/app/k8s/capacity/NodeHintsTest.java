package io.stoker.app.k8s.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Nodes needed per node group for the pending executors (pure). */
class NodeHintsTest {
  static final String GROUP = "node.kubernetes.io/instance-type";
  static final long GI = 1L << 30;

  static NodeHints.NodeSize node(String group, long cpus, long memGi) {
    return new NodeHints.NodeSize(group, Map.of(GROUP, group), cpus * 1000, memGi * GI, 110);
  }

  static NodeHints.PodDemand pod(long cpus, long memGi) {
    return new NodeHints.PodDemand(Map.of(), cpus * 1000, memGi * GI);
  }

  static List<NodeHints.PodDemand> pods(int n, long cpus, long memGi) {
    return Stream.generate(() -> pod(cpus, memGi)).limit(n).toList();
  }

  static Stream<Arguments> cases() {
    NodeHints.NodeSize m5 = node("m5.2xlarge", 8, 32);
    NodeHints.NodeSize r5 = node("r5.4xlarge", 16, 128);
    return Stream.of(
        Arguments.of("nothing pending", List.of(), List.of(m5), Map.of()),
        Arguments.of("two per node", pods(5, 4, 8), List.of(m5), Map.of("m5.2xlarge", 3)),
        Arguments.of(
            "memory bound",
            pods(4, 1, 20),
            List.of(m5, r5),
            Map.of("m5.2xlarge", 4, "r5.4xlarge", 1)),
        Arguments.of(
            "too big for a group", pods(2, 12, 8), List.of(m5, r5), Map.of("r5.4xlarge", 2)),
        Arguments.of(
            "node selector picks the group",
            List.of(new NodeHints.PodDemand(Map.of(GROUP, "r5.4xlarge"), 4000, 8 * GI)),
            List.of(m5, r5),
            Map.of("r5.4xlarge", 1)),
        Arguments.of(
            "a group's smallest node counts",
            pods(2, 6, 8),
            List.of(node("mixed", 8, 32), node("mixed", 16, 64)),
            Map.of("mixed", 2)),
        Arguments.of("no nodes with the label", pods(3, 1, 1), List.of(), Map.of()),
        Arguments.of(
            "pods limit per node",
            pods(3, 1, 1),
            List.of(new NodeHints.NodeSize("tiny", Map.of(GROUP, "tiny"), 64000, 256 * GI, 2)),
            Map.of("tiny", 2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void nodesNeeded(
      String name,
      List<NodeHints.PodDemand> pending,
      List<NodeHints.NodeSize> nodes,
      Map<String, Integer> expected) {
    assertThat(NodeHints.needed(pending, nodes)).isEqualTo(expected);
  }

  @Test
  void podDemandSumsContainersAndDefaultsRequestsToLimits() {
    Pod p =
        new PodBuilder()
            .withNewSpec()
            .addNewContainer()
            .withName("executor")
            .withNewResources()
            .addToRequests("cpu", new Quantity("3500m"))
            .addToLimits("memory", new Quantity("6Gi"))
            .endResources()
            .endContainer()
            .addNewContainer()
            .withName("sidecar")
            .withNewResources()
            .addToRequests("cpu", new Quantity("500m"))
            .addToRequests("memory", new Quantity("2Gi"))
            .endResources()
            .endContainer()
            .withNodeSelector(Map.of(GROUP, "m5.2xlarge"))
            .endSpec()
            .build();
    NodeHints.PodDemand d = NodeHints.demand(p);
    assertThat(d.milliCpu()).isEqualTo(4000);
    assertThat(d.memoryBytes()).isEqualTo(8 * GI);
    assertThat(d.nodeSelector()).containsEntry(GROUP, "m5.2xlarge");
  }

  @Test
  void nodeSizeFromAllocatable() {
    Node n =
        new NodeBuilder()
            .withNewMetadata()
            .withName("ip-10-0-0-1")
            .addToLabels(GROUP, "m5.2xlarge")
            .endMetadata()
            .withNewStatus()
            .addToAllocatable("cpu", new Quantity("7910m"))
            .addToAllocatable("memory", new Quantity("31Gi"))
            .addToAllocatable("pods", new Quantity("58"))
            .endStatus()
            .build();
    NodeHints.NodeSize s = NodeHints.size(n, GROUP);
    assertThat(s.group()).isEqualTo("m5.2xlarge");
    assertThat(s.milliCpu()).isEqualTo(7910);
    assertThat(s.memoryBytes()).isEqualTo(31 * GI);
    assertThat(s.pods()).isEqualTo(58);
    assertThat(NodeHints.size(n, "eks.amazonaws.com/nodegroup"))
        .as("unlabelled: no group")
        .isNull();
  }
}
