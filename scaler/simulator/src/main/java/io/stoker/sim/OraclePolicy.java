package io.stoker.sim;

import java.util.OptionalInt;

/**
 * The reference floor: knows the arrival rate of every second and gets executors the instant it
 * asks, holding exactly {@code ceil(rate / executorRate)}. Its executor-seconds are what keeping up
 * costs at the least.
 */
public final class OraclePolicy implements SimPolicy {

  @Override
  public String name() {
    return "oracle";
  }

  @Override
  public boolean instantExecutors() {
    return true;
  }

  @Override
  public int initialExecutors(Scenario sc) {
    return 1;
  }

  @Override
  public OptionalInt decide(SimView v) {
    Scenario sc = v.scenario();
    int need = (int) Math.ceil(v.trueArrivalRate() / sc.executorRate() - 1e-9);
    int useful = Math.max(1, sc.partitions() / sc.coresPerExecutor());
    return OptionalInt.of(Math.max(1, Math.min(need, useful)));
  }
}
