package io.stoker.spark;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The plugin-wide gauges. They live in the plugin's {@link MetricRegistry}, which Spark registers
 * as the source {@code plugin.io.stoker.spark.StokerPlugin}; the driver's PrometheusServlet shows
 * them as {@code metrics_<ns>_driver_plugin_io_stoker_spark_StokerPlugin_<name>_Value}.
 */
final class PluginMetrics {

  static final String APPLIED_TARGET = "appliedTargetExecutors";
  static final String REQUESTED_TARGET = "requestedTargetExecutors";
  static final String ACTIVE_EXECUTORS = "activeExecutors";
  static final String DECOMMISSIONING = "decommissioningExecutors";
  static final String REMOVED = "scaleDownExecutorsTotal";
  static final String REJECTED = "rejectedAnnotations";
  static final String DA_REFUSED = "dynamicAllocationRefused";
  static final String ACTUATION_SUPPORTED = "actuationSupported";
  static final String ACTUATION_ERRORS = "actuationErrors";
  static final String WATCH_CONNECTED = "kubernetesWatchConnected";
  static final String WATCH_ERRORS = "kubernetesWatchErrors";
  static final String KAFKA_COMMITS = "kafkaCommits";
  static final String KAFKA_COMMIT_ERRORS = "kafkaCommitErrors";

  /** -1 until a target is known. */
  final AtomicLong appliedTarget = new AtomicLong(-1);

  /** The last valid annotation value, -1 until one is seen. */
  final AtomicLong requestedTarget = new AtomicLong(-1);

  final AtomicLong activeExecutors = new AtomicLong();
  final AtomicLong decommissioning = new AtomicLong();
  final AtomicLong removed = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong dynamicAllocationRefused = new AtomicLong();

  /** 1 when the scheduler backend can change executors, 0 (e.g. local mode), -1 not yet known. */
  final AtomicLong actuationSupported = new AtomicLong(-1);

  final AtomicLong actuationErrors = new AtomicLong();
  final AtomicLong watchConnected = new AtomicLong();
  final AtomicLong watchErrors = new AtomicLong();
  final AtomicLong kafkaCommits = new AtomicLong();
  final AtomicLong kafkaCommitErrors = new AtomicLong();

  private final MetricRegistry registry;

  PluginMetrics(MetricRegistry registry) {
    this.registry = registry;
    gauge(APPLIED_TARGET, appliedTarget);
    gauge(REQUESTED_TARGET, requestedTarget);
    gauge(ACTIVE_EXECUTORS, activeExecutors);
    gauge(DECOMMISSIONING, decommissioning);
    gauge(REMOVED, removed);
    gauge(REJECTED, rejected);
    gauge(DA_REFUSED, dynamicAllocationRefused);
    gauge(ACTUATION_SUPPORTED, actuationSupported);
    gauge(ACTUATION_ERRORS, actuationErrors);
    gauge(WATCH_CONNECTED, watchConnected);
    gauge(WATCH_ERRORS, watchErrors);
    gauge(KAFKA_COMMITS, kafkaCommits);
    gauge(KAFKA_COMMIT_ERRORS, kafkaCommitErrors);
  }

  MetricRegistry registry() {
    return registry;
  }

  private void gauge(String name, AtomicLong value) {
    registry.register(name, (Gauge<Long>) value::get);
  }
}
