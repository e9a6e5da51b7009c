package io.stoker.core.model;

import java.time.Instant;
import java.util.Objects;

/**
 * The outcome of one evaluation: the executor target, which way it moved, why, and the numbers that
 * led to it.
 *
 * @param at the evaluation time
 * @param from the target before this decision
 * @param target the executor target after this decision
 * @param recommended the raw recommendation before stabilisation, step limits and bounds
 * @param direction {@code UP}, {@code DOWN} or {@code HOLD}
 * @param reasonCode machine-readable cause
 * @param reason one sentence a person can read in {@code kubectl describe}
 * @param limited true when bounds, the partition cap or a step limit changed the recommendation
 * @param inputs the estimates behind the decision
 */
public record Decision(
    Instant at,
    int from,
    int target,
    int recommended,
    Direction direction,
    Reason reasonCode,
    String reason,
    boolean limited,
    Inputs inputs) {

  public Decision {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(reasonCode, "reasonCode");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(inputs, "inputs");
    if (target < 0 || from < 0) {
      throw new IllegalArgumentException("executor counts must be >= 0");
    }
  }

  /** True when this decision changes the target. */
  public boolean isChange() {
    return target != from;
  }

  /**
   * The estimates a decision was based on; {@code NaN} where unknown.
   *
   * @param backlogRecords observed backlog
   * @param arrivalRate observed arrival rate, records/s
   * @param forecastRate forecast arrival rate at the end of the provisioning delay, records/s
   * @param executorRate estimated records/s one executor sustains
   * @param provisioningSeconds estimated seconds from request to a ready executor
   * @param burstRate arrival rate of the burst the headroom is sized for, records/s
   * @param usefulMaxExecutors executors beyond which partitions leave slots idle (or max)
   * @param forecastExecutors executors the arrivals may need before a new node could arrive: the
   *     trend extrapolated over the learned node-provisioning (cold) delay at the target
   *     utilisation, or the capacity a burst of the size seen recently needs by the time executors
   *     on warm nodes start, whichever is higher; bounded like a target; -1 while the executor rate
   *     is unknown. {@link io.stoker.core.policy.Headroom} turns it into placeholder pods
   */
  public record Inputs(
      double backlogRecords,
      double arrivalRate,
      double forecastRate,
      double executorRate,
      double provisioningSeconds,
      double burstRate,
      int usefulMaxExecutors,
      int forecastExecutors) {

    public static Inputs unknown(int usefulMax) {
      return new Inputs(
          Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, usefulMax, -1);
    }
  }
}
