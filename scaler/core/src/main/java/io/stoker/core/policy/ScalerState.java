package io.stoker.core.policy;

import io.stoker.core.model.Observation.MicroBatch;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the recommender remembers between ticks for one autoscaler. Immutable: every evaluation
 * returns the next state, which the caller stores (in memory, or in a state store that survives
 * restarts). {@link #initial()} is a state that knows nothing.
 *
 * <p>A state is built field by field, by name: {@code state.toBuilder().burst(b).build()}. There is
 * no positional constructor: with a dozen fields, several of them doubles, two swapped values would
 * compile and silently change every decision.
 */
public final class ScalerState {
  private final Instant lastObservationAt;
  private final int lastReady;
  private final double executorRate;
  private final int rateSamples;
  private final MicroBatch rateBatch;
  private final double executorRateFloor;
  private final List<Sample> recentArrivals;
  private final Burst burst;
  private final Provisioning provisioning;
  private final List<Sample> recommendations;
  private final ScaleUp lastScaleUp;
  private final Instant ineffectiveUntil;
  private final Instant saturatedSince;
  private final ReadCap readCap;

  private ScalerState(Builder b) {
    lastObservationAt = b.lastObservationAt;
    lastReady = b.lastReady;
    executorRate = b.executorRate;
    rateSamples = b.rateSamples;
    rateBatch = b.rateBatch;
    executorRateFloor = b.executorRateFloor;
    recentArrivals = List.copyOf(b.recentArrivals);
    burst = Objects.requireNonNull(b.burst, "burst");
    provisioning = Objects.requireNonNull(b.provisioning, "provisioning");
    recommendations = List.copyOf(b.recommendations);
    lastScaleUp = b.lastScaleUp;
    ineffectiveUntil = b.ineffectiveUntil;
    saturatedSince = b.saturatedSince;
    readCap = b.readCap;
  }

  private static final ScalerState INITIAL = new Builder().build();

  /** A state that has seen nothing yet. */
  public static ScalerState initial() {
    return INITIAL;
  }

  /** A builder holding this state's fields, to change some of them by name. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Time of the previous observation, or null. */
  public Instant lastObservationAt() {
    return lastObservationAt;
  }

  /** Ready executors at the previous observation, or -1. */
  public int lastReady() {
    return lastReady;
  }

  /** Smoothed records/s per executor, NaN until measured. */
  public double executorRate() {
    return executorRate;
  }

  /** How many measurements went into {@link #executorRate()}. */
  public int rateSamples() {
    return rateSamples;
  }

  /**
   * The micro-batch the executor rate was last measured on, or null: a batch stays the last one for
   * as many ticks as the next takes to finish, and is one measurement, not one per tick.
   */
  public MicroBatch rateBatch() {
    return rateBatch;
  }

  /**
   * The highest records/s per executor seen processed so far (processing over the larger of this
   * and the previous ready count): a lower bound of the executor rate, known before the rate itself
   * is measured; NaN until records were processed.
   */
  public double executorRateFloor() {
    return executorRateFloor;
  }

  /** Arrival-rate samples within the provisioning delay (oldest first). */
  public List<Sample> recentArrivals() {
    return recentArrivals;
  }

  /** Remembered burst magnitude and peak. */
  public Burst burst() {
    return burst;
  }

  /** Learned request-to-ready delay and the scale-up being timed. */
  public Provisioning provisioning() {
    return provisioning;
  }

  /** Raw recommendations within the stabilisation windows (oldest first). */
  public List<Sample> recommendations() {
    return recommendations;
  }

  /** The last scale-up whose effect is not judged yet, or null. */
  public ScaleUp lastScaleUp() {
    return lastScaleUp;
  }

  /** Scale-ups are blocked until then, or null. */
  public Instant ineffectiveUntil() {
    return ineffectiveUntil;
  }

  /** Since when the same number of executors has been saturated, or null. */
  public Instant saturatedSince() {
    return saturatedSince;
  }

  /**
   * Since when the micro-batches have each read the same number of records while more waited (rule
   * <em>read cap</em>, {@link Batches#looksReadCapped}), or null.
   */
  public ReadCap readCap() {
    return readCap;
  }

  /**
   * This state with other stabilisation-window recommendations (oldest first): a new leader or a
   * restarted controller takes over the window its predecessor persisted.
   */
  public ScalerState withRecommendations(List<Sample> window) {
    return toBuilder().recommendations(window).build();
  }

  /**
   * This state with another burst memory: a new leader or a restarted controller takes over the
   * burst magnitude its predecessor persisted ({@link Burst#merge}).
   */
  public ScalerState withBurst(Burst b) {
    return toBuilder().burst(b).build();
  }

  /**
   * This state with what {@code predecessor} measured and this one has not yet: the executor rate
   * and the warm and cold provisioning delays. A new leader or a restarted controller takes them
   * over from the status its predecessor wrote, so its first scale-out is sized with the rate and
   * the delays already learned instead of the cold defaults; what it has measured itself it keeps.
   */
  public ScalerState withLearningOf(ScalerState predecessor) {
    Builder b = toBuilder();
    if (rateSamples == 0 && predecessor.rateSamples > 0) {
      b.executorRate(predecessor.executorRate).rateSamples(predecessor.rateSamples);
    }
    Provisioning p = provisioning;
    Provisioning theirs = predecessor.provisioning;
    if (Double.isNaN(p.warmSeconds()) && !Double.isNaN(theirs.warmSeconds())) {
      p = p.withWarmSeconds(theirs.warmSeconds());
    }
    if (Double.isNaN(p.coldSeconds()) && !Double.isNaN(theirs.coldSeconds())) {
      // the cold delay fades from when it was last decayed
      p = p.withColdSeconds(theirs.coldSeconds()).withLearnedAt(theirs.learnedAt());
    }
    return b.provisioning(p).build();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ScalerState s)) {
      return false;
    }
    return lastReady == s.lastReady
        && Double.compare(executorRate, s.executorRate) == 0
        && rateSamples == s.rateSamples
        && Objects.equals(rateBatch, s.rateBatch)
        && Double.compare(executorRateFloor, s.executorRateFloor) == 0
        && Objects.equals(lastObservationAt, s.lastObservationAt)
        && recentArrivals.equals(s.recentArrivals)
        && burst.equals(s.burst)
        && provisioning.equals(s.provisioning)
        && recommendations.equals(s.recommendations)
        && Objects.equals(lastScaleUp, s.lastScaleUp)
        && Objects.equals(ineffectiveUntil, s.ineffectiveUntil)
        && Objects.equals(saturatedSince, s.saturatedSince)
        && Objects.equals(readCap, s.readCap);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        lastObservationAt,
        lastReady,
        executorRate,
        rateSamples,
        rateBatch,
        executorRateFloor,
        recentArrivals,
        burst,
        provisioning,
        recommendations,
        lastScaleUp,
        ineffectiveUntil,
        saturatedSince,
        readCap);
  }

  @Override
  public String toString() {
    return "ScalerState[lastObservationAt="
        + lastObservationAt
        + ", lastReady="
        + lastReady
        + ", executorRate="
        + executorRate
        + ", rateSamples="
        + rateSamples
        + ", rateBatch="
        + rateBatch
        + ", executorRateFloor="
        + executorRateFloor
        + ", recentArrivals="
        + recentArrivals
        + ", burst="
        + burst
        + ", provisioning="
        + provisioning
        + ", recommendations="
        + recommendations
        + ", lastScaleUp="
        + lastScaleUp
        + ", ineffectiveUntil="
        + ineffectiveUntil
        + ", saturatedSince="
        + saturatedSince
        + ", readCap="
        + readCap
        + "]";
  }

  /** Builds a state field by field; unset fields are those of {@link #initial()}. */
  public static final class Builder {
    private Instant lastObservationAt;
    private int lastReady = -1;
    private double executorRate = Double.NaN;
    private int rateSamples;
    private MicroBatch rateBatch;
    private double executorRateFloor = Double.NaN;
    private List<Sample> recentArrivals = List.of();
    private Burst burst = Burst.NONE;
    private Provisioning provisioning = Provisioning.UNKNOWN;
    private List<Sample> recommendations = List.of();
    private ScaleUp lastScaleUp;
    private Instant ineffectiveUntil;
    private Instant saturatedSince;
    private ReadCap readCap;

    /** A builder of {@link #initial()}. */
    public Builder() {}

    private Builder(ScalerState s) {
      lastObservationAt = s.lastObservationAt;
      lastReady = s.lastReady;
      executorRate = s.executorRate;
      rateSamples = s.rateSamples;
      rateBatch = s.rateBatch;
      executorRateFloor = s.executorRateFloor;
      recentArrivals = s.recentArrivals;
      burst = s.burst;
      provisioning = s.provisioning;
      recommendations = s.recommendations;
      lastScaleUp = s.lastScaleUp;
      ineffectiveUntil = s.ineffectiveUntil;
      saturatedSince = s.saturatedSince;
      readCap = s.readCap;
    }

    public Builder lastObservationAt(Instant v) {
      lastObservationAt = v;
      return this;
    }

    public Builder lastReady(int v) {
      lastReady = v;
      return this;
    }

    public Builder executorRate(double v) {
      executorRate = v;
      return this;
    }

    public Builder rateSamples(int v) {
      rateSamples = v;
      return this;
    }

    public Builder rateBatch(MicroBatch v) {
      rateBatch = v;
      return this;
    }

    public Builder executorRateFloor(double v) {
      executorRateFloor = v;
      return this;
    }

    public Builder recentArrivals(List<Sample> v) {
      recentArrivals = v;
      return this;
    }

    public Builder burst(Burst v) {
      burst = v;
      return this;
    }

    public Builder provisioning(Provisioning v) {
      provisioning = v;
      return this;
    }

    public Builder recommendations(List<Sample> v) {
      recommendations = v;
      return this;
    }

    public Builder lastScaleUp(ScaleUp v) {
      lastScaleUp = v;
      return this;
    }

    public Builder ineffectiveUntil(Instant v) {
      ineffectiveUntil = v;
      return this;
    }

    public Builder saturatedSince(Instant v) {
      saturatedSince = v;
      return this;
    }

    public Builder readCap(ReadCap v) {
      readCap = v;
      return this;
    }

    /**
     * @throws NullPointerException if the burst or the provisioning is null
     */
    public ScalerState build() {
      return new ScalerState(this);
    }
  }

  /** A value observed at a time. */
  public record Sample(Instant at, double value) {}

  /**
   * Micro-batches seen reading the same number of records while more waited: the source's read
   * limit (Kafka's {@code maxOffsetsPerTrigger}), not the executors, then sets the throughput.
   *
   * @param rows the records the first of those batches read
   * @param since when such a batch was first seen
   * @param from from when they count as capped: a later batch has read no more by then
   */
  public record ReadCap(long rows, Instant since, Instant from) {
    public ReadCap {
      Objects.requireNonNull(since, "since");
      Objects.requireNonNull(from, "from");
    }
  }

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
   * @param reached the most executors seen ready while the scale-up is timed (at first those ready
   *     when it was asked for)
   * @param reachedAt when {@code reached} was first seen, or null while no executor it asked for is
   *     ready
   */
  public record Provisioning(
      double warmSeconds,
      double coldSeconds,
      Instant learnedAt,
      Instant requestedAt,
      int requestedTarget,
      boolean requestedCold,
      List<Sample> readyHistory,
      int reached,
      Instant reachedAt) {
    public static final Provisioning UNKNOWN =
        new Provisioning(Double.NaN, Double.NaN, null, null, 0, false, List.of(), 0, null);

    public Provisioning {
      readyHistory = List.copyOf(readyHistory);
    }

    /** These delays with another learned warm delay. */
    public Provisioning withWarmSeconds(double seconds) {
      return new Provisioning(
          seconds,
          coldSeconds,
          learnedAt,
          requestedAt,
          requestedTarget,
          requestedCold,
          readyHistory,
          reached,
          reachedAt);
    }

    /** These delays with another learned cold delay. */
    public Provisioning withColdSeconds(double seconds) {
      return new Provisioning(
          warmSeconds,
          seconds,
          learnedAt,
          requestedAt,
          requestedTarget,
          requestedCold,
          readyHistory,
          reached,
          reachedAt);
    }

    /** These delays, last decayed at {@code at}. */
    public Provisioning withLearnedAt(Instant at) {
      return new Provisioning(
          warmSeconds,
          coldSeconds,
          at,
          requestedAt,
          requestedTarget,
          requestedCold,
          readyHistory,
          reached,
          reachedAt);
    }

    /**
     * These delays timing another scale-up: asked for at {@code at} (null: none is timed), to
     * {@code target} executors, beyond the recent peak if {@code cold}.
     */
    public Provisioning withRequest(Instant at, int target, boolean cold) {
      return new Provisioning(
          warmSeconds, coldSeconds, learnedAt, at, target, cold, readyHistory, reached, reachedAt);
    }

    /**
     * These delays with the most executors seen ready while the scale-up is timed, first seen at
     * {@code at} (null: none of those asked for yet).
     */
    public Provisioning withReached(int ready, Instant at) {
      return new Provisioning(
          warmSeconds,
          coldSeconds,
          learnedAt,
          requestedAt,
          requestedTarget,
          requestedCold,
          readyHistory,
          ready,
          at);
    }

    /** These delays with another history of ready executors (oldest first). */
    public Provisioning withReadyHistory(List<Sample> history) {
      return new Provisioning(
          warmSeconds,
          coldSeconds,
          learnedAt,
          requestedAt,
          requestedTarget,
          requestedCold,
          history,
          reached,
          reachedAt);
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
