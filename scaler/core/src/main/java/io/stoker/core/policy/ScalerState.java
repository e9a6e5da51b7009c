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
 * @param executorRateFloor the highest records/s per executor seen processed so far (processing
 *     over the larger of this and the previous ready count): a lower bound of the executor rate,
 *     known before the rate itself is measured; NaN until records were processed
 * @param recentArrivals arrival-rate samples within the provisioning delay (oldest first)
 * @param burst remembered burst magnitude and peak
 * @param provisioning learned request-to-ready delay and the scale-up being timed
 * @param recommendations raw recommendations within the stabilisation windows (oldest first)
 * @param lastScaleUp the last scale-up whose effect is not judged yet, or null
 * @param ineffectiveUntil scale-ups are blocked until then, or null
 * @param saturatedSince since when the same number of executors has been saturated, or null
 */
public record ScalerState(
    Instant lastObservationAt,
    int lastReady,
    double executorRate,
    int rateSamples,
    double executorRateFloor,
    List<Sample> recentArrivals,
    Burst burst,
    Provisioning provisioning,
    List<Sample> recommendations,
    ScaleUp lastScaleUp,
    Instant ineffectiveUntil,
    Instant saturatedSince) {

  public ScalerState {
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
        Double.NaN,
        List.of(),
        Burst.NONE,
        Provisioning.UNKNOWN,
        List.of(),
        null,
        null,
        null);
  }

  /**
   * This state with other stabilisation-window recommendations (oldest first): a new leader or a
   * restarted controller takes over the window its predecessor persisted.
   */
  public ScalerState withRecommendations(List<Sample> window) {
    return new ScalerState(
        lastObservationAt,
        lastReady,
        executorRate,
        rateSamples,
        executorRateFloor,
        recentArrivals,
        burst,
        provisioning,
        window,
        lastScaleUp,
        ineffectiveUntil,
        saturatedSince);
  }

  /**
   * This state with another burst memory: a new leader or a restarted controller takes over the
   * burst magnitude its predecessor persisted ({@link Burst#merge}).
   */
  public ScalerState withBurst(Burst b) {
    return new ScalerState(
        lastObservationAt,
        lastReady,
        executorRate,
        rateSamples,
        executorRateFloor,
        recentArrivals,
        b,
        provisioning,
        recommendations,
        lastScaleUp,
        ineffectiveUntil,
        saturatedSince);
  }

  /** A value observed at a time. */
  public record Sample(Instant at, double value) {}

  /**
   * The burstiness observed within the burst memory, as sliding maxima (monotonic queues: each list
   * holds the samples that can still become the maximum, oldest and highest first).
   *
   * @param excess largest rises of the arrival rate within one reaction delay, records/s
   * @param peak highest arrival rates, records/s
   */
  public record Burst(List<Sample> excess, List<Sample> peak) {
    public static final Burst NONE = new Burst(List.of(), List.of());

    public Burst {
      excess = List.copyOf(excess);
      peak = List.copyOf(peak);
    }

    public double maxExcess() {
      return excess.isEmpty() ? 0 : excess.get(0).value();
    }

    public double maxPeak() {
      return peak.isEmpty() ? 0 : peak.get(0).value();
    }

    /**
     * Both memories as one: each queue holds the samples of either that no later sample of either
     * reaches (oldest and highest first), so its first value is the larger maximum. Samples older
     * than the burst memory are dropped by the next observation, as always.
     */
    public static Burst merge(Burst a, Burst b) {
      return new Burst(monotonic(a.excess(), b.excess()), monotonic(a.peak(), b.peak()));
    }

    private static List<Sample> monotonic(List<Sample> a, List<Sample> b) {
      List<Sample> all = new java.util.ArrayList<>(a.size() + b.size());
      all.addAll(a);
      all.addAll(b);
      all.sort(java.util.Comparator.comparing(Sample::at));
      java.util.ArrayDeque<Sample> out = new java.util.ArrayDeque<>();
      for (int i = all.size() - 1; i >= 0; i--) {
        Sample s = all.get(i);
        if (out.isEmpty() || s.value() > out.peekFirst().value()) {
          out.addFirst(s);
        }
      }
      return List.copyOf(out);
    }
  }

  /**
   * The learned provisioning delays and the scale-up currently being timed. A scale-up within the
   * recent peak of ready executors finds warm capacity (nodes still there) and takes the warm
   * delay; one beyond it waits for new nodes and takes the cold delay.
   *
   * @param warmSeconds learned delay of scale-ups within the recent peak, NaN until measured
   * @param coldSeconds learned delay of scale-ups beyond it, NaN until measured
   * @param learnedAt when the delays were last decayed
   * @param requestedAt when the scale-up being timed was asked for, or null
   * @param requestedTarget the executor count that scale-up asked for
   * @param requestedCold true if it asked for more than the recent peak
   * @param readyHistory ready-executor counts within the capacity retention (oldest first)
   */
  public record Provisioning(
      double warmSeconds,
      double coldSeconds,
      Instant learnedAt,
      Instant requestedAt,
      int requestedTarget,
      boolean requestedCold,
      List<Sample> readyHistory) {
    public static final Provisioning UNKNOWN =
        new Provisioning(Double.NaN, Double.NaN, null, null, 0, false, List.of());

    public Provisioning {
      readyHistory = List.copyOf(readyHistory);
    }

    /** The highest ready count within the retention window: capacity that comes back warm. */
    public int warmExecutors() {
      double peak = 0;
      for (Sample s : readyHistory) {
        peak = Math.max(peak, s.value());
      }
      return (int) peak;
    }
  }

  /**
   * A scale-up whose effect is still to be judged. Scale-ups decided while it is judged do not
   * replace it: a series of scale-ups is judged from its first one's baseline.
   *
   * @param at when it was decided
   * @param fromReady ready executors when it was decided
   * @param to the target it set
   * @param processingBefore records/s processed when it was decided
   * @param perExecutor records/s each executor beyond {@code fromReady} is expected to add
   * @param readyAt when all executors of the target were first seen ready, or null
   */
  public record ScaleUp(
      Instant at,
      int fromReady,
      int to,
      double processingBefore,
      double perExecutor,
      Instant readyAt) {

    /** Records/s expected with {@code ready} executors if scaling were linear. */
    double expectedProcessing(int ready) {
      return processingBefore + (ready - fromReady) * perExecutor;
    }

    ScaleUp withReadyAt(Instant t) {
      return new ScaleUp(at, fromReady, to, processingBefore, perExecutor, t);
    }
  }
}
