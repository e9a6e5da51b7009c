package io.stoker.core.policy;

import io.stoker.core.model.ScalingOptions;
import io.stoker.core.policy.ScalerState.Burst;
import io.stoker.core.policy.ScalerState.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Learns the burstiness of the arrivals: the largest rise within one reaction delay and the highest
 * rate, each over the burst memory.
 */
final class BurstLearning {
  private BurstLearning() {}

  /**
   * The burst memory after an arrival rate {@code x} at {@code at}, given the arrival rates within
   * the reaction delay ({@code recent}, this one included).
   */
  static Burst learn(Burst b, ScalingOptions o, Instant at, double x, List<Sample> recent) {
    double low = x;
    for (Sample sample : recent) {
      low = Math.min(low, sample.value());
    }
    double memory = o.burstMemory().toMillis() / 1000.0;
    return new Burst(
        slidingMax(b.excess(), at, x - low, memory), slidingMax(b.peak(), at, x, memory));
  }

  /** Adds a sample to a monotonic queue and drops what left the window. */
  static List<Sample> slidingMax(List<Sample> queue, Instant at, double value, double window) {
    List<Sample> out = new ArrayList<>(queue.size() + 1);
    for (Sample sample : queue) {
      if (Numbers.seconds(sample.at(), at) <= window && sample.value() > value) {
        out.add(sample);
      }
    }
    out.add(new Sample(at, value));
    return out;
  }
}
