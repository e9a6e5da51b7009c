package io.stoker.app.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Nodes needed per node group for the pending executors (pure). */
class NodeGroupHintsTest {
  static final String GROUP = "node.kubernetes.io/instance-type";
  static final long GI = 1L << 30;

  static NodeGroupHints.NodeSize node(String group, long cpus, long memGi) {
    return new NodeGroupHints.NodeSize(group, Map.of(GROUP, group), cpus * 1000, memGi * GI, 110);
  }

  static NodeGroupHints.PodDemand pod(long cpus, long memGi) {
    return new NodeGroupHints.PodDemand(Map.of(), cpus * 1000, memGi * GI);
  }

  static List<NodeGroupHints.PodDemand> pods(int n, long cpus, long memGi) {
    return Stream.generate(() -> pod(cpus, memGi)).limit(n).toList();
  }

  static Stream<Arguments> cases() {
    NodeGroupHints.NodeSize m5 = node("m5.2xlarge", 8, 32);
    NodeGroupHints.NodeSize r5 = node("r5.4xlarge", 16, 128);
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
            List.of(new NodeGroupHints.PodDemand(Map.of(GROUP, "r5.4xlarge"), 4000, 8 * GI)),
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
            List.of(new NodeGroupHints.NodeSize("tiny", Map.of(GROUP, "tiny"), 64000, 256 * GI, 2)),
            Map.of("tiny", 2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void nodesNeeded(
      String name,
      List<NodeGroupHints.PodDemand> pending,
      List<NodeGroupHints.NodeSize> nodes,
      Map<String, Integer> expected) {
    assertThat(NodeGroupHints.needed(pending, nodes)).isEqualTo(expected);
  }
}
