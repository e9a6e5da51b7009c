package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.stoker.app.metrics.MetricNames;
import io.stoker.app.signals.TestingSignalCollector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /metrics, /healthz and /readyz of a running controller. */
@EnableKubernetesMockClient(crud = true)
class TelemetryTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private Operator operator;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void tearDown() {
    if (operator != null) {
      operator.close(Duration.ofSeconds(5));
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.metricsPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyExposedStokerMetricIsInTheCatalogueAndTheReverse() throws Exception {
    Fixtures.installCrd(client);
    Fixtures.driver(client, "t");
    Fixtures.executors(client, "t", 2);
    Fixtures.create(client, "t", Fixtures.spec("t"));
    TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
    TestingSignalCollector signals = new TestingSignalCollector(clock);
    signals.kafka(NS + "/t", 120_000, 5_000, 2_000, 64);
    signals.alsoFailing(NS + "/t", "spark", "connection refused");
    Map<String, String> flags = Fixtures.fastConfig();
    flags.put("jvm-metrics", "true");
    operator = Fixtures.start(client, flags, "t", clock, signals);
    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "t") > 2);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> get("/metrics").body().contains(MetricNames.EXECUTORS_DESIRED + "{"));
    String body = get("/metrics").body();
    Set<String> exposed = new TreeSet<>();
    for (String line : body.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        String name = parts[2];
        if (name.endsWith("_created")) {
          continue; // simpleclient 0.16's creation-time gauges, derived from a family listed here
        }
        exposed.add(
            parts[3].equals("counter") && !name.endsWith("_total") ? name + "_total" : name);
      }
    }
    Set<String> stoker = new TreeSet<>();
    exposed.stream().filter(n -> n.startsWith(MetricNames.PREFIX)).forEach(stoker::add);
    assertThat(stoker).containsExactlyInAnyOrderElementsOf(MetricNames.ALL);
    assertThat(exposed).anyMatch(n -> n.startsWith("jvm_"));
    assertThat(body)
        .contains(MetricNames.EXECUTORS_DESIRED + "{namespace=\"spark-jobs\",autoscaler=\"t\",}")
        .contains(
            MetricNames.KAFKA_LAG_RECORDS + "{namespace=\"spark-jobs\",autoscaler=\"t\",} 120000.0")
        .contains(
            MetricNames.TARGET_LATENCY_SECONDS
                + "{namespace=\"spark-jobs\",autoscaler=\"t\",} 60.0")
        .contains(
            MetricNames.SIGNAL_ERRORS_TOTAL
                + "{namespace=\"spark-jobs\",autoscaler=\"t\",signal=\"spark\",}")
        .contains(
            MetricNames.LAST_SCALING_TIMESTAMP_SECONDS
                + "{namespace=\"spark-jobs\",autoscaler=\"t\",direction=\"up\",")
        .contains(MetricNames.RECONCILE_DURATION_SECONDS + "_count")
        .contains(MetricNames.LEADER + " 1.0");
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void catalogueFollowsPrometheusNamingRules() {
    assertThat(MetricNames.ALL).doesNotHaveDuplicates();
    for (String n : MetricNames.ALL) {
      assertThat(n).matches("stoker_[a-z_]+");
      if (n.contains("_total")) {
        assertThat(n).endsWith("_total");
      }
    }
  }
}
