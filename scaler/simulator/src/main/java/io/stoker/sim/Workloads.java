package io.stoker.sim;

import java.util.List;
import java.util.Random;

/**
 * Built-in workload generators, one row every 10 s. They have the shapes of the standard traces but
 * are generated from the seed, so users can try a policy without a trace file.
 */
public final class Workloads {
  /** Names accepted by {@code --workload}, sorted. */
  public static final List<String> NAMES =
      List.of("bursty", "diurnal", "flash-crowd", "ramp", "step");

  private static final int ROW = 10;

  private Workloads() {}

  /**
   * @throws InputException if the name is unknown
   */
  public static Trace generate(String name, long seed) throws InputException {
    Random r = new Random(seed);
    switch (name) {
      case "step":
        return step(r);
      case "ramp":
        double top = 15000 + 10000 * r.nextDouble();
        return build(name, 7200, t -> 500 + (top - 500) * t / 7190.0);
      case "diurnal":
        return build(
            name,
            21600,
            t ->
                (5500 - 4700 * Math.cos(2 * Math.PI * t / 21600.0))
                    * (1 + 0.03 * r.nextGaussian()));
      case "flash-crowd":
        double jump = 8 + 4 * r.nextDouble();
        int at = 1200 + ROW * r.nextInt(90);
        return build(
            name,
            5400,
            t -> t < at ? 2000 : 2000 + 2000 * (jump - 1) * Math.exp(-(t - at) / 665.0));
      case "bursty":
        return bursty(r);
      default:
        throw new InputException(
            "unknown workload '" + name + "' (known: " + String.join(", ", NAMES) + ")");
    }
  }

  private interface Shape {
    double at(int t);
  }

  private static Trace build(String name, int duration, Shape shape) {
    int n = duration / ROW;
    double[] times = new double[n];
    double[] rates = new double[n];
    for (int i = 0; i < n; i++) {
      times[i] = i * ROW;
      rates[i] = Math.max(0, Math.round(shape.at(i * ROW) * 10) / 10.0);
    }
    return new Trace(name, times, rates);
  }

  /** 2000/s, a step up to 6000-10000/s for 30-45 min, back, then a larger one to 10000-14000/s. */
  private static Trace step(Random r) {
    int firstAt = 900 + ROW * r.nextInt(60);
    int firstEnd = firstAt + 1800 + ROW * r.nextInt(90);
    int secondAt = firstEnd + 900 + ROW * r.nextInt(30);
    int secondEnd = Math.min(7000, secondAt + 1200);
    double first = 6000 + 1000 * r.nextInt(5);
    double second = 10000 + 1000 * r.nextInt(5);
    return build(
        "step",
        7200,
        t -> t >= secondAt && t < secondEnd ? second : t >= firstAt && t < firstEnd ? first : 2000);
  }

  /** A noisy base of ~3000/s with bursts of 60-250 s to 8000-18000/s every 300-1200 s. */
  private static Trace bursty(Random r) {
    int duration = 10800;
    double[] level = new double[duration / ROW];
    int next = 600 + r.nextInt(600);
    int burstEnd = -1;
    double burst = 0;
    for (int i = 0; i < level.length; i++) {
      int t = i * ROW;
      if (t >= next && burstEnd < t) {
        burstEnd = t + 60 + ROW * r.nextInt(20);
        burst = 8000 + r.nextInt(10000);
        next = burstEnd + 300 + ROW * r.nextInt(90);
      }
      double base = 3000 * (1 + 0.07 * r.nextGaussian());
      level[i] = t < burstEnd ? burst * (1 + 0.01 * r.nextGaussian()) : base;
    }
    return build("bursty", duration, t -> level[t / ROW]);
  }
}
