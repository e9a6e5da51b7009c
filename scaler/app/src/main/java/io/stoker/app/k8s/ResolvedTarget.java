package io.stoker.app.k8s;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The object an autoscaler acts on, as found this tick.
 *
 * @param namespace its namespace
 * @param description for status and events, e.g. {@code pod/clickstream-driver}
 * @param driverPod the driver pod's name (driver targets)
 * @param driverHost the driver pod's IP, if it has one
 * @param requested the target in force: the driver pod's {@code stoker.io/target-executors}
 *     annotation, or the scale subresource's {@code spec.replicas}; empty if never set
 * @param scaleRef apiVersion/kind/name of a scale target
 * @param executors the executor pods counted
 * @param executorSelector equality labels that select its executor pods (empty: none known)
 * @param running its running executors and their nodes, for choosing which go on a scale-in (driver
 *     targets; empty for scale targets)
 */
public record ResolvedTarget(
    String namespace,
    String description,
    Optional<String> driverPod,
    Optional<String> driverHost,
    OptionalInt requested,
    Optional<ScaleRef> scaleRef,
    ExecutorCount executors,
    Map<String, String> executorSelector,
    Running running) {

  public ResolvedTarget {
    Objects.requireNonNull(namespace);
    Objects.requireNonNull(description);
    Objects.requireNonNull(driverPod);
    Objects.requireNonNull(driverHost);
    Objects.requireNonNull(requested);
    Objects.requireNonNull(scaleRef);
    Objects.requireNonNull(executors);
    executorSelector = Map.copyOf(executorSelector);
    Objects.requireNonNull(running);
  }

  /** A target whose executors' nodes are not known (scale targets, tests). */
  public ResolvedTarget(
      String namespace,
      String description,
      Optional<String> driverPod,
      Optional<String> driverHost,
      OptionalInt requested,
      Optional<ScaleRef> scaleRef,
      ExecutorCount executors,
      Map<String, String> executorSelector) {
    this(
        namespace,
        description,
        driverPod,
        driverHost,
        requested,
        scaleRef,
        executors,
        executorSelector,
        Running.UNKNOWN);
  }

  /**
   * Where the target's running executors are, as the informer cache shows them this tick.
   *
   * @param executors running executors (scheduled, not terminating, with a numeric Spark executor
   *     id) and their nodes
   * @param podsOnNode per node of those, the executor pods of every application on it (not
   *     terminating): a node empties only when all of them are gone
   */
  public record Running(List<Executor> executors, Map<String, Integer> podsOnNode) {
    /** Nothing known. */
    public static final Running UNKNOWN = new Running(List.of(), Map.of());

    public Running {
      executors = List.copyOf(executors);
      podsOnNode = Map.copyOf(podsOnNode);
    }

    /** A running executor: Spark's executor id and its node. */
    public record Executor(String id, String node) {}
  }

  /** An object with a /scale subresource. */
  public record ScaleRef(String apiVersion, String kind, String name) {}

  /** The outcome of resolving: the target, or why it was not found. */
  public sealed interface Lookup {
    /** Found. */
    record Found(ResolvedTarget target) implements Lookup {}

    /** Not found, with a sentence for the {@code TargetNotFound} condition. */
    record Missing(String message) implements Lookup {}

    /**
     * Several live driver pods match: none is acted on, with a sentence for the {@code
     * TargetConflict} condition (reason {@code AmbiguousSelector}).
     */
    record Ambiguous(String message) implements Lookup {}
  }
}
