package io.stoker.app.k8s;

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
 */
public record ResolvedTarget(
    String namespace,
    String description,
    Optional<String> driverPod,
    Optional<String> driverHost,
    OptionalInt requested,
    Optional<ScaleRef> scaleRef,
    ExecutorCount executors,
    Map<String, String> executorSelector) {

  public ResolvedTarget {
    Objects.requireNonNull(namespace);
    Objects.requireNonNull(description);
    Objects.requireNonNull(driverPod);
    Objects.requireNonNull(driverHost);
    Objects.requireNonNull(requested);
    Objects.requireNonNull(scaleRef);
    Objects.requireNonNull(executors);
    executorSelector = Map.copyOf(executorSelector);
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
