package io.stoker.core.policy;

import io.stoker.core.model.Decision;

/**
 * How many placeholder pods to keep: low-priority pause pods shaped like the application's
 * executors that hold node room in advance (Cluster Autoscaler's overprovisioning pattern). A real
 * executor preempts a placeholder and starts on its node within the pod start-up time instead of
 * waiting minutes for a new node; the preempted placeholder becomes unschedulable and makes Cluster
 * Autoscaler add a node for it.
 *
 * <p>The rule, evaluated every tick after the {@link Decision}:
 *
 * <pre>
 * base         = max(desired, running + unschedulable)     executors wanted or still holding room
 * rise         = max(0, forecast − base)                   executors a new node would come too late for
 * placeholders = min( max(headroomExecutors, rise), max(0, maxExecutors − base) )
 * </pre>
 *
 * <p>{@code forecast} is {@link Decision.Inputs#forecastExecutors()}: the executors the arrival
 * trend needs at the end of the learned node-provisioning delay, or the capacity a burst of the
 * size seen recently needs once executors on warm room have started. The configured headroom is a
 * floor of spare room (the classic fixed overprovisioning), not added to the rise. Executors that
 * wait for a node ({@code unschedulable}) already make Cluster Autoscaler add nodes: they count in
 * the base, so no node is asked for twice. Room beyond {@code maxExecutors} is never held: no
 * executor could use it.
 *
 * <p>Pure and deterministic: no clock, no I/O. Used by the Kubernetes placeholder reconciler and by
 * the simulator's {@code stoker+placeholders} policy.
 */
public final class Headroom {
  private Headroom() {}

  /**
   * What the placeholder count is decided from.
   *
   * @param desiredExecutors the executor target in force after this tick's decision
   * @param runningExecutors executor pods scheduled on a node (starting or ready)
   * @param unschedulableExecutors executor pods pending because no node has room
   * @param headroomExecutors configured spare room, in executors, always held (0: none)
   * @param forecastExecutors {@link Decision.Inputs#forecastExecutors()}; negative when unknown
   *     (then only the configured headroom is held)
   * @param maxExecutors the autoscaler's upper bound
   * @throws IllegalArgumentException if a count is negative (other than the forecast) or {@code
   *     maxExecutors < 1}
   */
  public record Input(
      int desiredExecutors,
      int runningExecutors,
      int unschedulableExecutors,
      int headroomExecutors,
      int forecastExecutors,
      int maxExecutors) {

    public Input {
      if (desiredExecutors < 0 || runningExecutors < 0 || unschedulableExecutors < 0) {
        throw new IllegalArgumentException(
            "executor counts must be >= 0, got desired "
                + desiredExecutors
                + ", running "
                + runningExecutors
                + ", unschedulable "
                + unschedulableExecutors);
      }
      if (headroomExecutors < 0) {
        throw new IllegalArgumentException(
            "capacity.placeholders.headroomExecutors must be >= 0, got " + headroomExecutors);
      }
      if (maxExecutors < 1) {
        throw new IllegalArgumentException("maxExecutors must be >= 1, got " + maxExecutors);
      }
    }

    /** The input for a decision: its target and forecast. */
    public static Input of(
        Decision decision,
        int runningExecutors,
        int unschedulableExecutors,
        int headroomExecutors,
        int maxExecutors) {
      return new Input(
          decision.target(),
          runningExecutors,
          unschedulableExecutors,
          headroomExecutors,
          decision.inputs().forecastExecutors(),
          maxExecutors);
    }
  }

  /** Which term set the count. */
  public enum Basis {
    /** Neither headroom nor a forecast rise: no placeholders. */
    NONE,
    /** The configured {@code headroomExecutors}. */
    HEADROOM,
    /** The forecast rise within the node-provisioning delay. */
    FORECAST
  }

  /**
   * The decision.
   *
   * @param placeholders placeholder pods to keep, {@code >= 0}
   * @param basis which term set it
   * @param capped true when {@code maxExecutors} cut it
   * @param reason one sentence for status and events
   */
  public record Plan(int placeholders, Basis basis, boolean capped, String reason) {}

  /** Decides the placeholder count; see the class comment for the rule. */
  public static Plan placeholders(Input in) {
    int base =
        Math.max(
            in.desiredExecutors(),
            (int)
                Math.min(
                    Integer.MAX_VALUE, (long) in.runningExecutors() + in.unschedulableExecutors()));
    int rise = in.forecastExecutors() < 0 ? 0 : Math.max(0, in.forecastExecutors() - base);
    int wanted = Math.max(in.headroomExecutors(), rise);
    int room = Math.max(0, in.maxExecutors() - base);
    int count = Math.min(wanted, room);
    Basis basis =
        wanted == 0 ? Basis.NONE : rise > in.headroomExecutors() ? Basis.FORECAST : Basis.HEADROOM;
    String why;
    switch (basis) {
      case FORECAST:
        why =
            "the forecast needs "
                + in.forecastExecutors()
                + " executors before a new node could arrive, "
                + rise
                + " more than the "
                + base
                + " wanted";
        break;
      case HEADROOM:
        why = "configured headroom of " + in.headroomExecutors() + " executors";
        break;
      default:
        why =
            in.forecastExecutors() < 0
                ? "no headroom configured and no forecast yet (executor rate unknown)"
                : "no headroom configured and the forecast ("
                    + in.forecastExecutors()
                    + ") fits in the "
                    + base
                    + " executors wanted";
    }
    if (in.unschedulableExecutors() > 0) {
      why += "; " + in.unschedulableExecutors() + " executors already wait for a node";
    }
    boolean capped = count < wanted;
    if (capped) {
      why += "; capped at " + count + " by maxExecutors " + in.maxExecutors();
    }
    return new Plan(count, basis, capped, "keep " + count + " placeholders: " + why);
  }
}
