package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The other two kinds of target: a /scale subresource and a Spark Operator SparkApplication. */
class DiscoveryTest extends MockServerControllerTest {

  @Test
  void scaleActuationWritesTheScaleSubresource() throws Exception {
    Fixtures.statefulSet(client, "workers", 2);
    Fixtures.create(client, "workers", Fixtures.scaleSpec("workers"));
    signals.kafka(NS + "/workers", 120_000, 5_000, 2_000, 64);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "t", clock, signals);

    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.replicas(client, "workers") > 2);
    await()
        .atMost(Duration.ofSeconds(10))

        // the status is written after the realise step: it may not be there yet
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(Fixtures.status(client, "workers").target)
                    .isEqualTo("StatefulSet/workers"));
  }

  private void sparkApplication(String name, String driverPod) {
    client
        .genericKubernetesResources("sparkoperator.k8s.io/v1beta2", "SparkApplication")
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion("sparkoperator.k8s.io/v1beta2")
                .withKind("SparkApplication")
                .withNewMetadata()
                .withNamespace(NS)
                .withName(name)
                .endMetadata()
                .withAdditionalProperties(
                    Map.of("status", Map.of("driverInfo", Map.of("podName", driverPod))))
                .build())
        .create();
  }

  @Test
  void aSparkApplicationWithSeveralLabelledDriversActsOnTheOneItsStatusNames() throws Exception {
    Fixtures.sparkApplicationCrd(client);
    // A restart in progress: the old driver still runs beside the new one, both labelled.
    for (String app : new String[] {"etl-1", "etl-2"}) {
      Fixtures.driver(client, app);
      client
          .pods()
          .inNamespace(NS)
          .withName(app + "-driver")
          .edit(
              p ->
                  new io.fabric8.kubernetes.api.model.PodBuilder(p)
                      .editMetadata()
                      .addToLabels(io.stoker.app.k8s.SparkLabels.OPERATOR_APP_NAME, "etl")
                      .endMetadata()
                      .build());
    }
    Fixtures.executors(client, "etl-1", 3);
    sparkApplication("etl", "etl-1-driver");
    ExecutorAutoscalerSpec spec = Fixtures.spec("etl");
    spec.target = new ExecutorAutoscalerSpec.Target();
    spec.target.sparkApplication = "etl";
    Fixtures.create(client, "etl", spec);
    signals.kafka(NS + "/etl", 120_000, 5_000, 3_000, 64);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "t", clock, signals);

    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "etl-1") > 3);
    assertThat(Fixtures.annotation(client, "etl-2")).isNull();
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () -> assertThat(Fixtures.status(client, "etl").target).isEqualTo("pod/etl-1-driver"));
  }

  @Test
  void sparkApplicationDriverIsFoundByOperatorLabelOrStatus() throws Exception {
    Fixtures.sparkApplicationCrd(client);
    // The driver pod lacks the operator label; the SparkApplication's status names it.
    Fixtures.driver(client, "etl");
    Fixtures.executors(client, "etl", 3);
    sparkApplication("etl", "etl-driver");
    ExecutorAutoscalerSpec spec = Fixtures.spec("etl");
    spec.target = new ExecutorAutoscalerSpec.Target();
    spec.target.sparkApplication = "etl";
    Fixtures.create(client, "etl", spec);
    ExecutorAutoscalerSpec missing = Fixtures.spec("nope");
    missing.target = new ExecutorAutoscalerSpec.Target();
    missing.target.sparkApplication = "nope";
    Fixtures.create(client, "nope", missing);
    signals.kafka(NS + "/etl", 120_000, 5_000, 3_000, 64);
    signals.kafka(NS + "/nope", 120_000, 5_000, 3_000, 64);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "t", clock, signals);

    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "etl") > 3);
    await()
        .atMost(Duration.ofSeconds(10))

        // the status is written after the realise step: it may not be there yet
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              var s = Fixtures.status(client, "etl");
              assertThat(s.currentExecutors).isEqualTo(3);
              assertThat(s.target).isEqualTo("pod/etl-driver");
            });
    assertThat(signals.lastRequest(NS + "/etl").driverHost()).contains("10.0.0.1");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Fixtures.conditionIs(client, "nope", Conditions.TARGET_NOT_FOUND, "True"));
    assertThat(
            Fixtures.condition(client, "nope", Conditions.TARGET_NOT_FOUND).orElseThrow().message)
        .contains("SparkApplication spark-jobs/nope not found");
  }
}
