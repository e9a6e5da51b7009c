package io.stoker.app.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;
import io.prometheus.client.hotspot.DefaultExports;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The controller's metrics (docs/ARCHITECTURE.md, Metrics), over one simpleclient registry. Every
 * simpleclient call of the application is in this package, so that moving to client_java 1.x is a
 * one-package change. Names come from {@link MetricNames} only.
 */
public final class OperatorMetrics {
  private static final String NS = MetricNames.LABEL_NAMESPACE;
  private static final String AS = MetricNames.LABEL_AUTOSCALER;

  private final CollectorRegistry registry;
  private final Gauge desired;
  private final Gauge current;
  private final Gauge recommended;
  private final Gauge lag;
  private final Gauge arrival;
  private final Gauge processing;
  private final Gauge executorRate;
  private final Gauge targetLatency;
  private final Counter decisions;
  private final Gauge lastScaling;
  private final Counter signalErrors;
  private final Gauge signalAge;
  private final Counter actuationErrors;
  private final Gauge placeholders;
  private final Gauge pendingExecutors;
  private final Gauge nodeHints;
  private final Histogram reconcile;
  private final Counter kedaRequests;
  private final Histogram kedaDuration;
  private final Gauge leader;

  /** Extra label values used per autoscaler key, so that a deleted autoscaler leaves no series. */
  private final Map<String, Set<List<String>>> used = new ConcurrentHashMap<>();

  /**
   * @param registry where to register (a fresh one in tests)
   * @param jvm whether to add the JVM collectors (memory, GC, threads)
   */
  public OperatorMetrics(CollectorRegistry registry, boolean jvm) {
    this.registry = registry;
    desired = gauge(MetricNames.EXECUTORS_DESIRED, "Executor target decided", NS, AS);
    current = gauge(MetricNames.EXECUTORS_CURRENT, "Executor pods running or pending", NS, AS);
    recommended =
        gauge(MetricNames.EXECUTORS_RECOMMENDED, "Raw recommendation before limits", NS, AS);
    lag = gauge(MetricNames.KAFKA_LAG_RECORDS, "Kafka consumer lag, records", NS, AS);
    arrival = gauge(MetricNames.ARRIVAL_RATE, "Records arriving per second", NS, AS);
    processing = gauge(MetricNames.PROCESSING_RATE, "Records processed per second", NS, AS);
    executorRate =
        gauge(MetricNames.EXECUTOR_RATE, "Estimated records/s one executor sustains", NS, AS);
    targetLatency =
        gauge(MetricNames.TARGET_LATENCY_SECONDS, "Latency objective (targetLatency)", NS, AS);
    decisions =
        Counter.build(MetricNames.SCALING_DECISIONS_TOTAL, "Decisions by direction and reason")
            .labelNames(NS, AS, "direction", "reason")
            .register(registry);
    lastScaling =
        gauge(
            MetricNames.LAST_SCALING_TIMESTAMP_SECONDS,
            "Unix time of the last change of target of this direction and reason",
            NS,
            AS,
            "direction",
            "reason");
    signalErrors =
        Counter.build(MetricNames.SIGNAL_ERRORS_TOTAL, "Failed signal collections")
            .labelNames(NS, AS, "signal")
            .register(registry);
    signalAge = gauge(MetricNames.SIGNAL_AGE_SECONDS, "Age of the last sample", NS, AS, "signal");
    actuationErrors =
        Counter.build(MetricNames.ACTUATION_ERRORS_TOTAL, "Failed or refused Kubernetes writes")
            .labelNames(NS, AS, "kind")
            .register(registry);
    placeholders = gauge(MetricNames.PLACEHOLDER_PODS, "Capacity placeholder pods", NS, AS);
    pendingExecutors =
        gauge(MetricNames.PENDING_EXECUTORS, "Executor pods not yet placed on a node", NS, AS);
    nodeHints =
        gauge(
            MetricNames.NODE_HINT_NODES,
            "New nodes of a node group that the pending executors need",
            NS,
            AS,
            MetricNames.LABEL_NODE_GROUP);
    reconcile =
        Histogram.build(MetricNames.RECONCILE_DURATION_SECONDS, "Duration of one reconcile")
            .buckets(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .register(registry);
    kedaRequests =
        Counter.build(MetricNames.KEDA_REQUESTS_TOTAL, "KEDA external-scaler requests")
            .labelNames("method", "code")
            .register(registry);
    kedaDuration =
        Histogram.build(MetricNames.KEDA_REQUEST_DURATION_SECONDS, "KEDA request duration")
            .labelNames("method")
            .register(registry);
    leader = Gauge.build(MetricNames.LEADER, "1 if this replica is the leader").register(registry);
    if (jvm) {
      DefaultExports.register(registry);
    }
  }

  /** Metrics over a registry of their own. */
  public static OperatorMetrics create(boolean jvm) {
    return new OperatorMetrics(new CollectorRegistry(), jvm);
  }

  private Gauge gauge(String name, String help, String... labels) {
    return Gauge.build(name, help).labelNames(labels).register(registry);
  }

  public CollectorRegistry registry() {
    return registry;
  }

  /** The executor counts of one autoscaler. */
  public void executors(String ns, String name, int desiredN, int currentN, int recommendedN) {
    desired.labels(ns, name).set(desiredN);
    current.labels(ns, name).set(currentN);
    recommended.labels(ns, name).set(recommendedN);
  }

  /** Signal values; absent ones are removed rather than reported as zero. */
  public void signals(
      String ns, String name, OptionalLong lagRecords, OptionalDouble in, OptionalDouble out) {
    setOrRemove(lag, ns, name, lagRecords.isPresent() ? lagRecords.getAsLong() : Double.NaN);
    setOrRemove(arrival, ns, name, in.orElse(Double.NaN));
    setOrRemove(processing, ns, name, out.orElse(Double.NaN));
  }

  public void executorRate(String ns, String name, double recordsPerSecond) {
    setOrRemove(executorRate, ns, name, recordsPerSecond);
  }

  private static void setOrRemove(Gauge g, String ns, String name, double v) {
    if (Double.isFinite(v)) {
      g.labels(ns, name).set(v);
    } else {
      g.remove(ns, name);
    }
  }

  public void decision(String ns, String name, String direction, String reason) {
    remember(ns, name, "decision", direction, reason);
    decisions.labels(ns, name, direction, reason).inc();
  }

  /** A change of target at {@code epochSeconds}: the decision annotations of the dashboards. */
  public void scaled(String ns, String name, String direction, String reason, double epochSeconds) {
    remember(ns, name, "decision", direction, reason);
    lastScaling.labels(ns, name, direction, reason).set(epochSeconds);
  }

  /** {@code spec.objective.targetLatency} of one autoscaler. */
  public void targetLatency(String ns, String name, double seconds) {
    targetLatency.labels(ns, name).set(seconds);
  }

  /**
   * One finished call of the KEDA external scaler.
   *
   * @param method the bare gRPC method name ({@code GetMetrics}, {@code IsActive}, ...)
   * @param code the gRPC status code name ({@code OK}, {@code NOT_FOUND}, ...)
   */
  public void kedaRequest(String method, String code, double seconds) {
    kedaRequests.labels(method, code).inc();
    kedaDuration.labels(method).observe(seconds);
  }

  public void signalError(String ns, String name, String signal) {
    remember(ns, name, "signal", signal);
    signalErrors.labels(ns, name, signal).inc();
  }

  public void signalAge(String ns, String name, String signal, double seconds) {
    remember(ns, name, "signal", signal);
    signalAge.labels(ns, name, signal).set(seconds);
  }

  public void actuationError(String ns, String name, String kind) {
    remember(ns, name, "kind", kind);
    actuationErrors.labels(ns, name, kind).inc();
  }

  public void placeholderPods(String ns, String name, int n) {
    placeholders.labels(ns, name).set(n);
  }

  /**
   * The capacity step's figures: placeholder pods (series removed when the feature is off), pending
   * executors, and nodes needed per node group (groups no longer needed are removed).
   */
  public void capacity(
      String ns,
      String name,
      java.util.OptionalInt placeholderPods,
      int pending,
      Map<String, Integer> hints) {
    if (placeholderPods.isPresent()) {
      placeholders.labels(ns, name).set(placeholderPods.getAsInt());
    } else {
      placeholders.remove(ns, name);
    }
    pendingExecutors.labels(ns, name).set(pending);
    Set<List<String>> seen = used.getOrDefault(ns + "/" + name, Set.of());
    for (List<String> v : new ArrayList<>(seen)) {
      if ("node_group".equals(v.get(0)) && !hints.containsKey(v.get(1))) {
        nodeHints.remove(ns, name, v.get(1));
        seen.remove(v);
      }
    }
    hints.forEach(
        (group, nodes) -> {
          remember(ns, name, "node_group", group);
          nodeHints.labels(ns, name, group).set(nodes);
        });
  }

  public void reconcileSeconds(double seconds) {
    reconcile.observe(seconds);
  }

  public void leader(boolean isLeader) {
    leader.set(isLeader ? 1 : 0);
  }

  private void remember(String ns, String name, String... values) {
    used.computeIfAbsent(ns + "/" + name, k -> ConcurrentHashMap.newKeySet()).add(List.of(values));
  }

  /** Removes every series of a deleted autoscaler. */
  public void forget(String ns, String name) {
    for (Gauge g :
        List.of(
            desired,
            current,
            recommended,
            lag,
            arrival,
            processing,
            executorRate,
            targetLatency,
            placeholders,
            pendingExecutors)) {
      g.remove(ns, name);
    }
    Set<List<String>> extra = used.remove(ns + "/" + name);
    if (extra == null) {
      return;
    }
    for (List<String> v : new ArrayList<>(extra)) {
      switch (v.get(0)) {
        case "decision" -> {
          decisions.remove(ns, name, v.get(1), v.get(2));
          lastScaling.remove(ns, name, v.get(1), v.get(2));
        }
        case "signal" -> {
          signalErrors.remove(ns, name, v.get(1));
          signalAge.remove(ns, name, v.get(1));
        }
        case "node_group" -> nodeHints.remove(ns, name, v.get(1));
        default -> actuationErrors.remove(ns, name, v.get(1));
      }
    }
  }
}
