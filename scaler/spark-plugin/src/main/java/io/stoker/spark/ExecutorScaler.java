package io.stoker.spark;

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
 * never removing more than the surplus. Runs on one thread only.
 */
final class ExecutorScaler {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorScaler.class);

  private final SparkContext sc;
  private final ExecutorTracker tracker;
  private final PluginMetrics metrics;
  private final boolean decommission;
  private final String decommissionMessage;
  private final Set<String> removing = new HashSet<>();
  private int requested = -1;
  private boolean unsupportedLogged;

  ExecutorScaler(
      SparkContext sc,
      ExecutorTracker tracker,
      PluginMetrics metrics,
      boolean decommission,
      String decommissionMessage) {
    this.sc = sc;
    this.tracker = tracker;
    this.metrics = metrics;
    this.decommission = decommission;
    this.decommissionMessage = decommissionMessage;
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
    List<String> chosen = tracker.removable(active);
    if (chosen.size() > surplus) {
      chosen = new ArrayList<>(chosen.subList(0, surplus));
    }
    if (chosen.isEmpty()) {
      LOG.debug("Stoker: {} executors above target {}, none idle yet", surplus, target);
      return;
    }
    List<String> done = remove(client, chosen);
    removing.addAll(done);
    metrics.removed.addAndGet(done.size());
    metrics.decommissioning.set(removing.size());
    LOG.info(
        "Stoker: {} executors {} to reach target {} ({} active)",
        decommission ? "decommissioning" : "killing",
        done,
        target,
        active.size());
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
