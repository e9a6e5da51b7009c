package io.stoker.app.controller;

import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.stoker.app.config.OperatorConfig;
import io.stoker.app.k8s.KubernetesRuntime;
import io.stoker.app.k8s.SparkLabels;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import io.stoker.app.signals.SignalCollector;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Objects and helpers shared by the controller tests on the fabric8 mock server; public for other
 * modules' tests (the dashboards' scenario), through this module's test-jar.
 */
public final class Fixtures {
  public static final String NS = "spark-jobs";

  private Fixtures() {}

  public static void installCrd(KubernetesClient client) throws Exception {
    try (InputStream in =
        Fixtures.class.getResourceAsStream("/crds/executorautoscalers.stoker.io-v1.yml")) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(Serialization.unmarshal(in, CustomResourceDefinition.class))
          .create();
    }
  }

  /** A running driver pod of application {@code app}. */
  public static Pod driver(KubernetesClient client, String app) {
    return driver(client, NS, app);
  }

  /** A running driver pod of application {@code app} in {@code namespace}. */
  public static Pod driver(KubernetesClient client, String namespace, String app) {
    return driver(client, namespace, app, "10.0.0.1");
  }

  /**
   * A running driver pod of application {@code app} with the pod IP {@code ip} (a loopback address
   * when a test serves the driver's metrics itself).
   */
  public static Pod driver(KubernetesClient client, String namespace, String app, String ip) {
    Pod p =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(app + "-driver")
            .addToLabels(SparkLabels.ROLE, SparkLabels.DRIVER)
            .addToLabels(SparkLabels.APP_SELECTOR, "spark-" + app)
            .addToLabels("app", app)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("spark-kubernetes-driver")
            .withImage("spark")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .withPodIP(ip)
            .endStatus()
            .build();
    return client.pods().resource(p).create();
  }

  /** The Spark operator's SparkApplication CRD (v1beta2), as a cluster running it has. */
  public static void sparkApplicationCrd(KubernetesClient client) {
    createCrd(
        client,
        new CustomResourceDefinitionBuilder()
            .withNewMetadata()
            .withName("sparkapplications.sparkoperator.k8s.io")
            .endMetadata()
            .withNewSpec()
            .withGroup("sparkoperator.k8s.io")
            .withScope("Namespaced")
            .withNewNames()
            .withKind("SparkApplication")
            .withPlural("sparkapplications")
            .withSingular("sparkapplication")
            .endNames()
            .addNewVersion()
            .withName("v1beta2")
            .withServed(true)
            .withStorage(true)
            .endVersion()
            .endSpec()
            .build());
  }

  /**
   * Cluster Autoscaler's ProvisioningRequest CRD (autoscaling.x-k8s.io/v1), as a cluster whose
   * autoscaler serves it has.
   */
  public static void provisioningRequestCrd(KubernetesClient client) {
    createCrd(
        client,
        new CustomResourceDefinitionBuilder()
            .withNewMetadata()
            .withName("provisioningrequests.autoscaling.x-k8s.io")
            .endMetadata()
            .withNewSpec()
            .withGroup("autoscaling.x-k8s.io")
            .withScope("Namespaced")
            .withNewNames()
            .withKind("ProvisioningRequest")
            .withPlural("provisioningrequests")
            .withSingular("provisioningrequest")
            .endNames()
            .addNewVersion()
            .withName("v1")
            .withServed(true)
            .withStorage(true)
            .withNewSchema()
            .withNewOpenAPIV3Schema()
            .withType("object")
            .withXKubernetesPreserveUnknownFields(true)
            .endOpenAPIV3Schema()
            .endSchema()
            .endVersion()
            .endSpec()
            .build());
  }

  private static void createCrd(KubernetesClient client, CustomResourceDefinition crd) {
    client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
  }

  /** {@code n} ready executor pods of {@code app}, on no node. */
  public static void executors(KubernetesClient client, String app, int n) {
    for (int i = 1; i <= n; i++) {
      executor(client, app, i, null);
    }
  }

  /**
   * A running, ready executor pod of {@code app} with Spark's labels, on {@code node} (or none).
   */
  public static void executor(KubernetesClient client, String app, int id, String node) {
    Pod p =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(NS)
            .withName(app + "-exec-" + id)
            .addToLabels(SparkLabels.ROLE, SparkLabels.EXECUTOR)
            .addToLabels(SparkLabels.APP_SELECTOR, "spark-" + app)
            .addToLabels(SparkLabels.EXECUTOR_ID, String.valueOf(id))
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .addNewContainer()
            .withName("spark-kubernetes-executor")
            .withImage("spark")
            .withEnv(new EnvVarBuilder().withName("SPARK_EXECUTOR_CORES").withValue("4").build())
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .endStatus()
            .build();
    client.pods().resource(p).create();
  }

  /** A PriorityClass (value -10) such as the placeholders' {@code stoker-placeholder}. */
  public static void priorityClass(KubernetesClient client, String name) {
    client
        .scheduling()
        .v1()
        .priorityClasses()
        .resource(
            new PriorityClassBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withValue(-10)
                .build())
        .create();
  }

  /** An executor pod of {@code app} with 4 CPUs / 8 GiB, pending and unschedulable. */
  public static void unschedulableExecutor(KubernetesClient client, String app, int id) {
    Pod p =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(NS)
            .withName(app + "-exec-" + id)
            .addToLabels(SparkLabels.ROLE, SparkLabels.EXECUTOR)
            .addToLabels(SparkLabels.APP_SELECTOR, "spark-" + app)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("spark-kubernetes-executor")
            .withImage("spark")
            .withNewResources()
            .addToRequests("cpu", new Quantity("4"))
            .addToRequests("memory", new Quantity("8Gi"))
            .endResources()
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Pending")
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .endCondition()
            .endStatus()
            .build();
    client.pods().resource(p).create();
  }

  /** A node labelled {@code groupLabel=group} with that allocatable CPU and memory. */
  public static void node(
      KubernetesClient client,
      String name,
      String groupLabel,
      String group,
      String cpu,
      String memory) {
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels(groupLabel, group)
                .endMetadata()
                .withNewStatus()
                .addToAllocatable("cpu", new Quantity(cpu))
                .addToAllocatable("memory", new Quantity(memory))
                .addToAllocatable("pods", new Quantity("110"))
                .endStatus()
                .build())
        .create();
  }

  /** An autoscaler on the driver labelled {@code app=<app>} with a Kafka signal. */
  public static ExecutorAutoscalerSpec spec(String app) {
    ExecutorAutoscalerSpec s = new ExecutorAutoscalerSpec();
    s.target = new ExecutorAutoscalerSpec.Target();
    s.target.driverSelector = new ExecutorAutoscalerSpec.DriverSelector();
    s.target.driverSelector.matchLabels = Map.of("app", app);
    s.actuation = ExecutorAutoscalerSpec.Actuation.DriverPlugin;
    s.minExecutors = 1;
    s.maxExecutors = 20;
    s.signals = new ExecutorAutoscalerSpec.Signals();
    s.signals.kafka = new ExecutorAutoscalerSpec.KafkaSignal();
    s.signals.kafka.bootstrapServers = "kafka:9092";
    s.signals.kafka.consumerGroup = app;
    return s;
  }

  public static ExecutorAutoscaler create(
      KubernetesClient client, String name, ExecutorAutoscalerSpec s) {
    return create(client, NS, name, s);
  }

  public static ExecutorAutoscaler create(
      KubernetesClient client, String namespace, String name, ExecutorAutoscalerSpec s) {
    ExecutorAutoscaler eas = new ExecutorAutoscaler();
    eas.getMetadata().setNamespace(namespace);
    eas.getMetadata().setName(name);
    eas.setSpec(s);
    return client.resources(ExecutorAutoscaler.class).resource(eas).create();
  }

  /**
   * Changes an autoscaler's spec as {@code kubectl patch --type merge} would: a JSON merge patch of
   * the whole changed spec, without a resourceVersion. fabric8's {@code edit} sends the version it
   * read, and the controller writes the status in between on every tick: a 409.
   */
  public static void editSpec(
      KubernetesClient client, String name, Consumer<ExecutorAutoscalerSpec> change) {
    ExecutorAutoscalerSpec spec =
        client.resources(ExecutorAutoscaler.class).inNamespace(NS).withName(name).get().getSpec();
    change.accept(spec);
    client
        .resources(ExecutorAutoscaler.class)
        .inNamespace(NS)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("spec", spec)));
  }

  public static ExecutorAutoscalerStatus status(KubernetesClient client, String name) {
    ExecutorAutoscaler eas =
        client.resources(ExecutorAutoscaler.class).inNamespace(NS).withName(name).get();
    return eas == null ? null : eas.getStatus();
  }

  public static Optional<ExecutorAutoscalerStatus.Condition> condition(
      KubernetesClient client, String name, String type) {
    ExecutorAutoscalerStatus s = status(client, name);
    return s == null ? Optional.empty() : Conditions.find(s.conditions, type);
  }

  public static boolean conditionIs(
      KubernetesClient client, String name, String type, String value) {
    return condition(client, name, type).map(c -> value.equals(c.status)).orElse(false);
  }

  /** The driver pod's target annotation, or null. */
  public static String annotation(KubernetesClient client, String app) {
    Pod p = client.pods().inNamespace(NS).withName(app + "-driver").get();
    Map<String, String> a = p.getMetadata().getAnnotations();
    return a == null ? null : a.get(SparkLabels.TARGET_ANNOTATION);
  }

  /**
   * Creates StatefulSet {@code name} (pods labelled {@code app=<name>}) asking for {@code
   * replicas}: a target with a /scale subresource.
   */
  public static void statefulSet(KubernetesClient client, String name, int replicas) {
    client
        .apps()
        .statefulSets()
        .resource(
            new StatefulSetBuilder()
                .withNewMetadata()
                .withNamespace(NS)
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .addToMatchLabels("app", name)
                .endSelector()
                .endSpec()
                .build())
        .create();
  }

  /** {@link #spec} for StatefulSet {@code name}, scaled through its /scale subresource. */
  public static ExecutorAutoscalerSpec scaleSpec(String name) {
    ExecutorAutoscalerSpec spec = spec(name);
    spec.target = ExecutorAutoscalerSpec.Target.scaled("apps/v1", "StatefulSet", name);
    spec.actuation = ExecutorAutoscalerSpec.Actuation.Scale;
    return spec;
  }

  /** The replicas StatefulSet {@code name} asks for now (what a Scale actuation writes). */
  public static int replicas(KubernetesClient client, String name) {
    return client
        .apps()
        .statefulSets()
        .inNamespace(NS)
        .withName(name)
        .get()
        .getSpec()
        .getReplicas();
  }

  public static int target(KubernetesClient client, String app) {
    String a = annotation(client, app);
    return a == null ? -1 : Integer.parseInt(a);
  }

  public static List<Event> events(KubernetesClient client, String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  public static Map<String, String> fastConfig() {
    Map<String, String> m = new HashMap<>();
    m.put("tick-interval", "100ms");
    m.put("metrics-address", "127.0.0.1");
    m.put("metrics-port", "0");
    m.put("jvm-metrics", "false");
    m.put("leader-election", "false");
    m.put("kube-write-backoff", "10ms");
    m.put("kube-writes-per-second", "1000");
    m.put("kube-writes-per-autoscaler-per-minute", "1000");
    return m;
  }

  public static Operator start(
      KubernetesClient client,
      Map<String, String> flags,
      String identity,
      java.time.Clock clock,
      SignalCollector collector)
      throws Exception {
    return Operator.start(
            OperatorConfig.defaults(flags),
            identity,
            clock,
            (settings, blocking, c, onLeader) ->
                KubernetesRuntime.start(client, settings, blocking, c, onLeader),
            collector)
        .get(30, TimeUnit.SECONDS);
  }
}
