package io.stoker.adapters.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Smoothed rate of a set of monotonically growing per-partition counters (log-end or committed
 * offsets): Σ Δoffset / Δt over partitions seen in both readings, then an exponential moving
 * average with time constant τ (α = 1 − e^(−Δt/τ); τ = 0 means no smoothing). Partitions whose
 * offset went backwards (topic re-created, offsets reset) are left out of that interval.
 */
final class RateEstimator {
  private final double tauSeconds;
  private Map<String, Long> last = Map.of();
  private Instant lastAt;
  private double smoothed = Double.NaN;
  private Duration interval = Duration.ZERO;

  RateEstimator(Duration tau) {
    this.tauSeconds = tau.toMillis() / 1000.0;
  }

  /** Adds a reading (key → offset, only valid offsets) and returns the smoothed rate. */
  double update(Map<String, Long> offsets, Instant at) {
    if (lastAt != null && at.isAfter(lastAt)) {
      double dt = Duration.between(lastAt, at).toNanos() / 1e9;
      long delta = 0;
      for (Map.Entry<String, Long> e : offsets.entrySet()) {
        Long before = last.get(e.getKey());
        if (before != null && e.getValue() >= before) {
          delta += e.getValue() - before;
        }
      }
      double raw = delta / dt;
      if (Double.isNaN(smoothed) || tauSeconds <= 0) {
        smoothed = raw;
      } else {
        double alpha = 1 - Math.exp(-dt / tauSeconds);
        smoothed += alpha * (raw - smoothed);
      }
      interval = Duration.between(lastAt, at);
    }
    if (lastAt == null || at.isAfter(lastAt)) {
      last = new HashMap<>(offsets);
      lastAt = at;
    }
    return smoothed;
  }

  Duration interval() {
    return interval;
  }
}
