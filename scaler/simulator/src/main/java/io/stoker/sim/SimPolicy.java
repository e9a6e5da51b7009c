package io.stoker.sim;

import java.util.OptionalInt;

/**
 * A scaling policy as the simulator drives it: asked once per simulated second, it may set a new
 * executor target. Each policy keeps its own cadence (KEDA polls every 30 s, Stoker every tick).
 */
public interface SimPolicy {

  /** The name in reports, e.g. {@code keda-hpa[lagThreshold=15000]}. */
  String name();

  /** The swept setting, e.g. {@code lagThreshold=15000}, or empty. */
  default String setting() {
    return "";
  }

  /** Executors ready at second 0. */
  default int initialExecutors(Scenario scenario) {
    return scenario.initialExecutors();
  }

  /** True if this policy's executors are ready the instant they are asked for (the oracle). */
  default boolean instantExecutors() {
    return false;
  }

  /**
   * Placeholder pods this policy wants held (executor-shaped room on nodes, see docs/simulator.md),
   * asked every second right after {@link #decide}. None by default.
   */
  default int placeholders() {
    return 0;
  }

  /** Which executor goes first when the target is below the executors there are. */
  enum Removal {
    /**
     * The ready executor idle longest (Spark's dynamic allocation releases executors whose idle
     * timeout expired, whatever their node).
     */
    IDLE_LONGEST,
    /**
     * The highest ordinal, i.e. the newest pod, whatever its state or node (a StatefulSet scaled by
     * the HPA).
     */
    HIGHEST_ORDINAL,
    /**
     * A ready executor chosen at random (Spark Streaming's allocation manager picks a random
     * executor among those it may remove).
     */
    RANDOM,
    /**
     * Node-aware: pods not yet started first (Spark deletes pending executor pods itself), then the
     * ready executors in {@code ScaleInOrder}'s order, so that nodes empty (Stoker's controller and
     * driver plugin).
     */
    NODE_AWARE
  }

  /** How this policy's scale-in picks executors; {@link Removal#IDLE_LONGEST} by default. */
  default Removal removal() {
    return Removal.IDLE_LONGEST;
  }

  /**
   * Called at the start of every simulated second.
   *
   * @return the new executor target, or empty to keep the current one
   */
  OptionalInt decide(SimView view);
}
