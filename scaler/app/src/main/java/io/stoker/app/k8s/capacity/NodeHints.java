package io.stoker.app.k8s.capacity;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.stoker.app.capacity.NodeGroupHints.NodeSize;
import io.stoker.app.capacity.NodeGroupHints.PodDemand;
import java.math.BigDecimal;
import java.util.Map;

/**
 * What the node-group hints ({@link io.stoker.app.capacity.NodeGroupHints}) read of Kubernetes
 * objects: a pending pod's requests and node selector, a node's group and allocatable resources.
 */
final class NodeHints {
  private NodeHints() {}

  /** The demand of a pod: its containers' requests summed (or its largest init container's). */
  public static PodDemand demand(Pod p) {
    long cpu = 0;
    long mem = 0;
    for (Container c : p.getSpec().getContainers()) {
      cpu += milli(request(c, "cpu"));
      mem += bytes(request(c, "memory"));
    }
    if (p.getSpec().getInitContainers() != null) {
      for (Container c : p.getSpec().getInitContainers()) {
        cpu = Math.max(cpu, milli(request(c, "cpu")));
        mem = Math.max(mem, bytes(request(c, "memory")));
      }
    }
    Map<String, String> selector = p.getSpec().getNodeSelector();
    return new PodDemand(selector == null ? Map.of() : selector, cpu, mem);
  }

  /** A node's size in group {@code groupLabel}, or null when it lacks that label. */
  public static NodeSize size(Node n, String groupLabel) {
    Map<String, String> labels = n.getMetadata().getLabels();
    if (labels == null || labels.get(groupLabel) == null || n.getStatus() == null) {
      return null;
    }
    Map<String, Quantity> a = n.getStatus().getAllocatable();
    if (a == null) {
      return null;
    }
    Quantity pods = a.get("pods");
    return new NodeSize(
        labels.get(groupLabel),
        labels,
        milli(a.get("cpu")),
        bytes(a.get("memory")),
        pods == null ? Long.MAX_VALUE : pods.getNumericalAmount().longValue());
  }

  private static Quantity request(Container c, String resource) {
    if (c.getResources() == null) {
      return null;
    }
    Map<String, Quantity> r = c.getResources().getRequests();
    Quantity q = r == null ? null : r.get(resource);
    if (q == null && c.getResources().getLimits() != null) {
      // Kubernetes defaults a missing request to the limit.
      q = c.getResources().getLimits().get(resource);
    }
    return q;
  }

  private static long milli(Quantity q) {
    return q == null
        ? 0
        : q.getNumericalAmount()
            .multiply(BigDecimal.valueOf(1000))
            .setScale(0, java.math.RoundingMode.CEILING)
            .longValue();
  }

  private static long bytes(Quantity q) {
    return q == null
        ? 0
        : q.getNumericalAmount().setScale(0, java.math.RoundingMode.CEILING).longValue();
  }
}
