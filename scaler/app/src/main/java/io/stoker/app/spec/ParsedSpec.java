package io.stoker.app.spec;

import io.stoker.core.model.ScalingOptions;
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
 * @param signals adapter metadata per signal type ({@code kafka}, {@code spark}, {@code
 *     prometheus}); the Spark entry lacks {@code host}, which comes from the driver pod
 * @param kafkaSecret name of the Secret with Kafka client settings, if any
 */
public record ParsedSpec(
    Target target,
    Actuation actuation,
    ScalingOptions options,
    OptionalInt executorCores,
    Map<String, Map<String, String>> signals,
    Optional<String> kafkaSecret) {

  public ParsedSpec {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(actuation, "actuation");
    Objects.requireNonNull(options, "options");
    signals = Map.copyOf(signals);
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
