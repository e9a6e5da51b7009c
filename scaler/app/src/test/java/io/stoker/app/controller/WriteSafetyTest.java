package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.stoker.app.metrics.MetricNames;
import io.stoker.app.signals.TestingSignalCollector;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Conflicts, rate limits and leader election on the fabric8 mock server. */
@EnableKubernetesMockClient(crud = true)
class WriteSafetyTest {
  KubernetesMockServer server;
  KubernetesClient client;

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final TestingSignalCollector signals = new TestingSignalCollector(clock);
  private Operator first;
  private Operator second;

  @BeforeEach
  void setUp() throws Exception {
    Fixtures.installCrd(client);
  }

  @AfterEach
  void tearDown() {
    for (Operator op : new Operator[] {first, second}) {
      if (op != null) {
        op.close(Duration.ofSeconds(5));
      }
    }
  }

  private double metric(Operator op, String name, String... labels) {
    Double v =
        op.metrics()
            .registry()
            .getSampleValue(name, new String[] {"namespace", "autoscaler", "kind"}, labels);
    return v == null ? 0 : v;
  }

  @Test
  void statusConflictIsRetriedWithTheLatestVersion() throws Exception {
    Fixtures.driver(client, "c");
    Fixtures.executors(client, "c", 2);
    Fixtures.create(client, "c", Fixtures.spec("c"));
    signals.kafka(NS + "/c", 120_000, 5_000, 2_000, 64);
    server
        .expect()
        .put()
        .withPath("/apis/stoker.io/v1alpha1/namespaces/" + NS + "/executorautoscalers/c/status")
        .andReturn(
            409,
            new StatusBuilder()
                .withCode(409)
                .withReason("Conflict")
                .withMessage("the object has been modified")
                .build())
        .times(2);
    first = Fixtures.start(client, Fixtures.fastConfig(), "a", clock, signals);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                Fixtures.status(client, "c") != null
                    && Fixtures.status(client, "c").desiredExecutors != null);
    assertThat(metric(first, MetricNames.ACTUATION_ERRORS_TOTAL, NS, "c", "status"))
        .as("two 409s were absorbed by the retries of one write")
        .isZero();
    assertThat(first.writes().writesByKind()).containsKey("status");
  }

  @Test
  void rateLimiterBoundsWritesUnderABurstOfDecisions() throws Exception {
    int apps = 8;
    for (int i = 0; i < apps; i++) {
      Fixtures.driver(client, "b" + i);
      Fixtures.executors(client, "b" + i, 1);
      Fixtures.create(client, "b" + i, Fixtures.spec("b" + i));
      signals.kafka(NS + "/b" + i, 120_000, 5_000, 1_000, 64);
    }
    Map<String, String> flags = Fixtures.fastConfig();
    flags.put("kube-writes-per-second", "4");
    flags.put("kube-write-max-wait", "100ms");
    long started = System.nanoTime();
    first = Fixtures.start(client, flags, "a", clock, signals);

    // Every autoscaler gets its target eventually: refused writes are re-applied next tick.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              for (int i = 0; i < apps; i++) {
                if (Fixtures.target(client, "b" + i) <= 1) {
                  return false;
                }
              }
              return true;
            });
    double seconds = (System.nanoTime() - started) / 1e9;
    long writes = first.writes().writes();
    // 8 annotations + 8 events + 8 status writes could all be done in the first tick without
    // the limiter; with it, at most 4 per second (plus one period's permits at the start).
    assertThat(writes).isGreaterThanOrEqualTo(apps);
    assertThat(writes).isLessThanOrEqualTo((long) (4 * Math.ceil(seconds)) + 4);
    double refused = 0;
    for (int i = 0; i < apps; i++) {
      for (String kind : new String[] {"rate_limited", "event", "status"}) {
        refused += metric(first, MetricNames.ACTUATION_ERRORS_TOTAL, NS, "b" + i, kind);
      }
    }
    assertThat(refused).as("refused writes are counted").isPositive();
  }

  /**
   * Failover as a user needs it: the standby never writes; the leader crashes (no lease released,
   * no drain) while it defers a scale-down; the standby takes over from the target in force and the
   * window the old leader persisted: no write at takeover (no jump, no double write), drift is put
   * back to the target in force, and the deferred scale-down happens when the old leader's window
   * ends, not earlier and not one window after the takeover. The clock only moves when the test
   * moves it, so every decision is determined by what the test sets.
   */
  @Test
  void onlyTheLeaderWritesAndTheStandbyTakesOver() throws Exception {
    Fixtures.driver(client, "l");
    Fixtures.executors(client, "l", 2);
    io.stoker.app.k8s.model.ExecutorAutoscalerSpec spec = Fixtures.spec("l");
    spec.maxExecutors = 4;
    spec.behavior = new io.stoker.app.k8s.model.ExecutorAutoscalerSpec.Behavior();
    spec.behavior.scaleDown = new io.stoker.app.k8s.model.ExecutorAutoscalerSpec.StepBehavior();
    spec.behavior.scaleDown.stabilizationWindow = "60s";
    Fixtures.create(client, "l", spec);
    Map<String, String> flags = Fixtures.fastConfig();
    flags.put("leader-election", "true");
    flags.put("lease-namespace", NS);
    flags.put("lease-duration", "3s");
    flags.put("lease-renew-deadline", "2s");
    flags.put("lease-retry-period", "200ms");
    // The first replica has a client of its own: closing it cuts that replica off at once, as a
    // crash does (nothing more reaches the API server, the lease is not released).
    KubernetesClient firstClient = server.createClient();
    Instant t0 = clock.instant();

    // A backlog: the leader scales out to the maximum, 4.
    signals.kafka(NS + "/l", 120_000, 5_000, 2_000, 64);
    first = Fixtures.start(firstClient, flags, "first", clock, signals);
    await().atMost(Duration.ofSeconds(30)).until(first::isLeader);
    await().atMost(Duration.ofSeconds(30)).until(() -> Fixtures.target(client, "l") == 4);

    // The backlog is gone: the leader defers the scale-down for its 60 s window and persists it.
    clock.advance(Duration.ofSeconds(10));
    signals.kafka(NS + "/l", 0, 100, 100, 64);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              io.stoker.app.k8s.model.ExecutorAutoscalerStatus s = Fixtures.status(client, "l");
              return s != null
                  && s.lastDecision != null
                  && "stabilising".equals(s.lastDecision.reasonCode)
                  && Integer.valueOf(4).equals(s.desiredExecutors)
                  && s.recommendedExecutors != null
                  && s.recommendedExecutors < 4
                  && s.scaleDownWindow != null
                  && s.scaleDownWindow.get(0).executors == 4
                  && t0.toString().equals(s.scaleDownWindow.get(0).time);
            });
    String lastScaleTime = Fixtures.status(client, "l").lastScaleTime;

    // The standby starts during the deferral: its own first look says scale down at once.
    second = Fixtures.start(client, flags, "second", clock, signals);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> decisions(second) >= 5 && decisions(first) >= 5);
    assertThat(second.isLeader()).isFalse();
    assertThat(second.writes().writes()).as("the standby never writes").isZero();
    assertThat(first.metrics().registry().getSampleValue(MetricNames.LEADER)).isEqualTo(1.0);
    assertThat(second.metrics().registry().getSampleValue(MetricNames.LEADER)).isEqualTo(0.0);
    assertThat(Fixtures.target(client, "l")).isEqualTo(4);

    // The leader crashes.
    firstClient.close();
    await().atMost(Duration.ofSeconds(30)).until(second::isLeader);
    assertThat(first.isLeader()).as("the cut-off leader fenced itself").isFalse();
    first.close(Duration.ofSeconds(5));
    first = null;
    assertThat(second.metrics().registry().getSampleValue(MetricNames.LEADER)).isEqualTo(1.0);

    // Several ticks of the new leader, all within the old leader's window: nothing to write.
    double atTakeover = decisions(second);
    await().atMost(Duration.ofSeconds(30)).until(() -> decisions(second) >= atTakeover + 5);
    assertThat(Fixtures.target(client, "l")).as("no jump at takeover").isEqualTo(4);
    assertThat(second.writes().writesByKind()).doesNotContainKey("annotation");
    assertThat(Fixtures.status(client, "l").desiredExecutors).isEqualTo(4);
    assertThat(Fixtures.status(client, "l").lastScaleTime).isEqualTo(lastScaleTime);

    // Someone overwrites the target: the new leader puts back the target in force, once.
    setAnnotation("1");
    await().atMost(Duration.ofSeconds(30)).until(() -> Fixtures.target(client, "l") == 4);
    assertThat(second.writes().writesByKind()).containsEntry("annotation", 1L);

    // Still inside the old leader's window (t0 + 60 s): held. After it: scaled down.
    clock.advance(Duration.ofSeconds(45));
    double inWindow = decisions(second);
    await().atMost(Duration.ofSeconds(30)).until(() -> decisions(second) >= inWindow + 5);
    assertThat(Fixtures.target(client, "l")).isEqualTo(4);
    clock.advance(Duration.ofSeconds(6));
    await().atMost(Duration.ofSeconds(30)).until(() -> Fixtures.target(client, "l") < 4);
    assertThat(second.writes().writesByKind()).containsEntry("annotation", 2L);
  }

  /** Evaluations made by one replica (every tick, holds included). */
  private static double decisions(Operator op) {
    double sum = 0;
    for (var family : java.util.Collections.list(op.metrics().registry().metricFamilySamples())) {
      for (var sample : family.samples) {
        if (sample.name.equals(MetricNames.SCALING_DECISIONS_TOTAL + "_total")
            || sample.name.equals(MetricNames.SCALING_DECISIONS_TOTAL)) {
          sum += sample.value;
        }
      }
    }
    return sum;
  }

  /** Overwrites the driver's target annotation with a merge patch (no read-modify-write race). */
  private void setAnnotation(String value) {
    client
        .pods()
        .inNamespace(NS)
        .withName("l-driver")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"stoker.io/target-executors\":\"" + value + "\"}}}");
  }

  @Test
  void deletingAnAutoscalerReleasesItsRateLimiter() throws Exception {
    for (String app : new String[] {"d1", "d2"}) {
      Fixtures.driver(client, app);
      Fixtures.executors(client, app, 1);
      Fixtures.create(client, app, Fixtures.spec(app));
      signals.kafka(NS + "/" + app, 120_000, 5_000, 1_000, 64);
    }
    first = Fixtures.start(client, Fixtures.fastConfig(), "a", clock, signals);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                first
                    .writes()
                    .limitedKeys()
                    .containsAll(java.util.List.of(NS + "/d1", NS + "/d2")));

    client
        .resources(io.stoker.app.k8s.model.ExecutorAutoscaler.class)
        .inNamespace(NS)
        .withName("d1")
        .delete();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> !first.writes().limitedKeys().contains(NS + "/d1"));
    int calls = signals.calls(NS + "/d2");
    await().atMost(Duration.ofSeconds(10)).until(() -> signals.calls(NS + "/d2") > calls + 2);
    assertThat(first.writes().limitedKeys())
        .as("the deleted autoscaler's limiter stays released; the other one keeps its own")
        .containsExactly(NS + "/d2");
  }

  @Test
  void theSecretCacheDropsSecretsOfDeletedAutoscalers() throws Exception {
    for (String app : new String[] {"s1", "s2"}) {
      client
          .secrets()
          .resource(
              new io.fabric8.kubernetes.api.model.SecretBuilder()
                  .withNewMetadata()
                  .withNamespace(NS)
                  .withName(app + "-kafka")
                  .endMetadata()
                  .withStringData(Map.of("sasl.password", "pw"))
                  .build())
          .create();
      Fixtures.driver(client, app);
      Fixtures.executors(client, app, 1);
      io.stoker.app.k8s.model.ExecutorAutoscalerSpec spec = Fixtures.spec(app);
      spec.signals.kafka.authSecretRef =
          new io.stoker.app.k8s.model.ExecutorAutoscalerSpec.SecretRef();
      spec.signals.kafka.authSecretRef.name = app + "-kafka";
      Fixtures.create(client, app, spec);
      signals.kafka(NS + "/" + app, 120_000, 5_000, 1_000, 64);
    }
    first = Fixtures.start(client, Fixtures.fastConfig(), "a", clock, signals);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                first.cachedSecrets().equals(java.util.Set.of(NS + "/s1-kafka", NS + "/s2-kafka")));

    client
        .resources(io.stoker.app.k8s.model.ExecutorAutoscaler.class)
        .inNamespace(NS)
        .withName("s1")
        .delete();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> first.cachedSecrets().equals(java.util.Set.of(NS + "/s2-kafka")));
  }
}
