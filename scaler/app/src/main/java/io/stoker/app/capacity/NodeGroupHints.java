package io.stoker.app.capacity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many new nodes of each node group the pending executor pods need (pure). A node group is the
 * set of nodes sharing a value of the configured label (default {@code
 * node.kubernetes.io/instance-type}); a group's node size is the smallest allocatable among its
 * nodes. For each group, the pending pods that may run there (their node selector matches the
 * group's labels and they fit one empty node) are packed first-fit-decreasing onto empty nodes of
 * that size; the count is what that group would have to add to run all of them. Unscheduled pods
 * already failed to fit the free room on the existing nodes, so the packing starts from empty
 * nodes. What a pod asks for and a node offers is read from Kubernetes objects by {@code
 * io.stoker.app.k8s.capacity.NodeHints}.
 */
public final class NodeGroupHints {
  private NodeGroupHints() {}

  /**
   * What one pending pod asks for.
   *
   * @param nodeSelector its node selector
   * @param milliCpu CPU request in millicores
   * @param memoryBytes memory request in bytes
   */
  public record PodDemand(Map<String, String> nodeSelector, long milliCpu, long memoryBytes) {
    public PodDemand {
      nodeSelector = Map.copyOf(nodeSelector);
    }
  }

  /**
   * One node as the hint sees it.
   *
   * @param group the node group (value of the group label)
   * @param labels the node's labels
   * @param milliCpu allocatable CPU in millicores
   * @param memoryBytes allocatable memory in bytes
   * @param pods allocatable pod count
   */
  public record NodeSize(
      String group, Map<String, String> labels, long milliCpu, long memoryBytes, long pods) {
    public NodeSize {
      labels = Map.copyOf(labels);
    }
  }

  /** Nodes needed per group, in group order; groups no pending pod can use are left out. */
  public static Map<String, Integer> needed(List<PodDemand> pending, Collection<NodeSize> nodes) {
    Map<String, NodeSize> smallest = new TreeMap<>();
    for (NodeSize n : nodes) {
      smallest.merge(
          n.group(),
          n,
          (a, b) ->
              new NodeSize(
                  a.group(),
                  a.labels(),
                  Math.min(a.milliCpu(), b.milliCpu()),
                  Math.min(a.memoryBytes(), b.memoryBytes()),
                  Math.min(a.pods(), b.pods())));
    }
    Map<String, Integer> out = new TreeMap<>();
    List<PodDemand> sorted = new ArrayList<>(pending);
    sorted.sort(
        Comparator.comparingLong(PodDemand::milliCpu)
            .thenComparingLong(PodDemand::memoryBytes)
            .reversed());
    for (NodeSize size : smallest.values()) {
      int count = pack(sorted, size);
      if (count > 0) {
        out.put(size.group(), count);
      }
    }
    return out;
  }

  private static int pack(List<PodDemand> sorted, NodeSize size) {
    List<long[]> open = new ArrayList<>();
    for (PodDemand p : sorted) {
      if (!fits(p, size)) {
        continue;
      }
      long[] into = null;
      for (long[] free : open) {
        if (free[0] >= p.milliCpu() && free[1] >= p.memoryBytes() && free[2] >= 1) {
          into = free;
          break;
        }
      }
      if (into == null) {
        into = new long[] {size.milliCpu(), size.memoryBytes(), size.pods()};
        open.add(into);
      }
      into[0] -= p.milliCpu();
      into[1] -= p.memoryBytes();
      into[2] -= 1;
    }
    return open.size();
  }

  private static boolean fits(PodDemand p, NodeSize n) {
    return n.labels().entrySet().containsAll(p.nodeSelector().entrySet())
        && p.milliCpu() <= n.milliCpu()
        && p.memoryBytes() <= n.memoryBytes()
        && n.pods() >= 1;
  }
}
