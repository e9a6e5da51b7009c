package io.stoker.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The ExecutorAutoscalers of the e2e scenarios, as a user writes them. */
final class Autoscalers {
  private Autoscalers() {}

  /**
   * The driver pod labelled {@code app=<app>} scaled through the driver plugin, from 1 to {@code
   * maxExecutors} executors, on the lag of consumer group {@code group} on {@code topic}; each
   * scenario adds what it needs.
   */
  static ExecutorAutoscalerSpec onKafkaLag(
      String app, String bootstrap, String group, String topic, int maxExecutors) {
    ExecutorAutoscalerSpec s = new ExecutorAutoscalerSpec();
    s.target = new ExecutorAutoscalerSpec.Target();
    s.target.driverSelector = new ExecutorAutoscalerSpec.DriverSelector();
    s.target.driverSelector.matchLabels = Map.of(SparkPods.APP_LABEL, app);
    s.actuation = ExecutorAutoscalerSpec.Actuation.DriverPlugin;
    s.minExecutors = 1;
    s.maxExecutors = maxExecutors;
    s.signals = new ExecutorAutoscalerSpec.Signals();
    s.signals.kafka = new ExecutorAutoscalerSpec.KafkaSignal();
    s.signals.kafka.bootstrapServers = bootstrap;
    s.signals.kafka.consumerGroup = group;
    s.signals.kafka.topics = List.of(topic);
    return s;
  }

  /**
   * {@link #onKafkaLag} with the driver's own metrics too ({@code signals.spark} on the UI port
   * {@code uiPort}), scale-ups at once and scale-downs after {@code scaleDownWindow}. The latency
   * objective, 90 s, is longer than the reaction delay the controller assumes before it has
   * measured one (executor start-up 60 s + a tick): no burst headroom is kept, so the fleet returns
   * to minExecutors once the backlog is gone.
   */
  static ExecutorAutoscalerSpec onSparkDriver(
      String app,
      String bootstrap,
      String group,
      String topic,
      int maxExecutors,
      int uiPort,
      Duration scaleDownWindow) {
    ExecutorAutoscalerSpec s = onKafkaLag(app, bootstrap, group, topic, maxExecutors);
    s.objective = new ExecutorAutoscalerSpec.Objective();
    s.objective.targetLatency = "90s";
    s.signals.spark = new ExecutorAutoscalerSpec.SparkSignal();
    s.signals.spark.port = uiPort;
    s.signals.spark.path = "/metrics/prometheus/";
    s.signals.spark.metricsNamespace = app;
    s.behavior = new ExecutorAutoscalerSpec.Behavior();
    s.behavior.scaleUp = new ExecutorAutoscalerSpec.StepBehavior();
    s.behavior.scaleUp.stabilizationWindow = "0s";
    return scaleDownWindow(s, scaleDownWindow.toSeconds() + "s");
  }

  /** {@code spec.behavior.scaleDown.stabilizationWindow}, e.g. {@code 0s}. */
  static ExecutorAutoscalerSpec scaleDownWindow(ExecutorAutoscalerSpec s, String window) {
    if (s.behavior == null) {
      s.behavior = new ExecutorAutoscalerSpec.Behavior();
    }
    s.behavior.scaleDown = new ExecutorAutoscalerSpec.StepBehavior();
    s.behavior.scaleDown.stabilizationWindow = window;
    return s;
  }

  /** Creates {@code ns/name} with the admin client. */
  static void create(KubernetesClient admin, String ns, String name, ExecutorAutoscalerSpec spec) {
    ExecutorAutoscaler eas = new ExecutorAutoscaler();
    eas.getMetadata().setNamespace(ns);
    eas.getMetadata().setName(name);
    eas.setSpec(spec);
    admin.resources(ExecutorAutoscaler.class).inNamespace(ns).resource(eas).create();
  }

  /**
   * Changes the spec of {@code ns/name} as {@code kubectl patch --type merge} does: a JSON merge
   * patch of the changed spec, without a resourceVersion. fabric8's {@code edit} sends the version
   * it read, and the controller's status writes in between make the API server answer 409.
   */
  static void editSpec(
      KubernetesClient admin,
      String ns,
      String name,
      java.util.function.Consumer<ExecutorAutoscalerSpec> change) {
    ExecutorAutoscalerSpec spec =
        admin.resources(ExecutorAutoscaler.class).inNamespace(ns).withName(name).get().getSpec();
    change.accept(spec);
    admin
        .resources(ExecutorAutoscaler.class)
        .inNamespace(ns)
        .withName(name)
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            io.fabric8.kubernetes.client.utils.Serialization.asJson(Map.of("spec", spec)));
  }
}
