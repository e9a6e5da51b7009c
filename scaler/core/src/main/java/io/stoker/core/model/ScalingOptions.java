package io.stoker.core.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The knobs of one autoscaler. Field names follow the {@code ExecutorAutoscaler} spec so that
 * validation messages name the field a user wrote. Build with {@link #defaults()} and {@link
 * #toBuilder()}; check with {@link #validate()}.
 *
 * @param minExecutors lower bound of the target
 * @param maxExecutors upper bound of the target
 * @param targetLatency the oldest unprocessed record must be younger than this
 * @param targetUtilization steady-state share of executor capacity to use, (0, 1], where the wait
 *     for a trigger and the batch take the whole latency objective; the share of the objective they
 *     leave (all of it with continuous processing) gives back up to half the margin {@code 1/u − 1}
 * @param tolerance relative change below which the target is kept
 * @param scaleUp limits on increases
 * @param scaleDown limits on decreases
 * @param maxSignalAge older signals count as stale: hold
 * @param executorStartup first estimate of request-to-ready time, refined from observations
 * @param burstMemory how long the burst magnitude is remembered (sliding maxima), and the cold
 *     provisioning delay's fading scale
 * @param ineffectiveThreshold a scale-up that delivers less than this share of the expected
 *     throughput gain is ineffective; 0 disables the check
 * @param ineffectiveHold how long further scale-ups are blocked after an ineffective one
 * @param rateSettleTime how long the reported rates take to follow a change of the fleet or of its
 *     load: they are averages (the Kafka adapter's is exponential over 30 s, which this covers to
 *     86 %; a PromQL {@code rate} averages over its range). A scale-up is judged over this long
 *     once its executors are ready, and the executor rate is learned from a backlog only once the
 *     same executors have been saturated this long
 * @param initialExecutorRate records/s per executor assumed before one is measured
 * @param capacityRetention how long capacity freed by a scale-down stays warm (nodes kept by
 *     Cluster Autoscaler's scale-down-unneeded-time, 10 min by default): executors up to the peak
 *     of this window come back after the warm delay, more after the cold one
 */
public record ScalingOptions(
    int minExecutors,
    int maxExecutors,
    Duration targetLatency,
    double targetUtilization,
    double tolerance,
    Behavior scaleUp,
    Behavior scaleDown,
    Duration maxSignalAge,
    Duration executorStartup,
    Duration burstMemory,
    double ineffectiveThreshold,
    Duration ineffectiveHold,
    Duration rateSettleTime,
    OptionalDouble initialExecutorRate,
    Duration capacityRetention) {

  public ScalingOptions {
    Objects.requireNonNull(capacityRetention, "capacityRetention");
    Objects.requireNonNull(targetLatency, "targetLatency");
    Objects.requireNonNull(scaleUp, "scaleUp");
    Objects.requireNonNull(scaleDown, "scaleDown");
    Objects.requireNonNull(maxSignalAge, "maxSignalAge");
    Objects.requireNonNull(executorStartup, "executorStartup");
    Objects.requireNonNull(burstMemory, "burstMemory");
    Objects.requireNonNull(ineffectiveHold, "ineffectiveHold");
    Objects.requireNonNull(rateSettleTime, "rateSettleTime");
    Objects.requireNonNull(initialExecutorRate, "initialExecutorRate");
  }

  /**
   * Limits on one direction of change.
   *
   * @param stabilizationWindow up: the lowest recommendation in the window is used; down: the
   *     highest. Empty: no window for scale-up; for scale-down, the learned provisioning delay (an
   *     executor released now takes that long to get back, so holding it that long costs at most
   *     one cold start)
   * @param maxStepPercent at most this percentage of the current target per decision (empty:
   *     unlimited)
   * @param maxStepExecutors at most this many executors per decision (empty: unlimited)
   */
  public record Behavior(
      Optional<Duration> stabilizationWindow,
      OptionalInt maxStepPercent,
      OptionalInt maxStepExecutors) {
    public Behavior {
      Objects.requireNonNull(stabilizationWindow, "stabilizationWindow");
      Objects.requireNonNull(maxStepPercent, "maxStepPercent");
      Objects.requireNonNull(maxStepExecutors, "maxStepExecutors");
    }

    /** No window and no step limit. */
    public static Behavior unlimited() {
      return new Behavior(Optional.empty(), OptionalInt.empty(), OptionalInt.empty());
    }

    public Behavior withWindow(Duration window) {
      return new Behavior(Optional.of(window), maxStepPercent, maxStepExecutors);
    }

    public Behavior withMaxStepPercent(int percent) {
      return new Behavior(stabilizationWindow, OptionalInt.of(percent), maxStepExecutors);
    }

    public Behavior withMaxStepExecutors(int executors) {
      return new Behavior(stabilizationWindow, maxStepPercent, OptionalInt.of(executors));
    }
  }

  /**
   * Stoker's one default configuration (docs/ARCHITECTURE.md explains each choice): scale up at
   * once and without a step limit, because an executor asked for late costs latency for the whole
   * provisioning delay; scale down only when the highest steady-state recommendation over one
   * learned provisioning delay allows it (in one step: each step is an action).
   */
  public static ScalingOptions defaults() {
    return new ScalingOptions(
        1,
        40,
        Duration.ofSeconds(60),
        0.9,
        0.1,
        Behavior.unlimited(),
        Behavior.unlimited(),
        Duration.ofSeconds(60),
        Duration.ofSeconds(60),
        Duration.ofHours(24),
        0.1,
        Duration.ofMinutes(10),
        Duration.ofSeconds(60),
        OptionalDouble.empty(),
        Duration.ofMinutes(10));
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builder for {@link ScalingOptions}; starts from {@link #defaults()} or existing options. */
  public static final class Builder {
    private int minExecutors;
    private int maxExecutors;
    private Duration targetLatency;
    private double targetUtilization;
    private double tolerance;
    private Behavior scaleUp;
    private Behavior scaleDown;
    private Duration maxSignalAge;
    private Duration executorStartup;
    private Duration burstMemory;
    private double ineffectiveThreshold;
    private Duration ineffectiveHold;
    private Duration rateSettleTime;
    private OptionalDouble initialExecutorRate;
    private Duration capacityRetention;

    private Builder(ScalingOptions o) {
      minExecutors = o.minExecutors;
      maxExecutors = o.maxExecutors;
      targetLatency = o.targetLatency;
      targetUtilization = o.targetUtilization;
      tolerance = o.tolerance;
      scaleUp = o.scaleUp;
      scaleDown = o.scaleDown;
      maxSignalAge = o.maxSignalAge;
      executorStartup = o.executorStartup;
      burstMemory = o.burstMemory;
      ineffectiveThreshold = o.ineffectiveThreshold;
      ineffectiveHold = o.ineffectiveHold;
      rateSettleTime = o.rateSettleTime;
      initialExecutorRate = o.initialExecutorRate;
      capacityRetention = o.capacityRetention;
    }

    public Builder bounds(int min, int max) {
      minExecutors = min;
      maxExecutors = max;
      return this;
    }

    public Builder targetLatency(Duration v) {
      targetLatency = v;
      return this;
    }

    public Builder targetUtilization(double v) {
      targetUtilization = v;
      return this;
    }

    public Builder tolerance(double v) {
      tolerance = v;
      return this;
    }

    public Builder scaleUp(Behavior v) {
      scaleUp = v;
      return this;
    }

    public Builder scaleDown(Behavior v) {
      scaleDown = v;
      return this;
    }

    public Builder maxSignalAge(Duration v) {
      maxSignalAge = v;
      return this;
    }

    public Builder executorStartup(Duration v) {
      executorStartup = v;
      return this;
    }

    public Builder burstMemory(Duration v) {
      burstMemory = v;
      return this;
    }

    public Builder ineffectiveThreshold(double v) {
      ineffectiveThreshold = v;
      return this;
    }

    public Builder ineffectiveHold(Duration v) {
      ineffectiveHold = v;
      return this;
    }

    public Builder rateSettleTime(Duration v) {
      rateSettleTime = v;
      return this;
    }

    public Builder initialExecutorRate(double recordsPerSecond) {
      initialExecutorRate = OptionalDouble.of(recordsPerSecond);
      return this;
    }

    public Builder capacityRetention(Duration v) {
      capacityRetention = v;
      return this;
    }

    public ScalingOptions build() {
      return new ScalingOptions(
          minExecutors,
          maxExecutors,
          targetLatency,
          targetUtilization,
          tolerance,
          scaleUp,
          scaleDown,
          maxSignalAge,
          executorStartup,
          burstMemory,
          ineffectiveThreshold,
          ineffectiveHold,
          rateSettleTime,
          initialExecutorRate,
          capacityRetention);
    }
  }

  /**
   * Every rule this configuration breaks, each naming its field as written in the {@code
   * ExecutorAutoscaler} spec; empty when valid.
   */
  public List<String> validate() {
    List<String> errors = new ArrayList<>();
    if (minExecutors < 0) {
      errors.add("minExecutors must be >= 0, got " + minExecutors);
    }
    if (maxExecutors < 1) {
      errors.add("maxExecutors must be >= 1, got " + maxExecutors);
    }
    if (minExecutors > maxExecutors) {
      errors.add(
          "minExecutors (" + minExecutors + ") must be <= maxExecutors (" + maxExecutors + ")");
    }
    if (!positive(targetLatency)) {
      errors.add("objective.targetLatency must be > 0, got " + targetLatency);
    }
    if (!(targetUtilization > 0 && targetUtilization <= 1)) {
      errors.add("objective.targetUtilization must be in (0, 1], got " + targetUtilization);
    }
    if (!(tolerance >= 0 && tolerance < 1)) {
      errors.add("behavior.tolerance must be in [0, 1), got " + tolerance);
    }
    checkBehavior("behavior.scaleUp", scaleUp, errors);
    checkBehavior("behavior.scaleDown", scaleDown, errors);
    scaleDown
        .maxStepPercent()
        .ifPresent(
            p -> {
              if (p > 100) {
                errors.add("behavior.scaleDown.maxStepPercent must be <= 100, got " + p);
              }
            });
    if (!positive(maxSignalAge)) {
      errors.add("maxSignalAge must be > 0, got " + maxSignalAge);
    }
    if (executorStartup.isNegative()) {
      errors.add("executorStartup must be >= 0, got " + executorStartup);
    }
    if (!positive(burstMemory)) {
      errors.add("burstMemory must be > 0, got " + burstMemory);
    }
    if (!(ineffectiveThreshold >= 0 && ineffectiveThreshold < 1)) {
      errors.add("ineffectiveThreshold must be in [0, 1), got " + ineffectiveThreshold);
    }
    if (ineffectiveHold.isNegative()) {
      errors.add("ineffectiveHold must be >= 0, got " + ineffectiveHold);
    }
    if (rateSettleTime.isNegative()) {
      errors.add("rateSettleTime must be >= 0, got " + rateSettleTime);
    }
    if (capacityRetention.isNegative()) {
      errors.add("capacityRetention must be >= 0, got " + capacityRetention);
    }
    initialExecutorRate.ifPresent(
        r -> {
          if (!(r > 0) || Double.isInfinite(r)) {
            errors.add("initialExecutorRate must be > 0, got " + r);
          }
        });
    return List.copyOf(errors);
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  private static void checkBehavior(String field, Behavior b, List<String> errors) {
    b.stabilizationWindow()
        .filter(Duration::isNegative)
        .ifPresent(w -> errors.add(field + ".stabilizationWindow must be >= 0, got " + w));
    b.maxStepPercent()
        .ifPresent(
            p -> {
              if (p < 1) {
                errors.add(field + ".maxStepPercent must be >= 1, got " + p);
              }
            });
    b.maxStepExecutors()
        .ifPresent(
            n -> {
              if (n < 1) {
                errors.add(field + ".maxStepExecutors must be >= 1, got " + n);
              }
            });
  }
}
