package io.stoker.core.policy;

import io.stoker.core.policy.ScalerState.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Learns the arrival trend: the arrival rates within one reaction delay, and the rate they point to
 * once new executors arrive.
 */
final class TrendLearning {
  /** A rise is a trend only if no single interval carries more than this share of it. */
  static final double GRADUAL_SHARE = 0.5;

  /** Samples before the latest needed to fit a trend. */
  static final int TREND_SAMPLES = 3;

  private TrendLearning() {}

  /**
   * The arrival rate expected once new executors arrive: the least-squares slope of the samples
   * before the latest one, extrapolated over the reaction delay while the rate still rises. The
   * latest interval is left out of the fit: a step or a burst is not a trend, and extrapolating the
   * jump would ask for executors the workload never needs.
   */
  static double forecast(double arrival, List<Sample> before, Instant now, double horizon) {
    if (before.size() < TREND_SAMPLES || arrival < before.get(before.size() - 1).value()) {
      return arrival;
    }
    double first = before.get(0).value();
    double largestStep = arrival - before.get(before.size() - 1).value();
    for (int i = 1; i < before.size(); i++) {
      largestStep = Math.max(largestStep, before.get(i).value() - before.get(i - 1).value());
    }
    if (largestStep > GRADUAL_SHARE * (arrival - first)) {
      return arrival;
    }
    double n = before.size();
    double sx = 0;
    double sy = 0;
    for (Sample p : before) {
      sx -= Numbers.seconds(p.at(), now);
      sy += p.value();
    }
    double mx = sx / n;
    double my = sy / n;
    double sxy = 0;
    double sxx = 0;
    for (Sample p : before) {
      double x = -Numbers.seconds(p.at(), now) - mx;
      sxy += x * (p.value() - my);
      sxx += x * x;
    }
    double slope = sxx > 0 ? sxy / sxx : 0;
    return slope > 0 ? arrival + slope * horizon : arrival;
  }

  /** The samples of {@code old} within {@code window} seconds of {@code at}, plus this one. */
  static List<Sample> recent(List<Sample> old, Instant at, double x, double window) {
    List<Sample> out = new ArrayList<>(old.size() + 1);
    for (Sample sample : old) {
      if (Numbers.seconds(sample.at(), at) <= window) {
        out.add(sample);
      }
    }
    out.add(new Sample(at, x));
    return out;
  }
}
