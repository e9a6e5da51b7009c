package io.stoker.app.spec;

import io.stoker.adapters.kafka.KafkaLagConfig;
import io.stoker.adapters.promql.PromQueryConfig;
import io.stoker.adapters.spark.SparkDriverConfig;
import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.SignalConfig;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec.StepBehavior;
import io.stoker.core.model.ScalingOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Turns an {@code ExecutorAutoscaler} spec into a {@link ParsedSpec}, or into the list of every
 * problem, each message naming the field as the user wrote it (for example {@code
 * behavior.scaleDown.stabilizationWindow}). Pure: no I/O.
 */
public final class SpecParser {
  private SpecParser() {}

  /** The parse result: a spec, or the problems (never both). */
  public record Result(Optional<ParsedSpec> spec, List<String> errors) {
    public Result {
      errors = List.copyOf(errors);
    }

    public boolean valid() {
      return spec.isPresent();
    }
  }

  public static Result parse(ExecutorAutoscalerSpec spec) {
    List<String> errors = new ArrayList<>();
    if (spec == null) {
      return new Result(Optional.empty(), List.of("spec is required"));
    }
    ParsedSpec.Target target = target(spec.target, errors);
    ParsedSpec.Actuation actuation = actuation(spec, target, errors);
    ScalingOptions options = options(spec, errors);
    OptionalInt cores = OptionalInt.empty();
    if (spec.executorCores != null) {
      if (spec.executorCores < 1) {
        errors.add("executorCores must be >= 1, got " + spec.executorCores);
      } else if (spec.executorCores > SpecLimits.EXECUTOR_CORES) {
        errors.add(
            "executorCores must be <= "
                + SpecLimits.EXECUTOR_CORES
                + ", got "
                + spec.executorCores);
      } else {
        cores = OptionalInt.of(spec.executorCores);
      }
    }
    List<SignalConfig> signals = signals(spec.signals, errors);
    Optional<String> secret =
        Optional.ofNullable(spec.signals)
            .map(s -> s.kafka)
            .map(k -> k.authSecretRef)
            .map(r -> r.name);
    ParsedSpec.Capacity capacity = capacity(spec.capacity, options.maxExecutors(), errors);
    if (!errors.isEmpty()) {
      return new Result(Optional.empty(), errors);
    }
    return new Result(
        Optional.of(new ParsedSpec(target, actuation, options, cores, signals, secret, capacity)),
        errors);
  }

  /**
   * The target an autoscaler writes to: its target when valid and its actuation is not {@code None}
   * (a recommend-only autoscaler writes nothing, so it shares its target with anyone). Cheap: the
   * controller asks it of every autoscaler on every tick to find those that share a target.
   */
  public static Optional<ParsedSpec.Target> actingTarget(ExecutorAutoscalerSpec spec) {
    if (spec == null || spec.actuation == ExecutorAutoscalerSpec.Actuation.None) {
      return Optional.empty();
    }
    return Optional.ofNullable(target(spec.target, new ArrayList<>()));
  }

  private static ParsedSpec.Capacity capacity(
      ExecutorAutoscalerSpec.Capacity c, int maxExecutors, List<String> errors) {
    ParsedSpec.Capacity d = ParsedSpec.Capacity.NONE;
    if (c == null) {
      return d;
    }
    boolean placeholders = false;
    int headroom = 0;
    String priorityClass = d.priorityClassName();
    if (c.placeholders != null) {
      placeholders = Boolean.TRUE.equals(c.placeholders.enabled);
      if (c.placeholders.headroomExecutors != null) {
        headroom = c.placeholders.headroomExecutors;
        if (headroom < 0) {
          errors.add("capacity.placeholders.headroomExecutors must be >= 0, got " + headroom);
        } else if (headroom > maxExecutors) {
          errors.add(
              "capacity.placeholders.headroomExecutors must be <= maxExecutors ("
                  + maxExecutors
                  + "), got "
                  + headroom);
        }
      }
      if (c.placeholders.priorityClassName != null) {
        priorityClass = c.placeholders.priorityClassName;
        if (blank(priorityClass)) {
          errors.add("capacity.placeholders.priorityClassName must not be empty");
        }
      }
    }
    boolean provisioning = false;
    String className = d.provisioningClassName();
    if (c.provisioningRequest != null) {
      provisioning = Boolean.TRUE.equals(c.provisioningRequest.enabled);
      if (c.provisioningRequest.className != null) {
        className = c.provisioningRequest.className;
        if (!className.equals(ParsedSpec.Capacity.CHECK_CAPACITY)
            && !className.equals(ParsedSpec.Capacity.ATOMIC_SCALE_UP)) {
          errors.add(
              "capacity.provisioningRequest.className must be "
                  + ParsedSpec.Capacity.CHECK_CAPACITY
                  + " or "
                  + ParsedSpec.Capacity.ATOMIC_SCALE_UP
                  + ", got '"
                  + className
                  + "'");
        }
      }
    }
    return new ParsedSpec.Capacity(
        placeholders,
        Math.max(0, headroom),
        priorityClass,
        provisioning,
        className,
        Boolean.TRUE.equals(c.protectShuffle));
  }

  private static ParsedSpec.Target target(ExecutorAutoscalerSpec.Target t, List<String> errors) {
    if (t == null) {
      errors.add("target is required (one of sparkApplication, driverSelector, scaleTargetRef)");
      return null;
    }
    int set =
        (t.sparkApplication != null ? 1 : 0)
            + (t.driverSelector != null ? 1 : 0)
            + (t.scaleTargetRef != null ? 1 : 0);
    if (set != 1) {
      errors.add(
          "target must set exactly one of sparkApplication, driverSelector, scaleTargetRef; got "
              + set);
      return null;
    }
    if (t.sparkApplication != null) {
      return blank(t.sparkApplication)
          ? fail(errors, "target.sparkApplication must not be empty")
          : new ParsedSpec.Target.SparkApplication(t.sparkApplication);
    }
    if (t.driverSelector != null) {
      Map<String, String> labels = t.driverSelector.matchLabels;
      return labels == null || labels.isEmpty()
          ? fail(errors, "target.driverSelector.matchLabels must name at least one label")
          : new ParsedSpec.Target.DriverSelector(labels);
    }
    ExecutorAutoscalerSpec.ScaleTargetRef r = t.scaleTargetRef;
    if (blank(r.apiVersion) || blank(r.kind) || blank(r.name)) {
      return fail(errors, "target.scaleTargetRef needs apiVersion, kind and name");
    }
    return new ParsedSpec.Target.ScaleRef(r.apiVersion, r.kind, r.name);
  }

  private static ParsedSpec.Actuation actuation(
      ExecutorAutoscalerSpec spec, ParsedSpec.Target target, List<String> errors) {
    ExecutorAutoscalerSpec.Actuation a =
        spec.actuation != null
            ? spec.actuation
            : target instanceof ParsedSpec.Target.ScaleRef
                ? ExecutorAutoscalerSpec.Actuation.Scale
                : ExecutorAutoscalerSpec.Actuation.DriverPlugin;
    boolean scaleRef = target instanceof ParsedSpec.Target.ScaleRef;
    if (a == ExecutorAutoscalerSpec.Actuation.Scale && target != null && !scaleRef) {
      errors.add("actuation Scale needs target.scaleTargetRef");
    }
    if (a == ExecutorAutoscalerSpec.Actuation.DriverPlugin && scaleRef) {
      errors.add("actuation DriverPlugin needs target.sparkApplication or target.driverSelector");
    }
    return switch (a) {
      case DriverPlugin -> ParsedSpec.Actuation.DRIVER_PLUGIN;
      case Scale -> ParsedSpec.Actuation.SCALE;
      case None -> ParsedSpec.Actuation.NONE;
    };
  }

  private static ScalingOptions options(ExecutorAutoscalerSpec spec, List<String> errors) {
    ScalingOptions.Builder b = ScalingOptions.defaults().toBuilder();
    ScalingOptions d = ScalingOptions.defaults();
    b.bounds(
        spec.minExecutors != null ? spec.minExecutors : d.minExecutors(),
        spec.maxExecutors != null ? spec.maxExecutors : d.maxExecutors());
    atMost("minExecutors", spec.minExecutors, SpecLimits.EXECUTORS, errors);
    atMost("maxExecutors", spec.maxExecutors, SpecLimits.EXECUTORS, errors);
    if (spec.objective != null) {
      duration(
          spec.objective.targetLatency,
          "objective.targetLatency",
          SpecLimits.TARGET_LATENCY,
          errors,
          b::targetLatency);
      if (spec.objective.targetUtilization != null) {
        b.targetUtilization(spec.objective.targetUtilization);
      }
    }
    if (spec.behavior != null) {
      if (spec.behavior.tolerance != null) {
        b.tolerance(spec.behavior.tolerance);
      }
      b.scaleUp(behavior(spec.behavior.scaleUp, "behavior.scaleUp", d.scaleUp(), errors));
      b.scaleDown(behavior(spec.behavior.scaleDown, "behavior.scaleDown", d.scaleDown(), errors));
    }
    ScalingOptions options = b.build();
    errors.addAll(options.validate());
    return options;
  }

  private static ScalingOptions.Behavior behavior(
      StepBehavior s, String field, ScalingOptions.Behavior base, List<String> errors) {
    if (s == null) {
      return base;
    }
    ScalingOptions.Behavior[] out = {base};
    duration(
        s.stabilizationWindow,
        field + ".stabilizationWindow",
        SpecLimits.WINDOW,
        errors,
        w -> out[0] = out[0].withWindow(w));
    if (s.maxStepPercent != null) {
      atMost(field + ".maxStepPercent", s.maxStepPercent, SpecLimits.STEP_PERCENT, errors);
      out[0] = out[0].withMaxStepPercent(s.maxStepPercent);
    }
    if (s.maxStepExecutors != null) {
      atMost(field + ".maxStepExecutors", s.maxStepExecutors, SpecLimits.EXECUTORS, errors);
      out[0] = out[0].withMaxStepExecutors(s.maxStepExecutors);
    }
    return out[0];
  }

  /** A duration of at most {@code max}, as written (the error names the field). */
  private static void duration(
      String text, String field, Duration max, List<String> errors, Consumer<Duration> set) {
    if (text == null) {
      return;
    }
    try {
      Duration d = DurationText.parse(text);
      if (d.compareTo(max) > 0) {
        errors.add(field + " must be at most " + DurationText.format(max) + ", got " + text);
      } else {
        set.accept(d);
      }
    } catch (IllegalArgumentException e) {
      errors.add(field + ": " + e.getMessage());
    }
  }

  private static void atMost(String field, Number value, long max, List<String> errors) {
    if (value != null && value.longValue() > max) {
      errors.add(field + " must be <= " + max + ", got " + value);
    }
  }

  private static List<SignalConfig> signals(ExecutorAutoscalerSpec.Signals s, List<String> errors) {
    List<SignalConfig> out = new ArrayList<>();
    if (s == null || (s.kafka == null && s.spark == null && s.prometheus == null)) {
      errors.add("signals must configure at least one of kafka, spark, prometheus");
      return out;
    }
    if (s.kafka != null) {
      kafka(s.kafka, errors).ifPresent(out::add);
    }
    if (s.spark != null) {
      ExecutorAutoscalerSpec.SparkSignal k = s.spark;
      // The decision core reads no Spark task backlog (Observation.taskBacklog is reserved for
      // batch sizing): the REST stages cost two more requests per driver and tick for nothing.
      check(
              "signals.spark",
              errors,
              () -> SparkDriverConfig.ofDriver(k.port, k.path, k.metricsNamespace, false))
          .ifPresent(out::add);
    }
    if (s.prometheus != null) {
      ExecutorAutoscalerSpec.PrometheusSignal p = s.prometheus;
      check(
              "signals.prometheus",
              errors,
              () -> PromQueryConfig.of(p.serverAddress, p.query, p.threshold))
          .ifPresent(out::add);
    }
    return out;
  }

  private static Optional<KafkaLagConfig> kafka(
      ExecutorAutoscalerSpec.KafkaSignal k, List<String> errors) {
    List<String> topics = k.topics == null ? List.of() : k.topics;
    int before = errors.size();
    atMost("signals.kafka.lagThreshold", k.lagThreshold, SpecLimits.LAG_RECORDS, errors);
    atMost(
        "signals.kafka.activationLagThreshold",
        k.activationLagThreshold,
        SpecLimits.LAG_RECORDS,
        errors);
    if (topics.size() > SpecLimits.TOPICS) {
      errors.add(
          "signals.kafka.topics: at most "
              + SpecLimits.TOPICS
              + " topics (one lag reader each), got "
              + topics.size());
      return Optional.empty();
    }
    if (!topics(topics, errors) || errors.size() > before) {
      return Optional.empty();
    }
    return check(
        "signals.kafka",
        errors,
        () ->
            KafkaLagConfig.builder(k.bootstrapServers, k.consumerGroup)
                .topics(topics)
                .lagThreshold(k.lagThreshold)
                .activationLagThreshold(k.activationLagThreshold)
                .offsetResetPolicy(
                    k.offsetResetPolicy == null
                        ? null
                        : switch (k.offsetResetPolicy) {
                          case latest -> KafkaLagConfig.OffsetResetPolicy.LATEST;
                          case earliest -> KafkaLagConfig.OffsetResetPolicy.EARLIEST;
                        })
                .allowIdleConsumers(k.allowIdleConsumers)
                .excludePersistentLag(k.excludePersistentLag)
                .limitToPartitionsWithLag(k.limitToPartitionsWithLag)
                .build());
  }

  /**
   * Empty means every topic of the group; otherwise distinct Kafka topic names (one error per bad
   * entry, naming it).
   */
  private static boolean topics(List<String> topics, List<String> errors) {
    int before = errors.size();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < topics.size(); i++) {
      String t = topics.get(i);
      String field = topics.size() == 1 ? "signals.kafka" : "signals.kafka.topics[" + i + "]";
      if (t == null || t.isBlank() || t.contains(",")) {
        errors.add("signals.kafka.topics[" + i + "]: not a topic name: '" + t + "'");
      } else if (!seen.add(t)) {
        errors.add("signals.kafka.topics[" + i + "]: duplicate topic " + t);
      } else {
        check(field, errors, () -> KafkaLagConfig.TOPIC.parse(t));
      }
    }
    return errors.size() == before;
  }

  /** The value {@code build} makes, or empty with its error, prefixed by {@code field}. */
  private static <T> Optional<T> check(String field, List<String> errors, Supplier<T> build) {
    try {
      return Optional.of(build.get());
    } catch (AdapterException | IllegalArgumentException e) {
      errors.add(field + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static <T> T fail(List<String> errors, String message) {
    errors.add(message);
    return null;
  }
}
