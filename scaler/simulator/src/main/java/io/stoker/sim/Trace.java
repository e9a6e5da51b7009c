package io.stoker.sim;

import java.util.Arrays;
import java.util.Objects;

/**
 * A workload: arrival rate (records/s) over time. Each rate holds until the next row; the trace
 * lasts until its last row plus the spacing of its last two rows.
 */
public final class Trace {
  /**
   * The longest run simulated, history included: 31 days. The simulator keeps a few numbers per
   * second of every run, so a month of every peer point takes some 6 GB; a trace or a history
   * beyond it is refused before any work.
   */
  public static final int MAX_SECONDS = 31 * 24 * 3600;

  private final String name;
  private final double[] times;
  private final double[] rates;
  private final int duration;

  /**
   * @param name shown in reports
   * @param times seconds from start, non-decreasing, first one 0 or later
   * @param rates records/s from the matching time on
   * @throws IllegalArgumentException if the trace would last more than {@link #MAX_SECONDS}
   */
  public Trace(String name, double[] times, double[] rates) {
    this.name = Objects.requireNonNull(name, "name");
    if (times.length == 0 || times.length != rates.length) {
      throw new IllegalArgumentException("a trace needs as many times as rates, at least one");
    }
    this.times = times.clone();
    this.rates = rates.clone();
    double last = times[times.length - 1];
    double step = times.length > 1 ? last - times[times.length - 2] : 1;
    double seconds = Math.ceil(last + Math.max(step, 1));
    if (!(seconds <= MAX_SECONDS)) {
      throw new IllegalArgumentException(
          "a trace may last at most "
              + MAX_SECONDS
              + " s (31 days); this one, to its last row plus the spacing of its last two, lasts "
              + String.format(java.util.Locale.ROOT, "%.0f", seconds)
              + " s");
    }
    this.duration = (int) seconds;
  }

  private Trace(String name, double[] times, double[] rates, int duration) {
    this.name = name;
    this.times = times;
    this.rates = rates;
    this.duration = duration;
  }

  /**
   * This trace played {@code n} times in a row (n ≥ 1), under the same name.
   *
   * @throws IllegalArgumentException if that would last more than {@link #MAX_SECONDS}
   */
  public Trace repeated(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, got " + n);
    }
    if ((long) duration * n > MAX_SECONDS) {
      throw new IllegalArgumentException(tooLong(n));
    }
    double[] t = new double[times.length * n];
    double[] r = new double[rates.length * n];
    for (int k = 0; k < n; k++) {
      for (int i = 0; i < times.length; i++) {
        t[k * times.length + i] = times[i] + (double) k * duration;
        r[k * times.length + i] = rates[i];
      }
    }
    return new Trace(name, t, r, duration * n);
  }

  /**
   * Checks that this trace replayed {@code history} times before the measured pass lasts at most
   * {@link #MAX_SECONDS}.
   *
   * @throws InputException saying how long that would be
   */
  public void checkHistory(int history) throws InputException {
    if (history >= 0 && (long) duration * (history + 1L) > MAX_SECONDS) {
      throw new InputException("--history " + history + ": " + tooLong(history + 1L));
    }
  }

  private String tooLong(long n) {
    return "the "
        + duration
        + " s of "
        + name
        + " played "
        + n
        + " times last "
        + (long) duration * n
        + " s, beyond the "
        + MAX_SECONDS
        + " s (31 days) a simulation may last";
  }

  public String name() {
    return name;
  }

  /** Whole seconds simulated. */
  public int durationSeconds() {
    return duration;
  }

  /** The arrival rate in force at second {@code t}. */
  public double rateAt(double t) {
    int i = Arrays.binarySearch(times, t);
    if (i < 0) {
      i = -i - 2;
    } else {
      while (i + 1 < times.length && times[i + 1] == t) {
        i++;
      }
    }
    return i < 0 ? 0 : rates[i];
  }

  /** The highest rate of the trace. */
  public double peakRate() {
    double peak = 0;
    for (double r : rates) {
      peak = Math.max(peak, r);
    }
    return peak;
  }

  /** Number of rows. */
  public int size() {
    return times.length;
  }
}
