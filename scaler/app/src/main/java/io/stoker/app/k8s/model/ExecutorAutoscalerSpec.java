package io.stoker.app.k8s.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * {@code spec} of an {@link ExecutorAutoscaler} (docs/executorautoscaler.md). Absent fields are
 * null.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExecutorAutoscalerSpec {
  @JsonPropertyDescription(
      "What to scale: exactly one of sparkApplication, driverSelector, scaleTargetRef.")
  public Target target;

  @JsonPropertyDescription(
      "How the target is applied: DriverPlugin (default), Scale, or None (recommend only).")
  public Actuation actuation;

  @JsonPropertyDescription("Lower bound of the executor target (default 1).")
  public Integer minExecutors;

  @JsonPropertyDescription("Upper bound of the executor target (default 40).")
  public Integer maxExecutors;

  @JsonPropertyDescription("Cores per executor; read from the executor pods when absent.")
  public Integer executorCores;

  public Objective objective;
  public Signals signals;
  public Behavior behavior;
  public Capacity capacity;

  /** How the decided target is realised. */
  public enum Actuation {
    DriverPlugin,
    Scale,
    None
  }

  /** Exactly one of the three fields. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Target {
    @JsonPropertyDescription("Name of a Spark Operator SparkApplication in the same namespace.")
    public String sparkApplication;

    @JsonPropertyDescription("Label selector of the driver pod (matchLabels only).")
    public DriverSelector driverSelector;

    @JsonPropertyDescription("An object with a /scale subresource (e.g. apps/v1 StatefulSet).")
    public ScaleTargetRef scaleTargetRef;

    /**
     * A target scaled through the /scale subresource of {@code apiVersion} {@code kind} {@code
     * name}.
     */
    public static Target scaled(String apiVersion, String kind, String name) {
      Target t = new Target();
      t.scaleTargetRef = new ScaleTargetRef();
      t.scaleTargetRef.apiVersion = apiVersion;
      t.scaleTargetRef.kind = kind;
      t.scaleTargetRef.name = name;
      return t;
    }
  }

  /** Equality-based label selector of the driver pod. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class DriverSelector {
    public java.util.Map<String, String> matchLabels;
  }

  /** Reference to an object with a scale subresource. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ScaleTargetRef {
    public String apiVersion;
    public String kind;
    public String name;
  }

  /** What the scaler aims for. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Objective {
    @JsonPropertyDescription("The oldest unprocessed record must be younger than this (e.g. 60s).")
    public String targetLatency;

    @JsonPropertyDescription("Steady-state share of executor capacity to use, in (0, 1].")
    public Double targetUtilization;
  }

  /** Where the signals come from. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Signals {
    public KafkaSignal kafka;
    public SparkSignal spark;
    public PrometheusSignal prometheus;
  }

  /** KEDA Kafka-scaler parameter names and defaults. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class KafkaSignal {
    public String bootstrapServers;
    public String consumerGroup;
    public java.util.List<String> topics;
    public Long lagThreshold;
    public Long activationLagThreshold;
    public OffsetResetPolicy offsetResetPolicy;
    public Boolean allowIdleConsumers;
    public Boolean excludePersistentLag;
    public Boolean limitToPartitionsWithLag;

    @JsonPropertyDescription("Secret with SASL/TLS client settings; never inline secrets.")
    public SecretRef authSecretRef;
  }

  /** KEDA's offsetResetPolicy values. */
  public enum OffsetResetPolicy {
    latest,
    earliest
  }

  /** Reference to a Secret in the autoscaler's namespace. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SecretRef {
    public String name;
  }

  /** The Spark driver's metrics endpoint. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SparkSignal {
    public Integer port;
    public String path;
    public String metricsNamespace;
  }

  /** KEDA Prometheus-scaler semantics. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class PrometheusSignal {
    public String serverAddress;
    public String query;
    public String threshold;
  }

  /** Tolerance and per-direction limits. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Behavior {
    public Double tolerance;
    public StepBehavior scaleUp;
    public StepBehavior scaleDown;
  }

  /** Limits on one direction of change. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class StepBehavior {
    @JsonPropertyDescription("Duration such as 0s or 300s.")
    public String stabilizationWindow;

    public Integer maxStepPercent;
    public Integer maxStepExecutors;
  }

  /** Capacity hints for the node autoscaler (docs/capacity.md). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Capacity {
    public Placeholders placeholders;
    public ProvisioningRequest provisioningRequest;
    public Boolean protectShuffle;
  }

  /** Low-priority placeholder pods that keep nodes warm. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Placeholders {
    public Boolean enabled;
    public Integer headroomExecutors;
    public String priorityClassName;
  }

  /** A cluster-autoscaler ProvisioningRequest ahead of a scale-up. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ProvisioningRequest {
    public Boolean enabled;
    public String className;
  }
}
