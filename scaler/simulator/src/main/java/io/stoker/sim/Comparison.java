package io.stoker.sim;

import io.stoker.core.model.ScalingOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs one trace through the policies side by side. The peers run with their published defaults and
 * a sweep of their knobs, chosen in hindsight; the plain {@code keda-hpa}, {@code spark-da} and
 * {@code streaming-da} entries are the best point of each sweep: the cheapest that meets the SLA
 * budget, or, if none does, the one with the fewest violation seconds. {@code stoker+placeholders}
 * (Stoker's decisions plus placeholder pods) is swept the same way over the configured headroom, in
 * whole nodes' worth of executors.
 */
public final class Comparison {
  /** Policy names accepted by {@code --policies}, in report order. */
  public static final List<String> POLICIES =
      List.of(
          "stoker",
          StokerPolicy.WITH_PLACEHOLDERS,
          "keda-hpa",
          "spark-da",
          "streaming-da",
          "static-peak",
          "oracle");

  /** The placeholder headroom sweep, in nodes' worth of executors (0: the forecast rise only). */
  static final int[] PLACEHOLDER_HEADROOM_NODES = {0, 1, 2, 3};

  /** KEDA's lagThreshold sweep, as multiples of executorRate x targetLatency. */
  static final double[] KEDA_MULTIPLES = {0.25, 0.5, 1, 2, 4};

  /** KEDA's published default lagThreshold. */
  static final long KEDA_DEFAULT_THRESHOLD = 10;

  /** The HPA's scale-down stabilization window sweep (300 s is the controller's default). */
  static final int[] KEDA_SCALE_DOWN_WINDOWS = {0, 60, 120, 300};

  /** Spark's executorIdleTimeout sweep (60 s is Spark's default). */
  static final double[] SPARK_IDLE_TIMEOUTS = {30, 60, 120};

  /** Spark's executorAllocationRatio sweep (1 is Spark's default). */
  static final double[] SPARK_ALLOCATION_RATIOS = {1, 0.5, 0.25};

  /** Spark Streaming's scalingInterval sweep (60 s is Spark's default). */
  static final int[] STREAMING_SCALING_INTERVALS = {30, 60, 120};

  /** The SLA budget: violation seconds allowed, as a share of the trace's duration. */
  public static final double SLA_BUDGET_SHARE = 0.01;

  /**
   * One row of a comparison.
   *
   * @param name plain policy name for chosen points, {@code peer[setting]} for sweep points
   * @param sweepPoint true for a point of a sweep (also listed when chosen)
   * @param result the replay
   */
  public record Entry(String name, boolean sweepPoint, SimResult result) {}

  /**
   * A whole comparison.
   *
   * @param trace the trace name
   * @param durationSeconds simulated seconds
   * @param scenario the scenario
   * @param slaBudgetSeconds violation seconds allowed
   * @param entries chosen policies first (in {@link #POLICIES} order), then every sweep point
   */
  public record Result(
      String trace,
      int durationSeconds,
      Scenario scenario,
      double slaBudgetSeconds,
      List<Entry> entries) {

    /** The entry with this exact name. */
    public SimResult get(String name) {
      for (Entry e : entries) {
        if (e.name().equals(name)) {
          return e.result();
        }
      }
      throw new IllegalArgumentException("no entry " + name);
    }
  }

  private Comparison() {}

  /**
   * @param policies subset of {@link #POLICIES}
   */
  public static Result run(Trace trace, Scenario scenario, Set<String> policies) {
    return run(trace, scenario, policies, ScalingOptions.defaults());
  }

  /**
   * @param policies subset of {@link #POLICIES}
   * @param stokerOptions Stoker's options; its bounds and latency objective come from the scenario
   */
  public static Result run(
      Trace trace, Scenario scenario, Set<String> policies, ScalingOptions stokerOptions) {
    return run(trace, scenario, policies, stokerOptions, 0);
  }

  /**
   * @param policies subset of {@link #POLICIES}; {@code streaming-da} runs only with a trigger
   *     interval
   * @param stokerOptions Stoker's options; its bounds and latency objective come from the scenario
   * @param history passes of the trace replayed before the measured one, every policy keeping its
   *     state
   */
  public static Result run(
      Trace trace,
      Scenario scenario,
      Set<String> policies,
      ScalingOptions stokerOptions,
      int history) {
    Simulator sim = new Simulator(scenario);
    Runner runner = (t, p) -> sim.run(t, p, history);
    double budget = SLA_BUDGET_SHARE * trace.durationSeconds();
    List<Entry> chosen = new ArrayList<>();
    List<Entry> sweeps = new ArrayList<>();
    for (String p : POLICIES) {
      if (!policies.contains(p)) {
        continue;
      }
      switch (p) {
        case "stoker":
          chosen.add(new Entry(p, false, runner.run(trace, new StokerPolicy(stokerOptions))));
          break;
        case StokerPolicy.WITH_PLACEHOLDERS:
          chosen.add(
              best(
                  p,
                  sweep(runner, trace, placeholderPoints(scenario, stokerOptions), sweeps),
                  budget));
          break;
        case "keda-hpa":
          chosen.add(best(p, sweep(runner, trace, kedaPoints(scenario), sweeps), budget));
          break;
        case "spark-da":
          chosen.add(best(p, sweep(runner, trace, sparkPoints(), sweeps), budget));
          break;
        case "streaming-da":
          if (scenario.triggerIntervalSeconds() > 0) {
            chosen.add(best(p, sweep(runner, trace, streamingPoints(), sweeps), budget));
          }
          break;
        case "static-peak":
          chosen.add(new Entry(p, false, runner.run(trace, new StaticPeakPolicy(trace, scenario))));
          break;
        case "oracle":
          chosen.add(new Entry(p, false, runner.run(trace, new OraclePolicy())));
          break;
        default:
          throw new IllegalArgumentException("unknown policy " + p);
      }
    }
    List<Entry> all = new ArrayList<>(chosen);
    all.addAll(sweeps);
    return new Result(trace.name(), trace.durationSeconds(), scenario, budget, List.copyOf(all));
  }

  /** One replay of a policy over a trace. */
  private interface Runner {
    SimResult run(Trace trace, SimPolicy policy);
  }

  static List<SimPolicy> kedaPoints(Scenario sc) {
    List<Long> thresholds = new ArrayList<>();
    thresholds.add(KEDA_DEFAULT_THRESHOLD);
    double unit = sc.executorRate() * sc.targetLatencySeconds();
    for (double m : KEDA_MULTIPLES) {
      thresholds.add(Math.max(1, Math.round(m * unit)));
    }
    List<SimPolicy> points = new ArrayList<>();
    for (int i = 0; i < thresholds.size(); i++) {
      for (int window : KEDA_SCALE_DOWN_WINDOWS) {
        points.add(new KedaHpaPolicy(thresholds.get(i), i == 0, window));
      }
    }
    return points;
  }

  static List<SimPolicy> streamingPoints() {
    List<SimPolicy> points = new ArrayList<>();
    for (int interval : STREAMING_SCALING_INTERVALS) {
      points.add(new StreamingDaPolicy(interval, interval == 60));
    }
    return points;
  }

  static List<SimPolicy> placeholderPoints(Scenario sc, ScalingOptions options) {
    List<SimPolicy> points = new ArrayList<>();
    for (int nodes : PLACEHOLDER_HEADROOM_NODES) {
      points.add(StokerPolicy.withPlaceholders(options, nodes * sc.executorsPerNode()));
    }
    return points;
  }

  static List<SimPolicy> sparkPoints() {
    List<SimPolicy> points = new ArrayList<>();
    for (double idle : SPARK_IDLE_TIMEOUTS) {
      for (double ratio : SPARK_ALLOCATION_RATIOS) {
        points.add(new SparkDaPolicy(idle, idle == 60, ratio));
      }
    }
    return points;
  }

  private static List<SimResult> sweep(
      Runner sim, Trace trace, List<SimPolicy> points, List<Entry> sweeps) {
    List<SimResult> results = new ArrayList<>();
    for (SimPolicy point : points) {
      SimResult r = sim.run(trace, point);
      results.add(r);
      sweeps.add(new Entry(point.name(), true, r));
    }
    return results;
  }

  /** The cheapest point within the budget, else the one with the fewest violation seconds. */
  static Entry best(String name, List<SimResult> points, double budget) {
    SimResult best = null;
    for (SimResult r : points) {
      if (r.slaViolationSeconds() <= budget
          && (best == null
              || best.slaViolationSeconds() > budget
              || r.executorSeconds() < best.executorSeconds())) {
        best = r;
      } else if (best == null
          || (best.slaViolationSeconds() > budget
              && (r.slaViolationSeconds() < best.slaViolationSeconds()
                  || (r.slaViolationSeconds() == best.slaViolationSeconds()
                      && r.executorSeconds() < best.executorSeconds())))) {
        best = r;
      }
    }
    return new Entry(name, false, best);
  }
}
