package io.stoker.app.reconcile;

import static io.stoker.app.reconcile.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A restart of the controller in the middle of a deferred scale-down keeps its timing: the new
 * process starts from the target in force and from what the old one persisted (the status), so the
 * target falls only when the window that began before the restart has passed, never at once.
 */
class RestartTest extends MockServerControllerTest {

  @Test
  void aRestartDuringADeferredScaleDownDoesNotJump() throws Exception {
    Fixtures.driver(client, "night");
    Fixtures.executors(client, "night", 6);
    ExecutorAutoscalerSpec spec = Fixtures.spec("night");
    spec.behavior = new ExecutorAutoscalerSpec.Behavior();
    spec.behavior.scaleDown = new ExecutorAutoscalerSpec.StepBehavior();
    spec.behavior.scaleDown.stabilizationWindow = "120s";
    Fixtures.create(client, "night", spec);
    String key = NS + "/night";
    // Busy: six executors 90 % busy (a known busy fraction teaches the executor rate at once).
    signals.kafkaBusy(key, 0, 5_400, 5_400, 64, 0.9);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "before", clock, signals);
    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "night") >= 6);
    int busy = Fixtures.target(client, "night");

    // Quiet: three executors' worth. The scale-down to 3 is deferred for the window.
    signals.kafkaBusy(key, 0, 2_500, 2_500, 64, 0.4);
    int calls = signals.calls(key);
    await().atMost(Duration.ofSeconds(10)).until(() -> signals.calls(key) > calls + 5);
    clock.advance(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(10)).until(() -> signals.calls(key) > calls + 10);
    assertThat(Fixtures.target(client, "night")).as("deferred before the restart").isEqualTo(busy);

    // Restart, 40 s into the 120 s window.
    operator.close(Duration.ofSeconds(5));
    clock.advance(Duration.ofSeconds(10));
    operator = Fixtures.start(client, Fixtures.fastConfig(), "after", clock, signals);
    int after = signals.calls(key);
    await().atMost(Duration.ofSeconds(20)).until(() -> signals.calls(key) > after + 10);
    assertThat(Fixtures.target(client, "night"))
        .as("the window that began before the restart still holds the target")
        .isEqualTo(busy);

    // Once that window has passed (not a new one from the restart), the target falls.
    clock.advance(Duration.ofSeconds(81));
    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "night") < busy);
  }
}
