package io.stoker.app.k8s.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.stoker.app.capacity.NodeGroupHints;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the node-group hints read of pods and nodes. */
class NodeHintsTest {
  static final String GROUP = "node.kubernetes.io/instance-type";
  static final long GI = 1L << 30;

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
    NodeGroupHints.PodDemand d = NodeHints.demand(p);
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
    NodeGroupHints.NodeSize s = NodeHints.size(n, GROUP);
    assertThat(s.group()).isEqualTo("m5.2xlarge");
    assertThat(s.milliCpu()).isEqualTo(7910);
    assertThat(s.memoryBytes()).isEqualTo(31 * GI);
    assertThat(s.pods()).isEqualTo(58);
    assertThat(NodeHints.size(n, "eks.amazonaws.com/nodegroup"))
        .as("unlabelled: no group")
        .isNull();
  }
}
