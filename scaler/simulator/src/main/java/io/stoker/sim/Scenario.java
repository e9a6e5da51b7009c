package io.stoker.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The world a workload is replayed in: executor and cluster behaviour, bounds and the objective.
 * Keys and defaults are those of docs/simulator.md; {@link #fromMap} is how a scenario file is
 * read.
 *
 * @param executorRate records/s one executor processes
 * @param executorRateNoise relative standard deviation of the capacity, per second
 * @param coresPerExecutor task slots per executor
 * @param partitions source partitions (tasks per micro-batch)
 * @param podStartupSeconds pod start-up time of an executor on a ready node (mean)
 * @param podStartupJitterSeconds start-up varies uniformly by up to this much either way
 * @param nodeProvisionSeconds time for a new node, requested when executors do not fit
 * @param executorsPerNode executors one node holds
 * @param initialNodes nodes present at the start (never removed)
 * @param minExecutors lower bound of every policy's target
 * @param maxExecutors upper bound of every policy's target
 * @param initialExecutors executors ready at the start
 * @param targetLatencySeconds latency objective
 * @param pollSeconds Stoker's tick
 * @param decommissionSeconds a removed ready executor is billed this long before it is gone
 * @param nodeIdleSeconds an empty node beyond the initial ones is removed after this long
 * @param triggerIntervalSeconds micro-batch trigger interval; 0 = back-to-back batches, or
 *     continuous processing when {@code batchOverheadSeconds} is 0 too
 * @param batchOverheadSeconds fixed cost of each micro-batch (offsets, planning, commits), on no
 *     executor; with this and the trigger interval 0, processing is continuous
 * @param maxRecordsPerBatch most records one micro-batch reads (Kafka's {@code
 *     maxOffsetsPerTrigger}); 0 = no limit
 * @param seed seed of every random draw (same seed, same result)
 * @param placement how the scheduler picks a node for a pod among those with room
 */
public record Scenario(
    double executorRate,
    double executorRateNoise,
    int coresPerExecutor,
    int partitions,
    double podStartupSeconds,
    double podStartupJitterSeconds,
    double nodeProvisionSeconds,
    int executorsPerNode,
    int initialNodes,
    int minExecutors,
    int maxExecutors,
    int initialExecutors,
    double targetLatencySeconds,
    int pollSeconds,
    double decommissionSeconds,
    double nodeIdleSeconds,
    double triggerIntervalSeconds,
    double batchOverheadSeconds,
    int maxRecordsPerBatch,
    long seed,
    Placement placement) {

  /**
   * The most executors, and initial nodes, a scenario may have: an ExecutorAutoscaler's own bound.
   * The simulator keeps every executor and node as an object it visits each second.
   */
  public static final int MAX_EXECUTORS = 10_000;

  /**
   * How kube-scheduler places a pod among the ready nodes with room (its {@code NodeResourcesFit}
   * scoring strategy).
   */
  public enum Placement {
    /**
     * {@code LeastAllocated}, kube-scheduler's default: the node with the most free room, so pods
     * spread over the nodes.
     */
    SPREAD("spread"),
    /** {@code MostAllocated}: the fullest node that still has room, so pods pack onto few nodes. */
    PACK("pack");

    private final String key;

    Placement(String key) {
      this.key = key;
    }

    /** The scenario file's value. */
    public String key() {
      return key;
    }

    static Placement of(String key) throws InputException {
      for (Placement p : values()) {
        if (p.key.equals(key)) {
          return p;
        }
      }
      throw new InputException(
          "scenario key 'placement' must be \"spread\" or \"pack\", got \""
              + (key.length() <= 40 ? key : key.substring(0, 40) + "...")
              + "\"");
    }
  }

  public Scenario {
    java.util.Objects.requireNonNull(placement, "placement");
  }

  /** A scenario with the default placement ({@link Placement#SPREAD}). */
  public Scenario(
      double executorRate,
      double executorRateNoise,
      int coresPerExecutor,
      int partitions,
      double podStartupSeconds,
      double podStartupJitterSeconds,
      double nodeProvisionSeconds,
      int executorsPerNode,
      int initialNodes,
      int minExecutors,
      int maxExecutors,
      int initialExecutors,
      double targetLatencySeconds,
      int pollSeconds,
      double decommissionSeconds,
      double nodeIdleSeconds,
      double triggerIntervalSeconds,
      double batchOverheadSeconds,
      int maxRecordsPerBatch,
      long seed) {
    this(
        executorRate,
        executorRateNoise,
        coresPerExecutor,
        partitions,
        podStartupSeconds,
        podStartupJitterSeconds,
        nodeProvisionSeconds,
        executorsPerNode,
        initialNodes,
        minExecutors,
        maxExecutors,
        initialExecutors,
        targetLatencySeconds,
        pollSeconds,
        decommissionSeconds,
        nodeIdleSeconds,
        triggerIntervalSeconds,
        batchOverheadSeconds,
        maxRecordsPerBatch,
        seed,
        Placement.SPREAD);
  }

  /** The default scenario every benchmark uses unless it says otherwise. */
  public static Scenario defaults() {
    return new Scenario(
        1000, 0.05, 4, 128, 60, 15, 150, 4, 2, 1, 40, 2, 60, 10, 30, 600, 0, 0, 0, 42);
  }

  /**
   * True if records are processed in micro-batches (a trigger interval or a batch overhead), false
   * for continuous processing.
   */
  public boolean microBatches() {
    return triggerIntervalSeconds > 0 || batchOverheadSeconds > 0;
  }

  /** The scenario as an ordered map of its keys, as reports print it. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("executorRate", executorRate);
    m.put("executorRateNoise", executorRateNoise);
    m.put("coresPerExecutor", coresPerExecutor);
    m.put("partitions", partitions);
    m.put("podStartupSeconds", podStartupSeconds);
    m.put("podStartupJitterSeconds", podStartupJitterSeconds);
    m.put("nodeProvisionSeconds", nodeProvisionSeconds);
    m.put("executorsPerNode", executorsPerNode);
    m.put("initialNodes", initialNodes);
    m.put("minExecutors", minExecutors);
    m.put("maxExecutors", maxExecutors);
    m.put("initialExecutors", initialExecutors);
    m.put("targetLatencySeconds", targetLatencySeconds);
    m.put("pollSeconds", pollSeconds);
    m.put("decommissionSeconds", decommissionSeconds);
    m.put("nodeIdleSeconds", nodeIdleSeconds);
    m.put("triggerIntervalSeconds", triggerIntervalSeconds);
    m.put("batchOverheadSeconds", batchOverheadSeconds);
    m.put("maxRecordsPerBatch", maxRecordsPerBatch);
    m.put("seed", seed);
    m.put("placement", placement.key());
    return m;
  }

  /**
   * Builds a scenario from the defaults overridden by {@code values} (as parsed from JSON: numbers,
   * and the string {@code placement}).
   *
   * @throws InputException naming an unknown key, a value of the wrong type, or a broken rule
   */
  public static Scenario fromMap(Map<String, ?> values) throws InputException {
    Map<String, Object> m = defaults().toMap();
    for (Map.Entry<String, ?> e : values.entrySet()) {
      String key = e.getKey();
      if (!m.containsKey(key)) {
        throw new InputException(
            "unknown scenario key '" + key + "' (known: " + String.join(", ", m.keySet()) + ")");
      }
      Object v = e.getValue();
      if ("placement".equals(key)) {
        if (!(v instanceof String) && !(v instanceof Placement)) {
          throw new InputException(
              "scenario key 'placement' must be the string \"spread\" or \"pack\", got "
                  + describe(v));
        }
        m.put(key, v instanceof Placement p ? p.key() : v);
        continue;
      }
      if (!(v instanceof Number)) {
        throw new InputException("scenario key '" + key + "' must be a number, got " + describe(v));
      }
      Object old = m.get(key);
      Number n = (Number) v;
      if (!(old instanceof Double) && n.doubleValue() != Math.rint(n.doubleValue())) {
        throw new InputException("scenario key '" + key + "' must be a whole number, got " + n);
      }
      m.put(key, n);
    }
    Scenario s =
        new Scenario(
            num(m, "executorRate"),
            num(m, "executorRateNoise"),
            whole(m, "coresPerExecutor"),
            whole(m, "partitions"),
            num(m, "podStartupSeconds"),
            num(m, "podStartupJitterSeconds"),
            num(m, "nodeProvisionSeconds"),
            whole(m, "executorsPerNode"),
            whole(m, "initialNodes"),
            whole(m, "minExecutors"),
            whole(m, "maxExecutors"),
            whole(m, "initialExecutors"),
            num(m, "targetLatencySeconds"),
            whole(m, "pollSeconds"),
            num(m, "decommissionSeconds"),
            num(m, "nodeIdleSeconds"),
            num(m, "triggerIntervalSeconds"),
            num(m, "batchOverheadSeconds"),
            whole(m, "maxRecordsPerBatch"),
            ((Number) m.get("seed")).longValue(),
            Placement.of((String) m.get("placement")));
    List<String> errors = s.validate();
    if (!errors.isEmpty()) {
      throw new InputException("invalid scenario: " + String.join("; ", errors));
    }
    return s;
  }

  /** Every broken rule, each naming its key; empty when valid. */
  public List<String> validate() {
    List<String> errors = new ArrayList<>();
    positive(errors, "executorRate", executorRate);
    positive(errors, "coresPerExecutor", coresPerExecutor);
    positive(errors, "partitions", partitions);
    positive(errors, "executorsPerNode", executorsPerNode);
    positive(errors, "maxExecutors", maxExecutors);
    positive(errors, "targetLatencySeconds", targetLatencySeconds);
    positive(errors, "pollSeconds", pollSeconds);
    notNegative(errors, "executorRateNoise", executorRateNoise);
    notNegative(errors, "podStartupSeconds", podStartupSeconds);
    notNegative(errors, "podStartupJitterSeconds", podStartupJitterSeconds);
    notNegative(errors, "nodeProvisionSeconds", nodeProvisionSeconds);
    notNegative(errors, "initialNodes", initialNodes);
    notNegative(errors, "minExecutors", minExecutors);
    notNegative(errors, "initialExecutors", initialExecutors);
    notNegative(errors, "decommissionSeconds", decommissionSeconds);
    notNegative(errors, "nodeIdleSeconds", nodeIdleSeconds);
    notNegative(errors, "triggerIntervalSeconds", triggerIntervalSeconds);
    notNegative(errors, "batchOverheadSeconds", batchOverheadSeconds);
    notNegative(errors, "maxRecordsPerBatch", maxRecordsPerBatch);
    if (podStartupJitterSeconds > podStartupSeconds) {
      errors.add("podStartupJitterSeconds must be <= podStartupSeconds");
    }
    atMost(errors, "maxExecutors", maxExecutors, MAX_EXECUTORS);
    atMost(errors, "initialExecutors", initialExecutors, maxExecutors);
    atMost(errors, "initialNodes", initialNodes, MAX_EXECUTORS);
    if (minExecutors > maxExecutors) {
      errors.add(
          "minExecutors (" + minExecutors + ") must be <= maxExecutors (" + maxExecutors + ")");
    }
    if (executorRateNoise >= 1) {
      errors.add("executorRateNoise must be < 1, got " + executorRateNoise);
    }
    return List.copyOf(errors);
  }

  private static void positive(List<String> errors, String key, double v) {
    if (!(v > 0)) {
      errors.add(key + " must be > 0, got " + v);
    }
  }

  private static void atMost(List<String> errors, String key, double v, double most) {
    if (v > most) {
      errors.add(key + " must be <= " + Math.round(most) + ", got " + Math.round(v));
    }
  }

  private static void notNegative(List<String> errors, String key, double v) {
    if (!(v >= 0)) {
      errors.add(key + " must be >= 0, got " + v);
    }
  }

  private static double num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).doubleValue();
  }

  private static int whole(Map<String, Object> m, String key) {
    double v = ((Number) m.get(key)).doubleValue();
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
  }

  private static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return "the string \"" + v + "\"";
    }
    return v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }
}
