package io.stoker.sim;

import io.stoker.core.policy.ScaleInOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

/**
 * Replays a trace through one policy in 1 s steps: arrivals, executor start-up and node
 * provisioning delays, placeholder pods holding node room, the partition cap, capacity noise,
 * decommissioning, and exact FIFO latency from cumulative arrivals and processed records.
 * Deterministic for a given scenario seed: the capacity noise is drawn up front, so every policy
 * meets the same noise.
 */
public final class Simulator {
  private final Scenario scenario;

  public Simulator(Scenario scenario) {
    List<String> errors = scenario.validate();
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid scenario: " + String.join("; ", errors));
    }
    this.scenario = scenario;
  }

  public SimResult run(Trace trace, SimPolicy policy) {
    return run(trace, policy, 0);
  }

  /**
   * Replays the trace {@code history} times before the measured pass, the policy and the cluster
   * keeping their state throughout; the result covers the measured pass only.
   */
  public SimResult run(Trace trace, SimPolicy policy, int history) {
    if (history < 0) {
      throw new IllegalArgumentException("history must be >= 0, got " + history);
    }
    Trace played = history == 0 ? trace : trace.repeated(history + 1);
    return new Run(scenario, played, policy, history * trace.durationSeconds()).execute();
  }

  /** One replay; all mutable state lives here. */
  private static final class Run implements SimView {
    private final Scenario sc;
    private final Trace trace;
    private final SimPolicy policy;
    private final int duration;
    private final double[] noise;
    private final Random startupJitter;
    private final Cluster cluster;
    private final double[] arrived;
    private final double[] processed;
    private final double[] capacityHistory;
    private final double[] processedHistory;
    private final double[] busyHistory;
    private final double[] arrivalSeries;
    private final double[] backlogSeries;
    private final double[] latencySeries;
    private final int[] targetSeries;
    private final int[] readySeries;
    private final int[] billedSeries;
    private final int[] nodeSeries;
    private final int[] placeholderSeries;
    private int t;
    private int target;
    private int actions;
    private boolean behind;
    private final MicroBatches batches;
    private final int measureFrom;

    Run(Scenario sc, Trace trace, SimPolicy policy, int measureFrom) {
      this.sc = sc;
      this.trace = trace;
      this.policy = policy;
      this.measureFrom = measureFrom;
      this.duration = trace.durationSeconds();
      Random r = new Random(sc.seed());
      this.noise = new double[duration];
      for (int i = 0; i < duration; i++) {
        noise[i] = Math.max(0, 1 + sc.executorRateNoise() * r.nextGaussian());
      }
      this.startupJitter = new Random(sc.seed() * 31 + 7);
      this.cluster =
          new Cluster(sc, policy.instantExecutors(), this::startupSeconds, policy.removal());
      this.arrived = new double[duration + 1];
      this.processed = new double[duration + 1];
      this.capacityHistory = new double[duration];
      this.processedHistory = new double[duration];
      this.busyHistory = new double[duration];
      this.arrivalSeries = new double[duration];
      this.backlogSeries = new double[duration];
      this.latencySeries = new double[duration];
      this.targetSeries = new int[duration];
      this.readySeries = new int[duration];
      this.billedSeries = new int[duration];
      this.nodeSeries = new int[duration];
      this.placeholderSeries = new int[duration];
      this.batches =
          sc.microBatches()
              ? new MicroBatches(
                  sc.triggerIntervalSeconds(), sc.batchOverheadSeconds(), sc.maxRecordsPerBatch())
              : null;
      this.target = Math.max(0, policy.initialExecutors(sc));
      cluster.seed(target);
    }

    private double startupSeconds() {
      double j = sc.podStartupJitterSeconds();
      return sc.podStartupSeconds() + (j == 0 ? 0 : (startupJitter.nextDouble() * 2 - 1) * j);
    }

    SimResult execute() {
      for (t = 0; t < duration; t++) {
        OptionalInt decided = policy.decide(this);
        if (decided.isPresent()) {
          int next = Math.max(0, decided.getAsInt());
          if (next != target) {
            if (t >= measureFrom) {
              actions++;
            }
            target = next;
          }
        }
        cluster.reconcile(target, Math.max(0, policy.placeholders()), t);
        cluster.advance(t);
        step();
      }
      return summarise();
    }

    private void step() {
      double rate = trace.rateAt(t);
      double arrivals = rate;
      arrived[t + 1] = arrived[t] + arrivals;
      int slots = Math.min(cluster.ready() * sc.coresPerExecutor(), sc.partitions());
      double capacity = slots * sc.executorRate() / sc.coresPerExecutor() * noise[t];
      double backlogBefore = arrived[t] - processed[t];
      double done;
      double busy;
      boolean work;
      if (batches == null) {
        done = Math.min(backlogBefore + arrivals, capacity);
        busy = done;
      } else {
        MicroBatches.Second s = batches.process(t, backlogBefore, arrivals, capacity, slots);
        done = s.completedRecords();
        busy = s.busySeconds() * capacity;
      }
      processed[t + 1] = processed[t] + done;
      double backlog = arrived[t + 1] - processed[t + 1];
      if (batches == null) {
        behind = backlog > 1e-6;
        work = backlog + done > 1e-6;
      } else {
        // Tasks wait for a slot while a batch runs its tasks on fewer slots than partitions.
        behind = batches.runningTasks() && slots < sc.partitions();
        work = busy > 0;
      }
      cluster.markBusy(t, work);
      capacityHistory[t] = capacity;
      processedHistory[t] = done;
      busyHistory[t] = busy;
      arrivalSeries[t] = rate;
      backlogSeries[t] = backlog;
      latencySeries[t] = latencyAt(t + 1);
      targetSeries[t] = target;
      readySeries[t] = cluster.ready();
      billedSeries[t] = cluster.billed();
      nodeSeries[t] = cluster.nodes();
      placeholderSeries[t] = cluster.placedPlaceholders();
    }

    /**
     * Exact FIFO latency at time {@code s}: the oldest unprocessed record arrived at the time u
     * with A(u) = P(s), A linear within each second.
     */
    private double latencyAt(int s) {
      double p = processed[s];
      if (arrived[s] - p <= 1e-6) {
        return 0;
      }
      int lo = 0;
      int hi = s;
      while (lo < hi) {
        int mid = (lo + hi + 1) >>> 1;
        if (arrived[mid] <= p) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      double a0 = arrived[lo];
      double a1 = arrived[Math.min(lo + 1, s)];
      double u = a1 > a0 ? lo + (p - a0) / (a1 - a0) : lo;
      return Math.max(0, s - u);
    }

    private SimResult summarise() {
      double exec = 0;
      double nodes = 0;
      double placeholders = 0;
      int violations = 0;
      double maxLatency = 0;
      double maxBacklog = 0;
      double utilSum = 0;
      int utilCount = 0;
      for (int i = measureFrom; i < duration; i++) {
        exec += billedSeries[i];
        nodes += nodeSeries[i];
        placeholders += placeholderSeries[i];
        if (latencySeries[i] > sc.targetLatencySeconds()) {
          violations++;
        }
        maxLatency = Math.max(maxLatency, latencySeries[i]);
        maxBacklog = Math.max(maxBacklog, backlogSeries[i]);
        if (capacityHistory[i] > 0) {
          utilSum += Math.min(1, busyHistory[i] / capacityHistory[i]);
          utilCount++;
        }
      }
      int measured = duration - measureFrom;
      double[] sorted = Arrays.copyOfRange(latencySeries, measureFrom, duration);
      Arrays.sort(sorted);
      int rank = (int) Math.ceil(0.99 * measured) - 1;
      double p99 = measured == 0 ? 0 : sorted[Math.max(0, rank)];
      return new SimResult(
          policy.name(),
          policy.setting(),
          exec,
          placeholders,
          nodes,
          violations,
          p99,
          maxLatency,
          maxBacklog,
          actions,
          utilCount == 0 ? 0 : utilSum / utilCount,
          new SimResult.Series(
              measured(arrivalSeries),
              measured(backlogSeries),
              measured(latencySeries),
              measured(targetSeries),
              measured(readySeries),
              measured(billedSeries),
              measured(nodeSeries),
              measured(placeholderSeries)));
    }

    private double[] measured(double[] a) {
      return measureFrom == 0 ? a : Arrays.copyOfRange(a, measureFrom, a.length);
    }

    private int[] measured(int[] a) {
      return measureFrom == 0 ? a : Arrays.copyOfRange(a, measureFrom, a.length);
    }

    @Override
    public int second() {
      return t;
    }

    @Override
    public Scenario scenario() {
      return sc;
    }

    @Override
    public double arrivedRecords() {
      return arrived[t];
    }

    @Override
    public double processedRecords() {
      return processed[t];
    }

    @Override
    public double backlogRecords() {
      return arrived[t] - processed[t];
    }

    @Override
    public int target() {
      return target;
    }

    @Override
    public int readyExecutors() {
      return cluster.ready();
    }

    @Override
    public int pendingExecutors() {
      return cluster.pending();
    }

    @Override
    public int unschedulableExecutors() {
      return cluster.unschedulable();
    }

    @Override
    public int placeholders() {
      return cluster.placedPlaceholders();
    }

    @Override
    public int readyIdleFor(double seconds) {
      return cluster.readyIdleFor(t, seconds);
    }

    @Override
    public double busyFraction(int span) {
      double cap = 0;
      double done = 0;
      for (int i = Math.max(0, t - span); i < t; i++) {
        cap += capacityHistory[i];
        done += busyHistory[i];
      }
      return cap > 0 ? Math.min(1, done / cap) : 0;
    }

    @Override
    public boolean behind() {
      return behind;
    }

    @Override
    public boolean batchRunningTasks() {
      return batches != null && batches.runningTasks();
    }

    @Override
    public List<BatchProgress> batchesEndedSince(double since) {
      if (batches == null) {
        return List.of();
      }
      List<BatchProgress> all = batches.completed();
      int i = all.size();
      while (i > 0 && all.get(i - 1).endSecond() >= since) {
        i--;
      }
      return List.copyOf(all.subList(i, all.size()));
    }

    @Override
    public double trueArrivalRate() {
      return trace.rateAt(t);
    }

    @Override
    public double arrivedBy(int s) {
      return arrived[Math.max(0, Math.min(s, t))];
    }

    @Override
    public double processedBy(int s) {
      return processed[Math.max(0, Math.min(s, t))];
    }
  }

  /**
   * Executor pods, placeholder pods and nodes, with Cluster Autoscaler's on-demand node
   * provisioning. A placeholder holds one executor's room on a node; an executor that finds no free
   * room preempts a placeholder on a ready node at once and starts there after the pod start-up;
   * the preempted placeholder waits for a node like any unschedulable pod (Cluster Autoscaler adds
   * nodes for it). Placed placeholders are billed like executors and keep their nodes from being
   * removed.
   */
  static final class Cluster {
    enum State {
      WAITING_NODE,
      STARTING,
      READY,
      DECOMMISSIONING
    }

    static final class Executor {
      final int id;
      State state;
      double until;
      Node node;
      int lastBusy;

      Executor(int id) {
        this.id = id;
      }
    }

    static final class Node {
      final String name;
      final boolean permanent;
      double readyAt;
      int used;
      double emptySince = -1;

      Node(String name, boolean permanent, double readyAt) {
        this.name = name;
        this.permanent = permanent;
        this.readyAt = readyAt;
      }
    }

    private final Scenario sc;
    private final boolean instant;
    private final java.util.function.DoubleSupplier startup;
    private final List<Executor> executors = new ArrayList<>();
    private final List<Node> nodeList = new ArrayList<>();

    /** Placeholder pods: READY when placed on a node, WAITING_NODE otherwise. */
    private final List<Executor> placeholders = new ArrayList<>();

    private final SimPolicy.Removal removal;
    private final Random removalDraws;
    private int nextId;
    private int nextNode;

    Cluster(Scenario sc, boolean instant, java.util.function.DoubleSupplier startup) {
      this(sc, instant, startup, SimPolicy.Removal.IDLE_LONGEST);
    }

    Cluster(
        Scenario sc,
        boolean instant,
        java.util.function.DoubleSupplier startup,
        SimPolicy.Removal removal) {
      this.sc = sc;
      this.instant = instant;
      this.startup = startup;
      this.removal = removal;
      this.removalDraws = new Random(sc.seed() * 17 + 3);
      for (int i = 0; i < sc.initialNodes(); i++) {
        nodeList.add(newNode(true, 0));
      }
    }

    private Node newNode(boolean permanent, double readyAt) {
      // Zero-padded, so that names sort as the nodes were created.
      return new Node(String.format("node-%06d", nextNode++), permanent, readyAt);
    }

    /** Executors ready at second 0, with the nodes they need already there. */
    void seed(int n) {
      for (int i = 0; i < n; i++) {
        Executor e = new Executor(nextId++);
        e.state = State.READY;
        e.lastBusy = 0;
        if (!instant) {
          Node node = freeNode(0);
          if (node == null) {
            node = newNode(false, 0);
            nodeList.add(node);
          }
          place(e, node);
        }
        executors.add(e);
      }
    }

    void reconcile(int target, int t) {
      reconcile(target, 0, t);
    }

    void reconcile(int target, int wantedPlaceholders, int t) {
      int alive = 0;
      for (Executor e : executors) {
        if (e.state != State.DECOMMISSIONING) {
          alive++;
        }
      }
      for (int i = alive; i < target; i++) {
        Executor e = new Executor(nextId++);
        e.lastBusy = t;
        if (instant) {
          e.state = State.READY;
        } else {
          Node node = room(t);
          if (node == null) {
            e.state = State.WAITING_NODE;
          } else {
            place(e, node);
            e.state = State.STARTING;
            e.until = t + startup.getAsDouble();
          }
        }
        executors.add(e);
      }
      for (int i = target; i < alive; i++) {
        remove(victim(), t);
      }
      if (!instant) {
        holdPlaceholders(wantedPlaceholders, t);
        provisionNodes(t);
      }
    }

    /** Free room on a ready node, or the room of a placeholder preempted for it. */
    private Node room(int t) {
      Node node = freeNode(t);
      if (node != null) {
        return node;
      }
      for (int i = placeholders.size() - 1; i >= 0; i--) {
        Executor p = placeholders.get(i);
        if (p.state == State.READY && p.node.readyAt <= t) {
          node = p.node;
          release(p, t);
          p.state = State.WAITING_NODE;
          return node;
        }
      }
      return null;
    }

    /**
     * Creates or deletes placeholders to hold {@code wanted}: deletes waiting ones first, then the
     * newest placed; a new one takes free room or waits for a node.
     */
    private void holdPlaceholders(int wanted, int t) {
      while (placeholders.size() > wanted) {
        Executor victim = placeholders.get(placeholders.size() - 1);
        for (int i = placeholders.size() - 1; i >= 0; i--) {
          if (placeholders.get(i).state == State.WAITING_NODE) {
            victim = placeholders.get(i);
            break;
          }
        }
        release(victim, t);
        placeholders.remove(victim);
      }
      while (placeholders.size() < wanted) {
        Executor p = new Executor(nextId++);
        Node node = freeNode(t);
        if (node == null) {
          p.state = State.WAITING_NODE;
        } else {
          place(p, node);
          p.state = State.READY;
        }
        placeholders.add(p);
      }
    }

    /**
     * The next executor to remove, as the policy's {@link SimPolicy.Removal} picks it. Every order
     * but {@code HIGHEST_ORDINAL} takes pods waiting for a node first, then starting ones (newest
     * first), then a ready one.
     */
    private Executor victim() {
      Executor best = null;
      for (Executor e : executors) {
        if (e.state == State.DECOMMISSIONING) {
          continue;
        }
        if (removal == SimPolicy.Removal.HIGHEST_ORDINAL) {
          if (best == null || e.id > best.id) {
            best = e;
          }
        } else if (best == null
            || rank(e) < rank(best)
            || (rank(e) == rank(best) && better(e, best))) {
          best = e;
        }
      }
      if (best == null || best.state != State.READY || instant) {
        return best;
      }
      if (removal == SimPolicy.Removal.NODE_AWARE) {
        return nodeAware();
      }
      if (removal == SimPolicy.Removal.RANDOM) {
        List<Executor> ready = new ArrayList<>();
        for (Executor e : executors) {
          if (e.state == State.READY) {
            ready.add(e);
          }
        }
        return ready.get(removalDraws.nextInt(ready.size()));
      }
      return best;
    }

    /**
     * The first ready executor in {@link ScaleInOrder}'s order. A node's pods are those holding
     * room on it (placeholders too) except executors already decommissioning, which are leaving.
     */
    private Executor nodeAware() {
      java.util.Map<String, Integer> pods = new java.util.HashMap<>();
      for (Node n : nodeList) {
        pods.put(n.name, n.used);
      }
      List<ScaleInOrder.Executor> ready = new ArrayList<>();
      java.util.Map<String, Executor> byId = new java.util.HashMap<>();
      for (Executor e : executors) {
        if (e.state == State.DECOMMISSIONING && e.node != null) {
          pods.merge(e.node.name, -1, Integer::sum);
        } else if (e.state == State.READY) {
          String id = Integer.toString(e.id);
          ready.add(new ScaleInOrder.Executor(id, e.node == null ? "" : e.node.name));
          byId.put(id, e);
        }
      }
      return byId.get(ScaleInOrder.choose(ready, pods, 1).get(0));
    }

    private static int rank(Executor e) {
      switch (e.state) {
        case WAITING_NODE:
          return 0;
        case STARTING:
          return 1;
        default:
          return 2;
      }
    }

    private static boolean better(Executor a, Executor b) {
      if (a.state == State.READY && a.lastBusy != b.lastBusy) {
        return a.lastBusy < b.lastBusy;
      }
      return a.id > b.id;
    }

    private void remove(Executor e, int t) {
      if (e.state == State.READY && !instant && sc.decommissionSeconds() > 0) {
        e.state = State.DECOMMISSIONING;
        e.until = t + sc.decommissionSeconds();
      } else {
        release(e, t);
        executors.remove(e);
      }
    }

    private void release(Executor e, int t) {
      if (e.node != null) {
        e.node.used--;
        if (e.node.used == 0) {
          e.node.emptySince = t;
        }
        e.node = null;
      }
    }

    private void place(Executor e, Node node) {
      e.node = node;
      node.used++;
      node.emptySince = -1;
    }

    /**
     * The ready node with room that kube-scheduler's scoring prefers: the most free room ({@code
     * spread}, LeastAllocated) or the least ({@code pack}, MostAllocated); ties to the oldest node.
     */
    private Node freeNode(double t) {
      Node best = null;
      for (Node n : nodeList) {
        if (n.readyAt <= t && n.used < sc.executorsPerNode()) {
          if (best == null
              || (sc.placement() == Scenario.Placement.SPREAD
                  ? n.used < best.used
                  : n.used > best.used)) {
            best = n;
          }
        }
      }
      return best;
    }

    /** Cluster Autoscaler: enough new nodes for the pods that do not fit. */
    private void provisionNodes(int t) {
      int waiting = unschedulable();
      for (Executor p : placeholders) {
        if (p.state == State.WAITING_NODE) {
          waiting++;
        }
      }
      // Free room on every node counts, including nodes that became ready this second: advance()
      // places the waiting pods there right after this, so they need no further node.
      int coming = 0;
      for (Node n : nodeList) {
        coming += Math.max(0, sc.executorsPerNode() - n.used);
      }
      int short_ = waiting - coming;
      while (short_ > 0) {
        nodeList.add(newNode(false, t + sc.nodeProvisionSeconds()));
        short_ -= sc.executorsPerNode();
      }
    }

    void advance(int t) {
      for (Executor e : new ArrayList<>(executors)) {
        if (e.state == State.STARTING && e.until <= t) {
          e.state = State.READY;
          e.lastBusy = t;
        } else if (e.state == State.DECOMMISSIONING && e.until <= t) {
          release(e, t);
          executors.remove(e);
        }
      }
      for (Executor e : executors) {
        if (e.state == State.WAITING_NODE) {
          Node node = room(t);
          if (node == null) {
            break;
          }
          place(e, node);
          e.state = State.STARTING;
          e.until = t + startup.getAsDouble();
        }
      }
      placeWaitingPlaceholders(t);
      nodeList.removeIf(
          n ->
              !n.permanent
                  && n.used == 0
                  && n.readyAt <= t
                  && n.emptySince >= 0
                  && t - n.emptySince >= sc.nodeIdleSeconds());
      for (Node n : nodeList) {
        if (!n.permanent && n.used == 0 && n.emptySince < 0 && n.readyAt <= t) {
          n.emptySince = t;
        }
      }
    }

    /** Waiting placeholders take room left after the executors (they have the lowest priority). */
    private void placeWaitingPlaceholders(int t) {
      for (Executor p : placeholders) {
        if (p.state == State.WAITING_NODE) {
          Node node = freeNode(t);
          if (node == null) {
            return;
          }
          place(p, node);
          p.state = State.READY;
        }
      }
    }

    /** Records which ready executors ran tasks in second {@code t}. */
    void markBusy(int t, boolean work) {
      if (!work) {
        return;
      }
      int useful = (int) Math.ceil((double) sc.partitions() / sc.coresPerExecutor());
      int n = 0;
      for (Executor e : executors) {
        if (e.state == State.READY && n < useful) {
          e.lastBusy = t;
          n++;
        }
      }
    }

    int ready() {
      int n = 0;
      for (Executor e : executors) {
        if (e.state == State.READY) {
          n++;
        }
      }
      return n;
    }

    int pending() {
      int n = 0;
      for (Executor e : executors) {
        if (e.state == State.WAITING_NODE || e.state == State.STARTING) {
          n++;
        }
      }
      return n;
    }

    /** Executor pods that hold node room, and placed placeholders: what is paid for. */
    int billed() {
      int n = placedPlaceholders();
      for (Executor e : executors) {
        if (e.state != State.WAITING_NODE) {
          n++;
        }
      }
      return n;
    }

    /** Executor pods waiting for a node. */
    int unschedulable() {
      int n = 0;
      for (Executor e : executors) {
        if (e.state == State.WAITING_NODE) {
          n++;
        }
      }
      return n;
    }

    /** Placeholders placed on a node (holding room). */
    int placedPlaceholders() {
      int n = 0;
      for (Executor p : placeholders) {
        if (p.state == State.READY) {
          n++;
        }
      }
      return n;
    }

    int nodes() {
      if (instant) {
        return (int) Math.ceil((double) billed() / sc.executorsPerNode());
      }
      return nodeList.size();
    }

    int readyIdleFor(int t, double seconds) {
      int n = 0;
      for (Executor e : executors) {
        if (e.state == State.READY && t - e.lastBusy >= seconds) {
          n++;
        }
      }
      return n;
    }
  }
}
