package io.stoker.app.spec;

import io.stoker.adapters.spi.SignalConfig;
import io.stoker.core.model.ScalingOptions;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A validated {@code ExecutorAutoscaler} spec in the types the controller works with.
 *
 * @param target what to scale
 * @param actuation how to apply the target
 * @param options the decision core's options
 * @param executorCores cores per executor if the spec sets them
 * @param signals the validated config of each signal adapter, in the order kafka, spark,
 *     prometheus; the Spark config has no host yet, which comes from the driver pod
 * @param kafkaSecret name of the Secret with Kafka client settings, if any
 * @param capacity the capacity hints for the node autoscaler ({@code spec.capacity})
 */
public record ParsedSpec(
    Target target,
    Actuation actuation,
    ScalingOptions options,
    OptionalInt executorCores,
    List<SignalConfig> signals,
    Optional<String> kafkaSecret,
    Capacity capacity) {

  public ParsedSpec {
    Objects.requireNonNull(capacity, "capacity");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(actuation, "actuation");
    Objects.requireNonNull(options, "options");
    signals = List.copyOf(signals);
  }

  /** The config of the signal whose record is {@code type}, if the spec has that signal. */
  public <C extends SignalConfig> Optional<C> signal(Class<C> type) {
    return signals.stream().filter(type::isInstance).map(type::cast).findFirst();
  }

  /**
   * {@code spec.capacity}, validated.
   *
   * @param placeholders keep low-priority placeholder pods shaped like the executors
   * @param headroomExecutors placeholders kept beyond the demand ({@code >= 0})
   * @param priorityClassName the placeholders' PriorityClass
   * @param provisioningRequest ask the cluster autoscaler for capacity ahead of a scale-up
   * @param provisioningClassName the ProvisioningRequest class
   * @param protectShuffle annotate executors so that busy ones are not evicted by node scale-down
   */
  public record Capacity(
      boolean placeholders,
      int headroomExecutors,
      String priorityClassName,
      boolean provisioningRequest,
      String provisioningClassName,
      boolean protectShuffle) {
    public static final String DEFAULT_PRIORITY_CLASS = "stoker-placeholder";
    public static final String CHECK_CAPACITY = "check-capacity.autoscaling.x-k8s.io";
    public static final String ATOMIC_SCALE_UP = "best-effort-atomic-scale-up.autoscaling.x-k8s.io";

    /** Every capacity feature off. */
    public static final Capacity NONE =
        new Capacity(false, 0, DEFAULT_PRIORITY_CLASS, false, CHECK_CAPACITY, false);

    public Capacity {
      Objects.requireNonNull(priorityClassName, "priorityClassName");
      Objects.requireNonNull(provisioningClassName, "provisioningClassName");
    }

    /** True when some capacity feature is on. */
    public boolean any() {
      return placeholders || provisioningRequest || protectShuffle;
    }
  }

  /** How the decided target is applied. */
  public enum Actuation {
    DRIVER_PLUGIN,
    SCALE,
    NONE
  }

  /** The three kinds of target. */
  public sealed interface Target {
    /** A Spark Operator SparkApplication in the autoscaler's namespace. */
    record SparkApplication(String name) implements Target {}

    /** The driver pod chosen by equality label selectors. */
    record DriverSelector(Map<String, String> matchLabels) implements Target {
      public DriverSelector {
        matchLabels = Map.copyOf(matchLabels);
      }
    }

    /** An object with a /scale subresource. */
    record ScaleRef(String apiVersion, String kind, String name) implements Target {}
  }
}
