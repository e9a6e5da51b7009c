package io.stoker.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * What the Spark end-to-end tests read of one streaming application: its autoscaler's status, the
 * target annotation on its driver pod, the driver's REST API and the plugin's gauges on its metrics
 * page, and the Kafka lag of the query's group.
 */
final class StreamingAppProbe {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();

  private final KubernetesClient admin;
  private final SparkPods pods;
  private final String ns;
  private final String app;
  private final String ui;
  private final EmbeddedKafka kafka;
  private final String topic;
  private final String group;
  private final int partitions;

  /**
   * @param ui the driver's UI address ({@link SparkDriverProcess#ui})
   * @param topic the query's input topic, of {@code partitions} partitions
   * @param group the consumer group the plugin commits the query's offsets to
   */
  StreamingAppProbe(
      KubernetesClient admin,
      SparkPods pods,
      String ns,
      String app,
      String ui,
      EmbeddedKafka kafka,
      String topic,
      String group,
      int partitions) {
    this.admin = admin;
    this.pods = pods;
    this.ns = ns;
    this.app = app;
    this.ui = ui;
    this.kafka = kafka;
    this.topic = topic;
    this.group = group;
    this.partitions = partitions;
  }

  Optional<ExecutorAutoscalerStatus> status() {
    ExecutorAutoscaler eas =
        admin.resources(ExecutorAutoscaler.class).inNamespace(ns).withName(app).get();
    return Optional.ofNullable(eas).map(ExecutorAutoscaler::getStatus);
  }

  boolean metricsAvailable() {
    return status().stream()
        .flatMap(s -> s.conditions.stream())
        .anyMatch(c -> "MetricsAvailable".equals(c.type) && "True".equals(c.status));
  }

  /** The autoscaler's desired executors, -1 before its first status. */
  int desired() {
    return status().map(s -> s.desiredExecutors == null ? -1 : s.desiredExecutors).orElse(-1);
  }

  /** The target annotation on the driver pod, -1 when absent. */
  int annotation() {
    String a = pods.targetAnnotation();
    return a == null ? -1 : Integer.parseInt(a);
  }

  /** A page of the driver's UI server (REST API, metrics), which must answer 200. */
  String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(ui + path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + " from " + path);
    }
    return r.body();
  }

  /** A plugin gauge from the driver's PrometheusServlet, or NaN when absent. */
  double pluginGauge(String gauge) throws IOException, InterruptedException {
    String name =
        "metrics_" + app + "_driver_plugin_io_stoker_spark_StokerPlugin_" + gauge + "_Value";
    for (String line : get("/metrics/prometheus/").split("\n")) {
      if (line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  /** The log-end offset of each partition of {@code t} (of the input topic's partition count). */
  long[] endOffsets(String t) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(t, p), OffsetSpec.latest());
    }
    long[] end = new long[partitions];
    for (var e : kafka.admin().listOffsets(latest).all().get().entrySet()) {
      end[e.getKey().partition()] = e.getValue().offset();
    }
    return end;
  }

  /** Records in the input topic not yet committed by the query's group. */
  long lag() throws Exception {
    long end = 0;
    for (long e : endOffsets(topic)) {
      end += e;
    }
    long committed = 0;
    for (var e :
        kafka
            .admin()
            .listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata()
            .get()
            .values()) {
      committed += e == null ? 0 : e.offset();
    }
    return end - committed;
  }
}
