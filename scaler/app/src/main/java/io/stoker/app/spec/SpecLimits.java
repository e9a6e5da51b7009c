package io.stoker.app.spec;

import java.time.Duration;

/**
 * Upper bounds of the numeric fields of an {@code ExecutorAutoscaler} spec. A spec is untrusted
 * input: beyond these a value is a mistake, and some would cost the controller memory or time (a
 * stabilisation window keeps one recommendation per tick, each Kafka topic is read on its own). The
 * CRD's schema carries the same bounds ({@code CrdBoundsTest}), so the API server refuses such a
 * spec; {@link SpecParser} checks them again for a CRD installed without them.
 */
public final class SpecLimits {
  /** {@code maxExecutors}, {@code minExecutors}, step and headroom executor counts. */
  public static final int EXECUTORS = 10_000;

  /** {@code executorCores}. */
  public static final int EXECUTOR_CORES = 1_024;

  /** {@code behavior.scaleUp.maxStepPercent} ({@code scaleDown}'s is 100). */
  public static final int STEP_PERCENT = 10_000;

  /** {@code behavior.*.stabilizationWindow}: the HPA's bound (3600 s). */
  public static final Duration WINDOW = Duration.ofHours(1);

  /** {@code objective.targetLatency}. */
  public static final Duration TARGET_LATENCY = Duration.ofHours(24);

  /** {@code signals.kafka.topics}: entries. */
  public static final int TOPICS = 100;

  /** {@code signals.kafka.lagThreshold} and {@code activationLagThreshold}, records. */
  public static final long LAG_RECORDS = 1_000_000_000_000_000L;

  /** Characters of a duration ({@code 1h30m}), checked before it is parsed. */
  public static final int DURATION_CHARS = 32;

  private SpecLimits() {}
}
