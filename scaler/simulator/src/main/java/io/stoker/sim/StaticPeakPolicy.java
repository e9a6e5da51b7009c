package io.stoker.sim;

import java.util.OptionalInt;

/**
 * A fixed fleet sized for the trace's peak, {@code ceil(peak / executorRate)} within the bounds and
 * the partition cap, ready from the start: what a team without an autoscaler runs.
 */
public final class StaticPeakPolicy implements SimPolicy {
  private final int executors;

  public StaticPeakPolicy(Trace trace, Scenario sc) {
    int useful = Math.max(1, sc.partitions() / sc.coresPerExecutor());
    int peak = (int) Math.ceil(trace.peakRate() / sc.executorRate() - 1e-9);
    this.executors =
        Math.max(sc.minExecutors(), Math.min(Math.min(sc.maxExecutors(), useful), peak));
  }

  @Override
  public String name() {
    return "static-peak";
  }

  @Override
  public String setting() {
    return "executors=" + executors;
  }

  @Override
  public int initialExecutors(Scenario scenario) {
    return executors;
  }

  @Override
  public OptionalInt decide(SimView view) {
    return OptionalInt.of(executors);
  }
}
