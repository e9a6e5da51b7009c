package io.stoker.core.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Arithmetic on times and the way numbers are written in decisions, shared by the steps. */
final class Numbers {
  private Numbers() {}

  /** Seconds between two instants, as a double (millisecond precision). */
  static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  /** Decays a remembered value with a half-life; no decay without a start or before it. */
  static double decay(double value, Instant from, Instant to, Duration halfLife) {
    if (from == null || !to.isAfter(from)) {
      return value;
    }
    double halfLives = seconds(from, to) / (halfLife.toMillis() / 1000.0);
    return value * Math.pow(0.5, halfLives);
  }

  /** A rate for a sentence: "unknown" for NaN, whole from 100 up, else one decimal. */
  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "unknown";
    }
    if (Math.abs(v) >= 100) {
      return String.valueOf(Math.round(v));
    }
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
