package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.stoker.app.k8s.SparkLabels;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Autoscalers that would undo each other (two on one driver) or that cannot tell their driver (a
 * selector matching several) are reported, as the HPA's {@code AmbiguousSelector}, and act on
 * nothing.
 */
class TargetConflictTest extends MockServerControllerTest {

  @Test
  void twoAutoscalersOnOneDriverAreBothReportedAndNeitherWrites() throws Exception {
    Fixtures.driver(client, "clicks");
    Fixtures.executors(client, "clicks", 2);
    Fixtures.create(client, "clicks-a", Fixtures.spec("clicks"));
    ExecutorAutoscalerSpec b = Fixtures.spec("clicks");
    b.maxExecutors = 3; // a different opinion: the two would flip the annotation every tick
    Fixtures.create(client, "clicks-b", b);
    // A recommend-only autoscaler on the same driver writes nothing: no conflict with it.
    ExecutorAutoscalerSpec shadow = Fixtures.spec("clicks");
    shadow.actuation = ExecutorAutoscalerSpec.Actuation.None;
    Fixtures.create(client, "clicks-shadow", shadow);
    signals.kafka(NS + "/clicks-a", 120_000, 5_000, 2_000, 64);
    signals.kafka(NS + "/clicks-b", 120_000, 5_000, 2_000, 64);
    signals.kafka(NS + "/clicks-shadow", 120_000, 5_000, 2_000, 64);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "test", clock, signals);

    for (String name : new String[] {"clicks-a", "clicks-b"}) {
      String other = name.equals("clicks-a") ? "clicks-b" : "clicks-a";
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Fixtures.conditionIs(client, name, Conditions.TARGET_CONFLICT, "True"));
      var c = Fixtures.condition(client, name, Conditions.TARGET_CONFLICT).orElseThrow();
      assertThat(c.reason).isEqualTo("SharedTarget");
      assertThat(c.message).contains("pod/clicks-driver").contains(other).doesNotContain("shadow");
      var ready = Fixtures.condition(client, name, Conditions.READY).orElseThrow();
      assertThat(ready.status).isEqualTo("False");
      assertThat(ready.reason).isEqualTo("SharedTarget");
      assertThat(Fixtures.conditionIs(client, name, Conditions.SCALING_ACTIVE, "False")).isTrue();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(Fixtures.events(client, name))
                      .extracting(Event::getReason)
                      .containsExactly("SharedTarget"));
    }
    // The recommend-only autoscaler keeps deciding; many ticks later nobody has written.
    int calls = signals.calls(NS + "/clicks-shadow");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> signals.calls(NS + "/clicks-shadow") > calls + 5);
    assertThat(Fixtures.conditionIs(client, "clicks-shadow", Conditions.READY, "True")).isTrue();
    assertThat(Fixtures.annotation(client, "clicks")).isNull();
    assertThat(operator.writes().writesByKind()).doesNotContainKey("annotation");
    assertThat(signals.calls(NS + "/clicks-a")).isZero();
    assertThat(Fixtures.events(client, "clicks-a")).hasSize(1);

    // Once one of them is gone, the other acts.
    client.resources(ExecutorAutoscaler.class).inNamespace(NS).withName("clicks-b").delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "clicks") > 2);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Fixtures.conditionIs(client, "clicks-a", Conditions.TARGET_CONFLICT, "False"));
    assertThat(Fixtures.conditionIs(client, "clicks-a", Conditions.READY, "True")).isTrue();
  }

  @Test
  void aSelectorMatchingSeveralDriversIsReportedAndNoneIsWritten() throws Exception {
    for (String app : new String[] {"orders", "payments", "refunds", "returns"}) {
      Fixtures.driver(client, app);
      client
          .pods()
          .inNamespace(NS)
          .withName(app + "-driver")
          .edit(
              p ->
                  new PodBuilder(p)
                      .editMetadata()
                      .addToLabels("team", "shop")
                      .endMetadata()
                      .build());
    }
    ExecutorAutoscalerSpec spec = Fixtures.spec("shop");
    spec.target.driverSelector.matchLabels = Map.of("team", "shop", SparkLabels.ROLE, "driver");
    Fixtures.create(client, "shop", spec);
    signals.kafka(NS + "/shop", 120_000, 5_000, 2_000, 64);
    // An unrelated autoscaler, to count ticks by.
    Fixtures.driver(client, "clicks");
    Fixtures.executors(client, "clicks", 2);
    Fixtures.create(client, "clicks", Fixtures.spec("clicks"));
    signals.kafka(NS + "/clicks", 120_000, 5_000, 2_000, 64);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "test", clock, signals);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Fixtures.conditionIs(client, "shop", Conditions.TARGET_CONFLICT, "True"));
    var c = Fixtures.condition(client, "shop", Conditions.TARGET_CONFLICT).orElseThrow();
    assertThat(c.reason).isEqualTo("AmbiguousSelector");
    assertThat(c.message)
        .contains("{spark-role=driver, team=shop}")
        .contains("4 live driver pods")
        .contains("orders-driver, payments-driver, refunds-driver and 1 more");
    assertThat(Fixtures.condition(client, "shop", Conditions.READY).orElseThrow().reason)
        .isEqualTo("AmbiguousSelector");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(Fixtures.events(client, "shop"))
                    .extracting(Event::getReason)
                    .containsExactly("AmbiguousSelector"));
    int calls = signals.calls(NS + "/clicks");
    await().atMost(Duration.ofSeconds(20)).until(() -> signals.calls(NS + "/clicks") > calls + 5);
    for (String app : new String[] {"orders", "payments", "refunds", "returns"}) {
      assertThat(Fixtures.annotation(client, app)).as(app).isNull();
    }
    assertThat(Fixtures.target(client, "clicks")).isGreaterThan(2);
    assertThat(Fixtures.events(client, "shop")).hasSize(1);
    // the same message every tick: one condition transition, one event
    var later = Fixtures.condition(client, "shop", Conditions.TARGET_CONFLICT).orElseThrow();
    assertThat(later.message).isEqualTo(c.message);
    assertThat(later.lastTransitionTime).isEqualTo(c.lastTransitionTime);
  }
}
