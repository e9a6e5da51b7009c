package io.stoker.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/** Small scenarios, traces and policies for simulator tests. */
final class Fixtures {
  private Fixtures() {}

  /**
   * An exact world: no capacity noise, no start-up or node delay, one executor of 5 records/s with
   * one core, plenty of partitions and room; {@code overrides} are scenario keys and values.
   */
  static Scenario exact(Object... overrides) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("executorRate", 5);
    m.put("executorRateNoise", 0);
    m.put("coresPerExecutor", 1);
    m.put("partitions", 100);
    m.put("podStartupSeconds", 0);
    m.put("podStartupJitterSeconds", 0);
    m.put("nodeProvisionSeconds", 0);
    m.put("executorsPerNode", 10);
    m.put("initialNodes", 1);
    m.put("minExecutors", 1);
    m.put("maxExecutors", 10);
    m.put("initialExecutors", 1);
    m.put("targetLatencySeconds", 2);
    m.put("decommissionSeconds", 0);
    for (int i = 0; i < overrides.length; i += 2) {
      m.put((String) overrides[i], overrides[i + 1]);
    }
    try {
      return Scenario.fromMap(m);
    } catch (InputException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A trace from alternating times and rates: {@code trace(0, 10, 20, 0)}. */
  static Trace trace(double... timeRatePairs) {
    int n = timeRatePairs.length / 2;
    double[] times = new double[n];
    double[] rates = new double[n];
    for (int i = 0; i < n; i++) {
      times[i] = timeRatePairs[2 * i];
      rates[i] = timeRatePairs[2 * i + 1];
    }
    return new Trace("test", times, rates);
  }

  /** A constant rate lasting exactly {@code seconds} (rows every second). */
  static Trace constant(double rate, int seconds) {
    double[] times = new double[seconds];
    double[] rates = new double[seconds];
    for (int i = 0; i < seconds; i++) {
      times[i] = i;
      rates[i] = rate;
    }
    return new Trace("constant", times, rates);
  }

  /** What a policy saw at the start of one second. */
  record Seen(
      int second,
      double arrived,
      double processed,
      double backlog,
      int target,
      int ready,
      int pending,
      boolean behind) {}

  /**
   * Wraps a policy (or none: then it sets targets from a script) and records what the view showed
   * at the start of every second.
   */
  static final class Probe implements SimPolicy {
    private final SimPolicy delegate;
    private final int initial;
    private final TreeMap<Integer, Integer> script = new TreeMap<>();
    private int placeholders;
    private Removal removal = Removal.IDLE_LONGEST;
    final List<Seen> seen = new ArrayList<>();

    private Probe(SimPolicy delegate, int initial) {
      this.delegate = delegate;
      this.initial = initial;
    }

    /** A scripted policy starting with {@code initial} executors. */
    static Probe scripted(int initial) {
      return new Probe(null, initial);
    }

    static Probe wrapping(SimPolicy delegate) {
      return new Probe(delegate, -1);
    }

    /** Hold {@code n} placeholder pods throughout (scripted probes only). */
    Probe holding(int n) {
      placeholders = n;
      return this;
    }

    @Override
    public int placeholders() {
      return delegate == null ? placeholders : delegate.placeholders();
    }

    /** Scale in as {@code r} picks executors (scripted probes only). */
    Probe removing(Removal r) {
      removal = r;
      return this;
    }

    @Override
    public Removal removal() {
      return delegate == null ? removal : delegate.removal();
    }

    /** From second {@code t} on, ask for {@code executors}. */
    Probe at(int t, int executors) {
      script.put(t, executors);
      return this;
    }

    @Override
    public String name() {
      return delegate == null ? "probe" : delegate.name();
    }

    @Override
    public String setting() {
      return delegate == null ? "" : delegate.setting();
    }

    @Override
    public int initialExecutors(Scenario scenario) {
      return delegate == null ? initial : delegate.initialExecutors(scenario);
    }

    @Override
    public boolean instantExecutors() {
      return delegate != null && delegate.instantExecutors();
    }

    @Override
    public OptionalInt decide(SimView v) {
      seen.add(
          new Seen(
              v.second(),
              v.arrivedRecords(),
              v.processedRecords(),
              v.backlogRecords(),
              v.target(),
              v.readyExecutors(),
              v.pendingExecutors(),
              v.behind()));
      if (delegate != null) {
        return delegate.decide(v);
      }
      Map.Entry<Integer, Integer> e = script.floorEntry(v.second());
      return e == null ? OptionalInt.empty() : OptionalInt.of(e.getValue());
    }

    /** Records processed during second {@code t} (needs the start of second t + 1). */
    double processedDuring(int t) {
      return seen.get(t + 1).processed() - seen.get(t).processed();
    }
  }
}
