package io.stoker.core.policy;

import io.stoker.core.model.Observation;
import io.stoker.core.model.Observation.MicroBatch;
import java.util.Objects;

/**
 * Learns what one executor processes: DS2's true processing rate per executor, smoothed, and the
 * highest rate per executor seen so far, a lower bound known before the rate itself is measured.
 */
final class ExecutorRateLearning {
  /** Weight of a new executor-rate measurement. */
  static final double RATE_WEIGHT = 0.3;

  /** Below this busy fraction a measurement says more about idleness than about capacity. */
  static final double MIN_BUSY = 0.1;

  private ExecutorRateLearning() {}

  /**
   * A smoothed executor rate.
   *
   * @param rate records/s per executor, NaN until measured
   * @param samples how many measurements went into it
   * @param batch the micro-batch last measured, or null
   */
  record Rate(double rate, int samples, MicroBatch batch) {}

  /**
   * The rate after this observation. Measured on the last micro-batch where Spark says how long its
   * tasks ran ({@link Batches#executorRateSample}), else from the busy fraction where there is one,
   * else from a backlog that has kept the same executors saturated for the settle time ({@code
   * settled}).
   *
   * @param rate the rate learned so far
   * @param lastReady ready executors at the previous observation, or -1
   */
  static Rate learn(
      Observation obs,
      Rate rate,
      int lastReady,
      int ready,
      double processing,
      boolean settled,
      int cap) {
    double value = rate.rate();
    int samples = rate.samples();
    boolean unchanged = ready > 0 && (lastReady < 0 || ready == lastReady);
    boolean stable = unchanged && processing > 0;
    // rule "batch rate": measured on the batch's own records and task time when Spark says them
    double sample =
        unchanged
            ? Batches.executorRateSample(
                obs.lastBatch(), ready, cap, obs.coresPerExecutor().orElse(0))
            : Double.NaN;
    MicroBatch measured = rate.batch();
    if (!Double.isNaN(sample)) {
      stable = false;
      MicroBatch batch = obs.lastBatch().get();
      if (Objects.equals(batch, measured)) {
        // The batch measured at an earlier tick is still the last one: a minute-long batch would
        // otherwise outweigh the short ones around it by as many ticks as it stays last.
        sample = Double.NaN;
      }
      measured = batch;
    }
    if (stable && obs.busyFraction().isPresent()) {
      double busy = obs.busyFraction().getAsDouble();
      if (busy >= MIN_BUSY && busy <= 1.0) {
        sample = processing / (busy * ready);
      }
    } else if (stable && settled) {
      sample = processing / Math.min(ready, cap);
    }
    if (!Double.isNaN(sample) && sample > 0 && !Double.isInfinite(sample)) {
      value = samples == 0 ? sample : value + RATE_WEIGHT * (sample - value);
      samples++;
    }
    return new Rate(value, samples, measured);
  }

  /**
   * The highest rate per executor seen so far: what was processed over this interval cannot have
   * needed fewer executors than the larger of the ready counts at its two ends, so it is a lower
   * bound of the executor rate at any load, idle or not.
   *
   * @param floor the floor so far, NaN if none
   * @param lastReady ready executors at the previous observation, or -1
   */
  static double floor(double floor, int lastReady, int ready, double processing) {
    int most = Math.max(ready, lastReady);
    if (!(processing > 0) || most <= 0) {
      return floor;
    }
    double sample = processing / most;
    return Double.isNaN(floor) ? sample : Math.max(floor, sample);
  }
}
