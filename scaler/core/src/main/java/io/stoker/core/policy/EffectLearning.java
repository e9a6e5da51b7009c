package io.stoker.core.policy;

import io.stoker.core.model.ScalingOptions;
import io.stoker.core.policy.ScalerState.ScaleUp;
import java.time.Instant;

/**
 * Learns whether the last scale-up was effective: it remembers a scale-up decided while the
 * executors were saturated, and judges it once its executors are ready.
 */
final class EffectLearning {
  private EffectLearning() {}

  /**
   * The last scale-up still to be judged (or null), and a sentence if this observation showed it
   * was ineffective (or null).
   */
  record Judged(ScaleUp pending, String ineffective) {}

  /**
   * Judges the last scale-up. Its executors must all be ready first (a scale-up whose executors
   * never arrive is forgotten after four reaction times). From then on, it is effective as soon as
   * throughput has risen by the threshold's share of the gain expected from the executors now
   * ready; it is forgotten once the backlog no longer saturates the executors (it was absorbed:
   * there is nothing to judge); and it is ineffective only if the executors stayed saturated for
   * the whole {@code rateSettleTime} without that rise. The rates are averages that reach a new
   * fleet's throughput only after a while; judged on the first tick, scale-ups that drained a burst
   * in half a minute were called ineffective.
   */
  static Judged judge(
      ScaleUp up,
      ScalingOptions o,
      Instant at,
      int ready,
      double processing,
      boolean saturated,
      double reaction) {
    if (up == null) {
      return new Judged(null, null);
    }
    if (up.readyAt() == null && ready < up.to()) {
      boolean lost = Numbers.seconds(up.at(), at) > 4 * reaction;
      return new Judged(lost ? null : up, null);
    }
    double expected = up.expectedProcessing(ready);
    if (!saturated || o.ineffectiveThreshold() <= 0 || !(expected > up.processingBefore())) {
      return new Judged(null, null);
    }
    double gain = (processing - up.processingBefore()) / (expected - up.processingBefore());
    if (gain >= o.ineffectiveThreshold()) {
      return new Judged(null, null);
    }
    Instant readyAt = up.readyAt() == null ? at : up.readyAt();
    double judged = Numbers.seconds(readyAt, at);
    if (judged < o.rateSettleTime().toMillis() / 1000.0) {
      return new Judged(up.withReadyAt(readyAt), null);
    }
    return new Judged(
        null,
        "the scale-up from "
            + up.fromReady()
            + " to "
            + ready
            + " executors (throughput "
            + Numbers.fmt(up.processingBefore())
            + "/s → "
            + Numbers.fmt(processing)
            + "/s after "
            + Math.round(judged)
            + " s with a backlog, "
            + Math.round(gain * 100)
            + "% of the expected gain)");
  }

  /**
   * The scale-up to judge after a scale-up to {@code to} executors: the one already being judged (a
   * series of scale-ups is judged from its first one's baseline), else this one if the executors
   * were saturated, else none.
   *
   * @param executorRate the learned records/s per executor, NaN if unknown
   */
  static ScaleUp afterScaleUp(
      ScaleUp up,
      Instant now,
      int ready,
      int to,
      double processing,
      boolean saturated,
      double executorRate) {
    if (up == null && saturated && ready > 0 && processing > 0) {
      // each added executor is expected to add the lower of two per-executor rates (the learned
      // one, and this throughput per ready executor): the check errs towards not blocking
      double each = processing / ready;
      if (executorRate > 0) {
        each = Math.min(each, executorRate);
      }
      return new ScaleUp(now, ready, to, processing, each, null);
    }
    return up;
  }
}
