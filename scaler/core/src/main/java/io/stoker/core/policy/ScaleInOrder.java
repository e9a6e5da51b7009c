package io.stoker.core.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which executors to remove on a scale-in so that nodes empty and can go. A node is billed until
 * the node autoscaler removes it, and it removes only nodes whose pods can all go (Cluster
 * Autoscaler never drains a node for a pod owned by a Spark driver: such pods are not
 * "replicated"), so an executor removed from a node that keeps other executors saves executor time
 * but no node time.
 *
 * <p>The rule: nodes in order of what would stay on them once all of this application's executors
 * left ({@code others = podsOnNode − ours}, fewest first: those that our removals alone can empty
 * come first), then of our executors on them (fewest first: the node that empties soonest), then by
 * the newest executor on them (newest first, so that among equally full nodes the choice is the
 * plain newest-first one: nodes that came last, and not a node group's long-lived first nodes, are
 * emptied), then by name; within a node, the newest executor first (the highest numeric id, as
 * Spark numbers executors in order of creation). The first {@code count} in that order are chosen.
 *
 * <p>Pure and deterministic: no clock, no I/O. Used by the controller (which knows each executor
 * pod's node) to tell the driver plugin which executors it should prefer, and by the simulator.
 */
public final class ScaleInOrder {
  private ScaleInOrder() {}

  /**
   * One executor of the application being scaled in.
   *
   * @param id the executor id (Spark's {@code spark-exec-id})
   * @param node the node it runs on; empty when unknown (such executors come last: removing them
   *     frees no known node)
   */
  public record Executor(String id, String node) {
    public Executor {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(node, "node");
    }
  }

  /**
   * The executors to remove, in order.
   *
   * @param executors this application's executors that may be removed
   * @param podsOnNode pods that hold room on each node, this application's included; a node missing
   *     here, or counting fewer pods than this application has there, is taken to hold only this
   *     application's executors
   * @param count how many to remove; at most {@code executors.size()} are returned
   * @throws IllegalArgumentException if {@code count} is negative
   */
  public static List<String> choose(
      List<Executor> executors, Map<String, Integer> podsOnNode, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    List<String> order = order(executors, podsOnNode);
    return List.copyOf(order.subList(0, Math.min(count, order.size())));
  }

  /** Every executor of {@code executors} in removal order (see the class comment). */
  public static List<String> order(List<Executor> executors, Map<String, Integer> podsOnNode) {
    Map<String, List<String>> byNode = new TreeMap<>();
    List<String> unplaced = new ArrayList<>();
    for (Executor e : executors) {
      if (e.node().isEmpty()) {
        unplaced.add(e.id());
      } else {
        byNode.computeIfAbsent(e.node(), n -> new ArrayList<>()).add(e.id());
      }
    }
    byNode.values().forEach(ids -> ids.sort(NEWEST_FIRST));
    List<Map.Entry<String, List<String>>> nodes = new ArrayList<>(byNode.entrySet());
    nodes.sort(
        Comparator.<Map.Entry<String, List<String>>>comparingInt(
                n -> others(n.getValue().size(), podsOnNode.get(n.getKey())))
            .thenComparingInt(n -> n.getValue().size())
            .thenComparing(n -> n.getValue().get(0), NEWEST_FIRST)
            .thenComparing(Map.Entry::getKey));
    List<String> out = new ArrayList<>(executors.size());
    for (Map.Entry<String, List<String>> n : nodes) {
      out.addAll(n.getValue());
    }
    unplaced.sort(NEWEST_FIRST);
    out.addAll(unplaced);
    return out;
  }

  private static int others(int ours, Integer pods) {
    return pods == null ? 0 : Math.max(0, pods - ours);
  }

  /** Numeric ids by value, highest first; numeric before other ids; then by text, descending. */
  static final Comparator<String> NEWEST_FIRST =
      (a, b) -> {
        boolean na = numeric(a);
        boolean nb = numeric(b);
        if (na && nb) {
          int byLength = Integer.compare(strip(b).length(), strip(a).length());
          if (byLength != 0) {
            return byLength;
          }
          int byValue = strip(b).compareTo(strip(a));
          return byValue != 0 ? byValue : b.compareTo(a);
        }
        if (na != nb) {
          return na ? -1 : 1;
        }
        return b.compareTo(a);
      };

  private static boolean numeric(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  private static String strip(String digits) {
    int i = 0;
    while (i < digits.length() - 1 && digits.charAt(i) == '0') {
      i++;
    }
    return digits.substring(i);
  }
}
