package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
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

  /**
   * The burst memory survives a restart: the headroom sized for a burst seen before the restart is
   * still held long after the scale-down window has passed, where an autoscaler that never saw the
   * burst holds less.
   */
  @Test
  void aRestartKeepsTheBurstsSeen() throws Exception {
    Fixtures.driver(client, "bursty");
    Fixtures.executors(client, "bursty", 6);
    ExecutorAutoscalerSpec spec = Fixtures.spec("bursty");
    spec.objective = new ExecutorAutoscalerSpec.Objective();
    spec.objective.targetLatency = "10s";
    Fixtures.create(client, "bursty", spec);
    String key = NS + "/bursty";
    // 1,000 records/s per executor (a busy fraction teaches it at once)
    signals.kafkaBusy(key, 0, 2_000, 2_000, 64, 2_000 / 6_000.0);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "before", clock, signals);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Fixtures.status(client, "bursty") != null && signals.calls(key) > 5);
    // A burst to 12,000 records/s for a few ticks, then quiet again.
    int calls = signals.calls(key);
    signals.kafkaBusy(key, 20_000, 12_000, 6_000, 64, 1.0);
    await().atMost(Duration.ofSeconds(20)).until(() -> signals.calls(key) > calls + 5);
    signals.kafkaBusy(key, 0, 2_000, 2_000, 64, 2_000 / 6_000.0);
    // long past any scale-down window, in steps (each tick sees a short interval)
    for (int i = 0; i < 10; i++) {
      int c = signals.calls(key);
      clock.advance(Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(20)).until(() -> signals.calls(key) > c + 3);
    }
    int held = Fixtures.target(client, "bursty");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              ExecutorAutoscalerStatus st = Fixtures.status(client, "bursty");
              return st.burstMemory != null
                  && st.burstMemory.peaks != null
                  && !st.burstMemory.peaks.isEmpty()
                  && st.burstMemory.peaks.get(0).rate == 12_000.0;
            });

    operator.close(Duration.ofSeconds(5));
    clock.advance(Duration.ofSeconds(10));
    // beside it, an autoscaler that never saw the burst, on the same quiet signals
    Fixtures.driver(client, "calm");
    Fixtures.executors(client, "calm", 6);
    Fixtures.create(client, "calm", copyWithLatency("calm", "10s"));
    String calmKey = NS + "/calm";
    signals.kafkaBusy(calmKey, 0, 2_000, 2_000, 64, 2_000 / 6_000.0);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "after", clock, signals);
    for (int i = 0; i < 10; i++) {
      int c = signals.calls(key);
      clock.advance(Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(20)).until(() -> signals.calls(key) > c + 3);
    }
    int calm = Fixtures.target(client, "calm");
    assertThat(held).as("the burst's headroom before the restart").isGreaterThan(calm);
    assertThat(Fixtures.target(client, "bursty"))
        .as("five minutes after the restart, the burst seen before it still holds the headroom")
        .isEqualTo(held);
  }

  /**
   * The executor rate survives a restart: the first scale-out after it is sized with the rate
   * learned before it (2 → enough for the backlog), where a controller that knew no rate could only
   * double the executors to learn it (2 → 4).
   */
  @Test
  void aRestartSizesTheFirstScaleOutWithTheLearnedRate() throws Exception {
    Fixtures.driver(client, "learner");
    Fixtures.executors(client, "learner", 2);
    Fixtures.create(client, "learner", Fixtures.spec("learner"));
    String key = NS + "/learner";
    // two executors half busy with 1,000 records/s: 1,000 records/s per executor, nothing to scale
    signals.kafkaBusy(key, 0, 1_000, 1_000, 64, 0.5);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "before", clock, signals);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              ExecutorAutoscalerStatus st = Fixtures.status(client, "learner");
              return st != null && st.learned != null && st.learned.executorRate != null;
            });
    assertThat(Fixtures.status(client, "learner").learned.executorRate).isEqualTo(1_000.0);
    operator.close(Duration.ofSeconds(5));
    assertThat(Fixtures.events(client, "learner"))
        .extracting(Event::getReason)
        .doesNotContain("ScaledUp");

    // While it is down, a backlog builds up; the driver no longer says how busy executors are, so
    // the rate cannot be measured again on the first tick.
    clock.advance(Duration.ofSeconds(10));
    signals.kafka(key, 60_000, 6_000, 2_000, 64);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "after", clock, signals);
    // Time moves on by a tick: at the takeover instant itself the window taken over holds the
    // level then in force. The first scale-out is the one from the two executors there.
    int after = signals.calls(key);
    await().atMost(Duration.ofSeconds(20)).until(() -> signals.calls(key) > after + 2);
    clock.advance(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(20)).until(() -> firstScaleOut(client, "learner") != null);
    // 6,000/s at 0.9 utilisation, plus the backlog drained within the minute: 12 at 1,000/s each
    assertThat(firstScaleOut(client, "learner"))
        .as("the first scale-out after the restart, sized with the rate learned before it")
        .startsWith("target 2 -> 12: ")
        .contains("at 1000/s each");
  }

  private static String firstScaleOut(
      io.fabric8.kubernetes.client.KubernetesClient client, String name) {
    return Fixtures.events(client, name).stream()
        .filter(e -> e.getReason().equals("ScaledUp"))
        .map(Event::getMessage)
        .filter(m -> m.startsWith("target 2 -> "))
        .findFirst()
        .orElse(null);
  }

  private static ExecutorAutoscalerSpec copyWithLatency(String app, String latency) {
    ExecutorAutoscalerSpec spec = Fixtures.spec(app);
    spec.objective = new ExecutorAutoscalerSpec.Objective();
    spec.objective.targetLatency = latency;
    return spec;
  }
}
