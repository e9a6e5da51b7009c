package io.stoker.app.capacity;

import io.stoker.app.k8s.ResolvedTarget;
import io.stoker.core.policy.ScaleInOrder;
import java.util.List;
import java.util.Map;

/**
 * Which executors a lower target should remove, so that nodes empty and go: the surplus of the
 * target's running executors over the new target, in {@link ScaleInOrder}'s order. The driver
 * plugin removes these first (annotation {@code stoker.io/preferred-executors}).
 */
public final class ScaleInChoice {
  /** Most executor ids named at once (the plugin's bound of the annotation). */
  public static final int MAX_PREFERRED = 256;

  private ScaleInChoice() {}

  /**
   * The executor ids to remove first, at most {@link #MAX_PREFERRED}; empty when the target is not
   * below the running executors or their nodes are not known.
   */
  public static List<String> preferred(ResolvedTarget.Running running, int target) {
    int surplus = Math.min(running.executors().size() - target, MAX_PREFERRED);
    if (surplus <= 0) {
      return List.of();
    }
    List<ScaleInOrder.Executor> executors =
        running.executors().stream().map(e -> new ScaleInOrder.Executor(e.id(), e.node())).toList();
    Map<String, Integer> podsOnNode = running.podsOnNode();
    return ScaleInOrder.choose(executors, podsOnNode, surplus);
  }
}
