package io.stoker.app.k8s.capacity;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.stoker.adapters.spark.SparkExecutorStates.ExecutorState;
import io.stoker.app.capacity.CapacityCondition;
import io.stoker.app.capacity.EvictionHysteresis;
import io.stoker.app.k8s.WriteGuard;
import io.stoker.app.k8s.WriteRefused;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shuffle-aware eviction annotations ({@code spec.capacity.protectShuffle}): executors that run
 * tasks, hold cached blocks or wrote shuffle data recently get {@code
 * cluster-autoscaler.kubernetes.io/safe-to-evict: "false"} (and {@code karpenter.sh/do-not-disrupt:
 * "true"} when enabled); executors idle for the whole hold get {@code "true"}, so that their nodes
 * can be consolidated (Spark executor pods are owned by the driver Pod, which Cluster Autoscaler
 * does not count as a controller: unannotated, they block scale-down). Decided from the driver's
 * per-executor metrics; when they cannot be read nothing is written. Blocking; writes go through
 * the {@link WriteGuard} (JSON merge patches of the annotations).
 */
public final class ShuffleProtection {
  /** Spark's executor id label on executor pods. */
  static final String EXEC_ID = "spark-exec-id";

  private final KubernetesClient client;
  private final WriteGuard guard;
  private final Clock clock;
  private final ExecutorStatesSource source;
  private final Duration hold;
  private final boolean doNotDisrupt;
  private final Map<String, Map<String, Track>> tracks = new ConcurrentHashMap<>();

  private static final class Track {
    final Instant firstSeen;
    Instant lastActive;
    long shuffleWritten = -1;
    Optional<Boolean> written = Optional.empty();

    Track(Instant firstSeen) {
      this.firstSeen = firstSeen;
    }
  }

  /**
   * The outcome for one autoscaler.
   *
   * @param protectedExecutors executor pods carrying safe-to-evict "false" after this tick
   * @param condition {@code ShuffleProtected}
   */
  public record Result(int protectedExecutors, CapacityCondition condition) {}

  public ShuffleProtection(
      KubernetesClient client,
      WriteGuard guard,
      Clock clock,
      ExecutorStatesSource source,
      Duration hold,
      boolean doNotDisrupt) {
    this.client = client;
    this.guard = guard;
    this.clock = clock;
    this.source = source;
    this.hold = hold;
    this.doNotDisrupt = doNotDisrupt;
  }

  /**
   * Annotates the executor pods of one autoscaler.
   *
   * @param key {@code namespace/name}
   * @param executors its live executor pods (from the informer cache)
   * @param driverHost the driver's address, if known
   * @param port the driver UI port
   */
  public Result reconcile(String key, List<Pod> executors, Optional<String> driverHost, int port) {
    Instant now = clock.instant();
    Optional<Map<String, ExecutorState>> states = driverHost.flatMap(h -> source.read(h, port));
    if (states.isEmpty()) {
      return new Result(
          count(executors),
          condition(
              false,
              "ExecutorMetricsUnavailable",
              "the driver's /metrics/executors/prometheus could not be read: annotations left"
                  + " as they are"));
    }
    Map<String, Track> mine = tracks.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
    Map<String, Track> next = new HashMap<>();
    int protect = 0;
    String problem = "";
    for (Pod p : executors) {
      String name = p.getMetadata().getName();
      String id = label(p, EXEC_ID);
      ExecutorState s = id == null ? null : states.get().get(id);
      Track t = mine.getOrDefault(name, new Track(now));
      next.put(name, t);
      Optional<Boolean> applied = t.written.isPresent() ? t.written : applied(p);
      if (s != null) {
        boolean wrote = t.shuffleWritten >= 0 && s.shuffleWriteBytes() > t.shuffleWritten;
        t.shuffleWritten = s.shuffleWriteBytes();
        if (s.activeTasks() > 0 || s.rddBlocks() > 0 || s.diskUsedBytes() > 0 || wrote) {
          t.lastActive = now;
        }
        Optional<Boolean> write =
            EvictionHysteresis.decide(
                applied, Optional.ofNullable(t.lastActive), t.firstSeen, now, hold);
        if (write.isPresent() && problem.isEmpty()) {
          try {
            annotate(key, p, write.get());
            applied = write;
            t.written = write;
          } catch (WriteRefused e) {
            problem = e.why() == WriteRefused.Why.NOT_LEADER ? "standby" : e.getMessage();
          }
        }
      }
      if (applied.equals(Optional.of(true))) {
        protect++;
      }
    }
    mine.keySet().retainAll(next.keySet());
    mine.putAll(next);
    return new Result(
        protect,
        condition(
            true,
            "Annotated",
            protect
                + " of "
                + executors.size()
                + " executors protected from node scale-down"
                + (problem.isEmpty() ? "" : "; " + problem + "; continued next tick")));
  }

  private static int count(List<Pod> executors) {
    return (int) executors.stream().filter(p -> applied(p).equals(Optional.of(true))).count();
  }

  /** True when the pod carries safe-to-evict "false", false for "true", else empty. */
  static Optional<Boolean> applied(Pod p) {
    Map<String, String> a = p.getMetadata().getAnnotations();
    String v = a == null ? null : a.get(CapacityLabels.SAFE_TO_EVICT);
    return "false".equals(v)
        ? Optional.of(true)
        : "true".equals(v) ? Optional.of(false) : Optional.empty();
  }

  private void annotate(String key, Pod p, boolean protect) {
    String karpenter =
        doNotDisrupt
            ? ",\"" + CapacityLabels.DO_NOT_DISRUPT + "\":" + (protect ? "\"true\"" : "null")
            : "";
    String patch =
        "{\"metadata\":{\"annotations\":{\""
            + CapacityLabels.SAFE_TO_EVICT
            + "\":\""
            + !protect
            + "\""
            + karpenter
            + "}}}";
    guard.write(
        key,
        "eviction",
        () ->
            client
                .pods()
                .inNamespace(p.getMetadata().getNamespace())
                .withName(p.getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch));
  }

  private static String label(Pod p, String k) {
    Map<String, String> l = p.getMetadata().getLabels();
    return l == null ? null : l.get(k);
  }

  private static CapacityCondition condition(boolean ok, String reason, String message) {
    return new CapacityCondition(CapacityCondition.SHUFFLE_PROTECTED, ok, reason, message);
  }

  /** Forgets a deleted autoscaler. */
  public void forget(String key) {
    tracks.remove(key);
  }
}
