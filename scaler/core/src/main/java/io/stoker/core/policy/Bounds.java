package io.stoker.core.policy;

import io.stoker.core.model.Observation;
import io.stoker.core.model.ScalingOptions;

/** The hard limits of a target: {@code [minExecutors, min(maxExecutors, useful parallelism)]}. */
final class Bounds {
  private Bounds() {}

  /**
   * The highest useful target: executors x cores beyond the partition count leave task slots idle,
   * so the target is capped at {@code floor(partitions / cores)} when both are known; never below
   * {@code minExecutors}, which the user asked for explicitly.
   */
  static int cap(ScalingOptions o, Observation obs) {
    int cap = o.maxExecutors();
    if (obs.partitions().isPresent() && obs.coresPerExecutor().isPresent()) {
      int cores = Math.max(1, obs.coresPerExecutor().getAsInt());
      int useful = Math.max(1, obs.partitions().getAsInt() / cores);
      cap = Math.min(cap, useful);
    }
    return Math.max(cap, o.minExecutors());
  }

  static int clamp(int n, ScalingOptions o, int cap) {
    return Math.max(o.minExecutors(), Math.min(n, cap));
  }
}
