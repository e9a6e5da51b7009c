package io.stoker.app.metrics;

import java.util.List;

/**
 * The one catalogue of metric names Stoker exposes (docs/ARCHITECTURE.md, Metrics). Dashboards and
 * alert tests check their PromQL against {@link #ALL}; {@code TelemetryTest} checks that every
 * {@code stoker_} family on {@code /metrics} is listed here and the reverse.
 */
public final class MetricNames {
  public static final String PREFIX = "stoker_";

  // Per autoscaler: labels namespace, autoscaler.
  public static final String EXECUTORS_DESIRED = PREFIX + "executors_desired";
  public static final String EXECUTORS_CURRENT = PREFIX + "executors_current";
  public static final String EXECUTORS_RECOMMENDED = PREFIX + "executors_recommended";
  public static final String KAFKA_LAG_RECORDS = PREFIX + "kafka_lag_records";
  public static final String ARRIVAL_RATE = PREFIX + "arrival_rate_records_per_second";
  public static final String PROCESSING_RATE = PREFIX + "processing_rate_records_per_second";
  public static final String EXECUTOR_RATE = PREFIX + "executor_rate_records_per_second";

  /** Gauge: {@code spec.objective.targetLatency}, the latency objective. */
  public static final String TARGET_LATENCY_SECONDS = PREFIX + "target_latency_seconds";

  /**
   * Counter of every evaluation, holds included; extra labels {@code direction} ({@code up}, {@code
   * down}, {@code hold}), {@code reason}.
   */
  public static final String SCALING_DECISIONS_TOTAL = PREFIX + "scaling_decisions_total";

  /**
   * Gauge; extra labels {@code direction} ({@code up} or {@code down}), {@code reason}: Unix time
   * of the last change of target of that direction and reason. A new series carries its first
   * change in its value, where a counter's first increment is invisible to {@code increase()}: the
   * dashboards draw decisions as annotations from it.
   */
  public static final String LAST_SCALING_TIMESTAMP_SECONDS =
      PREFIX + "last_scaling_timestamp_seconds";

  /** Counter; extra label {@code signal}. */
  public static final String SIGNAL_ERRORS_TOTAL = PREFIX + "signal_errors_total";

  /** Gauge; extra label {@code signal}. */
  public static final String SIGNAL_AGE_SECONDS = PREFIX + "signal_age_seconds";

  /** Counter; extra label {@code kind}. */
  public static final String ACTUATION_ERRORS_TOTAL = PREFIX + "actuation_errors_total";

  public static final String PLACEHOLDER_PODS = PREFIX + "placeholder_pods";

  /** Executor pods not yet placed on a node (pending, no node). */
  public static final String PENDING_EXECUTORS = PREFIX + "pending_executors";

  /** Gauge; extra label {@code node_group}: new nodes the pending executors need there. */
  public static final String NODE_HINT_NODES = PREFIX + "node_hint_nodes";

  // Process-wide.
  /** Histogram of one autoscaler's reconcile. */
  public static final String RECONCILE_DURATION_SECONDS = PREFIX + "reconcile_duration_seconds";

  /** Counter; labels {@code method}, {@code code}. Served by the KEDA gRPC service. */
  public static final String KEDA_REQUESTS_TOTAL = PREFIX + "keda_requests_total";

  /** Histogram; label {@code method}. */
  public static final String KEDA_REQUEST_DURATION_SECONDS =
      PREFIX + "keda_request_duration_seconds";

  /** 1 on the replica that holds the lease, else 0. */
  public static final String LEADER = PREFIX + "leader";

  public static final String LABEL_NAMESPACE = "namespace";
  public static final String LABEL_AUTOSCALER = "autoscaler";
  public static final String LABEL_NODE_GROUP = "node_group";

  /** Every family name above, as exposed (counters without their {@code _total} suffix rule). */
  public static final List<String> ALL =
      List.of(
          EXECUTORS_DESIRED,
          EXECUTORS_CURRENT,
          EXECUTORS_RECOMMENDED,
          KAFKA_LAG_RECORDS,
          ARRIVAL_RATE,
          PROCESSING_RATE,
          EXECUTOR_RATE,
          TARGET_LATENCY_SECONDS,
          SCALING_DECISIONS_TOTAL,
          LAST_SCALING_TIMESTAMP_SECONDS,
          SIGNAL_ERRORS_TOTAL,
          SIGNAL_AGE_SECONDS,
          ACTUATION_ERRORS_TOTAL,
          PLACEHOLDER_PODS,
          PENDING_EXECUTORS,
          NODE_HINT_NODES,
          RECONCILE_DURATION_SECONDS,
          KEDA_REQUESTS_TOTAL,
          KEDA_REQUEST_DURATION_SECONDS,
          LEADER);

  private MetricNames() {}
}
