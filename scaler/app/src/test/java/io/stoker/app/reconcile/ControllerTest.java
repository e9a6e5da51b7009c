package io.stoker.app.reconcile;

import static io.stoker.app.reconcile.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.signals.TestingSignalCollector;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The controller end to end on the fabric8 mock server (CRUD mode) with fake signals. */
@EnableKubernetesMockClient(crud = true)
class ControllerTest {
  KubernetesMockServer server;
  KubernetesClient client;

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final TestingSignalCollector signals = new TestingSignalCollector(clock);
  private Operator operator;

  @BeforeEach
  void setUp() throws Exception {
    Fixtures.installCrd(client);
  }

  @AfterEach
  void tearDown() {
    if (operator != null) {
      operator.close(Duration.ofSeconds(5));
    }
  }

  private void start(Map<String, String> flags) throws Exception {
    operator = Fixtures.start(client, flags, "test", clock, signals);
  }

  @Test
  void scalesOutWhenLagBuildsUp() throws Exception {
    Fixtures.driver(client, "clicks");
    Fixtures.executors(client, "clicks", 2);
    Fixtures.create(client, "clicks", Fixtures.spec("clicks"));
    signals.kafka(NS + "/clicks", 120_000, 5_000, 2_000, 64);
    start(Fixtures.fastConfig());

    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "clicks") > 2);
    int target = Fixtures.target(client, "clicks");
    await()
        .atMost(Duration.ofSeconds(10))

        // the status is written after the realise step: it may not be there yet
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              var status = Fixtures.status(client, "clicks");
              assertThat(status.desiredExecutors).isEqualTo(target);
              assertThat(status.currentExecutors).isEqualTo(2);
              assertThat(status.lagRecords).isEqualTo(120_000L);
              assertThat(status.target).isEqualTo("pod/clicks-driver");
              assertThat(status.lastDecision.to).isEqualTo(target);
              assertThat(status.lastDecision.reason).isNotBlank();
              assertThat(Fixtures.conditionIs(client, "clicks", Conditions.READY, "True")).isTrue();
              assertThat(
                      Fixtures.conditionIs(client, "clicks", Conditions.METRICS_AVAILABLE, "True"))
                  .isTrue();
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(Fixtures.events(client, "clicks"))
                    .extracting(Event::getReason)
                    .contains("ScaledUp"));
    Event up =
        Fixtures.events(client, "clicks").stream()
            .filter(e -> e.getReason().equals("ScaledUp"))
            .findFirst()
            .orElseThrow();
    assertThat(up.getMessage()).contains("-> " + target);
  }

  @Test
  void aScalingEventThatCouldNotBeWrittenIsRecordedOnALaterTick() throws Exception {
    // The first Event write is refused; the status (with the new target) is still written, and
    // must not make the controller forget to announce the change.
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/" + NS + "/events")
        .andReturn(
            403,
            new io.fabric8.kubernetes.api.model.StatusBuilder()
                .withCode(403)
                .withReason("Forbidden")
                .build())
        .once();
    Fixtures.driver(client, "clicks");
    Fixtures.executors(client, "clicks", 2);
    Fixtures.create(client, "clicks", Fixtures.spec("clicks"));
    signals.kafka(NS + "/clicks", 120_000, 5_000, 2_000, 64);
    start(Fixtures.fastConfig());

    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> Fixtures.status(client, "clicks").desiredExecutors > 2);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(Fixtures.events(client, "clicks"))
                    .extracting(Event::getReason)
                    .containsExactly("ScaledUp"));
    assertThat(Fixtures.events(client, "clicks").get(0).getMessage()).contains("2 -> ");
  }

  @Test
  void holdsAndReportsMetricsUnavailableWhenTheSignalIsMissing() throws Exception {
    Fixtures.driver(client, "quiet");
    Fixtures.executors(client, "quiet", 4);
    Fixtures.create(client, "quiet", Fixtures.spec("quiet"));
    client
        .pods()
        .inNamespace(NS)
        .withName("quiet-driver")
        .edit(
            p -> {
              p.getMetadata().getAnnotations().put("stoker.io/target-executors", "4");
              return p;
            });
    signals.fail(NS + "/quiet", "Kafka lag: no answer within 5000 ms");
    start(Fixtures.fastConfig());

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Fixtures.conditionIs(client, "quiet", Conditions.METRICS_AVAILABLE, "False"));
    var c = Fixtures.condition(client, "quiet", Conditions.METRICS_AVAILABLE).orElseThrow();
    assertThat(c.reason).isEqualTo("SIGNAL_MISSING");
    assertThat(c.message).contains("kafka: Kafka lag: no answer");
    int calls = signals.calls(NS + "/quiet");
    await().atMost(Duration.ofSeconds(10)).until(() -> signals.calls(NS + "/quiet") > calls + 3);
    assertThat(Fixtures.target(client, "quiet")).isEqualTo(4);
    assertThat(Fixtures.status(client, "quiet").desiredExecutors).isEqualTo(4);
  }

  @Test
  void invalidSpecIsReportedAndNothingIsActedOnWhileOthersKeepWorking() throws Exception {
    Fixtures.driver(client, "bad");
    Fixtures.driver(client, "good");
    Fixtures.executors(client, "good", 2);
    ExecutorAutoscalerSpec bad = Fixtures.spec("bad");
    bad.minExecutors = 5;
    bad.maxExecutors = 3;
    bad.behavior = new ExecutorAutoscalerSpec.Behavior();
    bad.behavior.scaleDown = new ExecutorAutoscalerSpec.StepBehavior();
    bad.behavior.scaleDown.stabilizationWindow = "five minutes";
    Fixtures.create(client, "bad", bad);
    Fixtures.create(client, "good", Fixtures.spec("good"));
    signals.kafka(NS + "/bad", 500_000, 50_000, 1_000, 64);
    signals.kafka(NS + "/good", 120_000, 5_000, 2_000, 64);
    start(Fixtures.fastConfig());

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Fixtures.conditionIs(client, "bad", Conditions.INVALID_SPEC, "True"));
    var c = Fixtures.condition(client, "bad", Conditions.INVALID_SPEC).orElseThrow();
    assertThat(c.message)
        .contains("minExecutors (5) must be <= maxExecutors (3)")
        .contains("behavior.scaleDown.stabilizationWindow");
    assertThat(Fixtures.conditionIs(client, "bad", Conditions.READY, "False")).isTrue();
    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "good") > 2);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(Fixtures.events(client, "bad"))
                    .extracting(Event::getReason)
                    .containsExactly("InvalidSpec"));
    assertThat(Fixtures.annotation(client, "bad")).isNull();
    assertThat(signals.calls(NS + "/bad")).isZero();
  }

  @Test
  void unknownTargetIsReportedWithoutWrites() throws Exception {
    Fixtures.create(client, "ghost", Fixtures.spec("ghost"));
    signals.kafka(NS + "/ghost", 120_000, 5_000, 2_000, 64);
    start(Fixtures.fastConfig());

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Fixtures.conditionIs(client, "ghost", Conditions.TARGET_NOT_FOUND, "True"));
    var c = Fixtures.condition(client, "ghost", Conditions.TARGET_NOT_FOUND).orElseThrow();
    assertThat(c.message).contains("no live driver pod").contains("app=ghost");
    assertThat(operator.writes().writesByKind()).doesNotContainKeys("annotation", "scale");
    assertThat(Fixtures.events(client, "ghost"))
        .extracting(Event::getReason)
        .containsExactly("TargetNotFound");
  }

  @Test
  void scalesInOnlyAfterTheStabilizationWindow() throws Exception {
    Fixtures.driver(client, "night");
    Fixtures.executors(client, "night", 8);
    ExecutorAutoscalerSpec spec = Fixtures.spec("night");
    spec.behavior = new ExecutorAutoscalerSpec.Behavior();
    spec.behavior.scaleDown = new ExecutorAutoscalerSpec.StepBehavior();
    spec.behavior.scaleDown.stabilizationWindow = "120s";
    Fixtures.create(client, "night", spec);
    String key = NS + "/night";
    // Busy: a backlog and 8 executors processing 8000 records/s teach the executor rate.
    signals.kafka(key, 400_000, 8_000, 8_000, 64);
    start(Fixtures.fastConfig());
    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "night") >= 8);

    // Night: no backlog, little traffic (one executor's worth). Within the window the target
    // stays at the highest recommendation seen in it, far above what the night needs.
    signals.kafka(key, 0, 500, 500, 64);
    int calls = signals.calls(key);
    await().atMost(Duration.ofSeconds(10)).until(() -> signals.calls(key) > calls + 5);
    assertThat(Fixtures.target(client, "night")).isGreaterThan(4);

    // After the window the target drops to what the night needs, and the event says why.
    clock.advance(Duration.ofSeconds(121));
    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "night") <= 2);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(Fixtures.events(client, "night"))
                    .filteredOn(e -> e.getReason().equals("ScaledDown"))
                    .extracting(Event::getMessage)
                    .anyMatch(m -> m.contains("-> " + Fixtures.target(client, "night"))));
  }
}
