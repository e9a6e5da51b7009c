package io.stoker.app.controller.ports;

import io.stoker.app.k8s.ResolvedTarget;
import io.stoker.app.spec.ParsedSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Finds the object an autoscaler acts on, and which autoscalers claim the same object. */
public interface TargetLookup {

  /** The target of {@code target} in {@code namespace}: found, missing or ambiguous. */
  CompletableFuture<ResolvedTarget.Lookup> resolve(String namespace, ParsedSpec.Target target);

  /**
   * The claims of the autoscalers that write to their target this tick.
   *
   * @param acting autoscaler key ({@code namespace/name}) to its target (recommend-only ones left
   *     out)
   */
  Claims claims(Map<String, ParsedSpec.Target> acting);

  /**
   * The first few of {@code names}, then how many more ({@code a, b, c and 497 more}): conflict
   * messages name a few of the objects or autoscalers involved, never thousands.
   */
  static String firstOf(List<String> names) {
    int named = 3;
    if (names.size() <= named) {
      return String.join(", ", names);
    }
    return String.join(", ", names.subList(0, named)) + " and " + (names.size() - named) + " more";
  }

  /** Which autoscalers act on which objects, as computed at the start of a tick. */
  interface Claims {
    /** No autoscaler claims anything. */
    Claims NONE = (key, target, resolved) -> List.of();

    /**
     * The other autoscalers (keys, sorted) that act on what {@code key} resolved its target to;
     * empty when it is the only one.
     */
    List<String> others(String key, ParsedSpec.Target target, ResolvedTarget resolved);
  }
}
