package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The controller end to end on the fabric8 mock server (CRUD mode) with fake signals: the pieces
 * wired as in production. The reconcile's rules themselves (holding on a missing signal, invalid
 * specs, events retried, stabilization windows) are in {@link ReconcilerTest}, on in-memory fakes.
 */
class ControllerTest extends MockServerControllerTest {

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
}
