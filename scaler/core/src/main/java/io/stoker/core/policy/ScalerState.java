package io.stoker.core.policy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the recommender remembers between ticks for one autoscaler. Immutable: every evaluation
 * returns the next state, which the caller stores (in memory, or in a state store that survives
 * restarts). {@link #initial()} is a state that knows nothing.
 *
 * @param lastObservationAt time of the previous observation, or null
 * @param lastReady ready executors at the previous observation, or -1
 * @param executorRate smoothed records/s per executor, NaN until measured
 * @param rateSamples how many measurements went into {@code executorRate}
 * @param arrival Holt forecast of the arrival rate
 * @param recentArrivals arrival-rate samples within the provisioning delay (oldest first)
 * @param burst remembered burst magnitude and peak
 * @param provisioning learned request-to-ready delay and the scale-up being timed
 * @param recommendations raw recommendations within the stabilisation windows (oldest first)
 * @param lastScaleUp the last scale-up whose effect is not judged yet, or null
 * @param ineffectiveUntil scale-ups are blocked until then, or null
 */
public record ScalerState(
    Instant lastObservationAt,
    int lastReady,
    double executorRate,
    int rateSamples,
    Holt arrival,
    List<Sample> recentArrivals,
    Burst burst,
    Provisioning provisioning,
    List<Sample> recommendations,
    ScaleUp lastScaleUp,
    Instant ineffectiveUntil) {

  public ScalerState {
    Objects.requireNonNull(arrival, "arrival");
    recentArrivals = List.copyOf(recentArrivals);
    Objects.requireNonNull(burst, "burst");
    Objects.requireNonNull(provisioning, "provisioning");
    recommendations = List.copyOf(recommendations);
  }

  /** A state that has seen nothing yet. */
  public static ScalerState initial() {
    return new ScalerState(
        null,
        -1,
        Double.NaN,
        0,
        Holt.EMPTY,
        List.of(),
        Burst.NONE,
        Provisioning.UNKNOWN,
        List.of(),
        null,
        null);
  }

  /** A value observed at a time. */
  public record Sample(Instant at, double value) {}

  /**
   * Holt's linear smoothing state: a level and a trend in records/s per second.
   *
   * @param level smoothed arrival rate, NaN when empty
   * @param trend smoothed change of the arrival rate per second
   */
  public record Holt(double level, double trend) {
    public static final Holt EMPTY = new Holt(Double.NaN, 0);
  }

  /**
   * The burstiness observed so far, decaying with the burst memory.
   *
   * @param excess largest rise of the arrival rate within one provisioning delay, records/s
   * @param peak highest arrival rate, records/s
   * @param at when both were last decayed
   */
  public record Burst(double excess, double peak, Instant at) {
    public static final Burst NONE = new Burst(0, 0, null);
  }

  /**
   * The learned provisioning delay and the scale-up currently being timed.
   *
   * @param seconds learned request-to-ready delay, NaN until one scale-up completed
   * @param learnedAt when {@code seconds} was last updated or decayed
   * @param requestedAt when the scale-up being timed was asked for, or null
   * @param requestedTarget the executor count that scale-up asked for
   */
  public record Provisioning(
      double seconds, Instant learnedAt, Instant requestedAt, int requestedTarget) {
    public static final Provisioning UNKNOWN = new Provisioning(Double.NaN, null, null, 0);
  }

  /**
   * A scale-up whose effect is still to be judged.
   *
   * @param at when it was decided
   * @param fromReady ready executors when it was decided
   * @param to the target it set
   * @param processingBefore records/s processed when it was decided
   * @param expectedProcessing records/s the new target should process if scaling were linear
   */
  public record ScaleUp(
      Instant at, int fromReady, int to, double processingBefore, double expectedProcessing) {}
}
