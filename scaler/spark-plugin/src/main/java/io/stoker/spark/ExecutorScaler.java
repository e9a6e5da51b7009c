package io.stoker.spark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.ExecutorAllocationClient;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.ExecutorDecommissionInfo;
import org.apache.spark.scheduler.SchedulerBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Applies a target executor count inside the driver. Scale-up and scale-down both start with an
 * absolute {@code requestTotalExecutors(target)}; scale-down then picks surplus executors that hold
 * no running task and no needed data and decommissions them gracefully (or kills them when {@code
 * spark.decommission.enabled} is off), never leaving fewer active executors than the target and
 * never removing more than the surplus. Executors the controller prefers (so that nodes empty) go
 * first; a preferred executor still running tasks is waited for up to {@code preferredWait}, then
 * the plugin's own choice fills in (one holding needed data is not waited for). {@link #apply} runs
 * on one thread only.
 */
final class ExecutorScaler {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorScaler.class);

  private final SparkContext sc;
  private final ExecutorTracker tracker;
  private final PluginMetrics metrics;
  private final boolean decommission;
  private final String decommissionMessage;
  private final Set<String> removing = new HashSet<>();
  private final long preferredWaitNanos;
  private int requested = -1;
  private boolean unsupportedLogged;

  /** The controller's preferred executors and when they arrived ({@link System#nanoTime}). */
  private record Preference(List<String> ids, long since) {}

  private volatile Preference preference = new Preference(List.of(), 0);

  ExecutorScaler(
      SparkContext sc,
      ExecutorTracker tracker,
      PluginMetrics metrics,
      boolean decommission,
      String decommissionMessage,
      Duration preferredWait) {
    this.sc = sc;
    this.tracker = tracker;
    this.metrics = metrics;
    this.decommission = decommission;
    this.decommissionMessage = decommissionMessage;
    this.preferredWaitNanos = preferredWait.toNanos();
  }

  /** The executors the controller prefers for the next scale-downs (any thread). */
  void prefer(List<String> ids) {
    preference = new Preference(List.copyOf(ids), System.nanoTime());
  }

  /**
   * The executors to remove this round, at most {@code surplus}: the safe preferred ones in the
   * controller's order, then the plugin's own choice from {@code safe}. A preferred executor in
   * {@code waitFor} (one that is only running tasks, while the wait lasts) keeps its place: no
   * other executor is removed in its stead this round. One that holds needed data is not waited
   * for: it may hold it for long.
   *
   * @param surplus active executors above the target
   * @param safe the executors that can be removed now, in the plugin's own order
   * @param preferred the controller's preferred ids, best first
   * @param active the active executors
   * @param waitFor executors worth waiting for; empty once the wait is over
   */
  static List<String> choose(
      int surplus,
      List<String> safe,
      List<String> preferred,
      Set<String> active,
      Set<String> waitFor) {
    List<String> chosen = new ArrayList<>();
    int busyPreferred = 0;
    Set<String> safeSet = new HashSet<>(safe);
    for (String id : preferred) {
      if (!active.contains(id)) {
        continue;
      }
      if (safeSet.contains(id)) {
        if (chosen.size() < surplus) {
          chosen.add(id);
        }
      } else if (waitFor.contains(id)) {
        busyPreferred++;
      }
    }
    int held = Math.min(busyPreferred, Math.max(0, surplus - chosen.size()));
    for (String id : safe) {
      if (chosen.size() + held >= surplus) {
        break;
      }
      if (!chosen.contains(id)) {
        chosen.add(id);
      }
    }
    return chosen;
  }

  /** The allocation client, or null while the scheduler is not up or cannot change executors. */
  private ExecutorAllocationClient client() {
    SchedulerBackend backend = sc.schedulerBackend();
    if (backend == null) {
      return null;
    }
    if (backend instanceof ExecutorAllocationClient c) {
      metrics.actuationSupported.set(1);
      return c;
    }
    metrics.actuationSupported.set(0);
    if (!unsupportedLogged) {
      unsupportedLogged = true;
      LOG.warn(
          "Stoker: the scheduler backend {} cannot change executors (local mode?); targets are"
              + " validated and published but not applied",
          backend.getClass().getName());
    }
    return null;
  }

  /** Whether the scheduler backend is up (actuation may still be unsupported). */
  boolean ready() {
    return sc.schedulerBackend() != null;
  }

  /**
   * Seeds the backend's absolute target with what Spark itself started with (the larger of the
   * configured instance count and the executors already registered), so no later call is relative
   * to an empty target map.
   */
  void seed(int configuredInstances) {
    ExecutorAllocationClient client = client();
    if (client == null) {
      return;
    }
    int seed = Math.max(configuredInstances, activeExecutors(client).size());
    if (seed > 0 && request(seed)) {
      LOG.info("Stoker: seeded the executor target with the current count {}", seed);
    }
  }

  /** One reconcile step towards {@code target}. */
  void apply(int target) {
    ExecutorAllocationClient client = client();
    if (client == null) {
      return;
    }
    if (target != requested && !request(target)) {
      return;
    }
    Set<String> active = activeExecutors(client);
    removing.retainAll(tracker.executors());
    metrics.activeExecutors.set(active.size());
    metrics.decommissioning.set(removing.size());
    int surplus = active.size() - target;
    if (surplus <= 0) {
      return;
    }
    Preference p = preference;
    Set<String> waitFor =
        System.nanoTime() - p.since() < preferredWaitNanos
            ? active.stream()
                .filter(id -> tracker.runningTasks(id) > 0 && !tracker.holdsNeededData(id))
                .collect(Collectors.toSet())
            : Set.of();
    List<String> chosen = choose(surplus, tracker.removable(active), p.ids(), active, waitFor);
    if (chosen.isEmpty()) {
      LOG.debug("Stoker: {} executors above target {}, none idle yet", surplus, target);
      return;
    }
    List<String> done = remove(client, chosen);
    removing.addAll(done);
    metrics.removed.addAndGet(done.size());
    metrics.decommissioning.set(removing.size());
    long preferredDone = done.stream().filter(p.ids()::contains).count();
    LOG.info(
        "Stoker: {} executors {} to reach target {} ({} active, {} of them preferred by the"
            + " controller)",
        decommission ? "decommissioning" : "killing",
        done,
        target,
        active.size(),
        preferredDone);
  }

  private boolean request(int target) {
    boolean ok =
        sc.requestTotalExecutors(target, 0, scala.collection.immutable.Map$.MODULE$.empty());
    if (ok) {
      requested = target;
      metrics.appliedTarget.set(target);
      LOG.info("Stoker: requested {} executors in total", target);
    } else {
      metrics.actuationErrors.incrementAndGet();
      LOG.warn("Stoker: the cluster manager did not acknowledge a total of {} executors", target);
    }
    return ok;
  }

  private List<String> remove(ExecutorAllocationClient client, List<String> ids) {
    if (decommission) {
      @SuppressWarnings({"unchecked", "rawtypes"}) // generic array of Scala tuples
      Tuple2<String, ExecutorDecommissionInfo>[] batch = new Tuple2[ids.size()];
      for (int i = 0; i < ids.size(); i++) {
        batch[i] =
            new Tuple2<>(
                ids.get(i), new ExecutorDecommissionInfo(decommissionMessage, Option.empty()));
      }
      // The target was already set absolutely: do not let the backend adjust it again.
      return CollectionConverters.asJava(client.decommissionExecutors(batch, false, false));
    }
    return CollectionConverters.asJava(
        client.killExecutors(CollectionConverters.asScala(ids).toList(), false, false, false));
  }

  private Set<String> activeExecutors(ExecutorAllocationClient client) {
    return tracker.executors().stream()
        .filter(id -> client == null || client.isExecutorActive(id))
        .collect(Collectors.toSet());
  }
}
