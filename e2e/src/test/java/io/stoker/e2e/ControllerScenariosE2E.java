package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.app.controller.Operator;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The controller in-process against a real kube-apiserver, authenticated with only the token of the
 * Helm chart's ServiceAccount (the least-privilege RBAC the chart renders, {@link ChartInstall}),
 * reading a real Kafka broker in the JVM. Spark's pods are objects (no kubelet): the executor count
 * the controller sees is the test's. Any 403 answered to the controller fails the test.
 */
class ControllerScenariosE2E {
  private static final String TARGET = "stoker.io/target-executors";

  private static ControlPlane cp;
  private static KubernetesClient admin;
  private static EmbeddedKafka kafka;
  private static String token;

  /** Per test: controllers, their clients and audits, watches; closed after each test. */
  private final List<AutoCloseable> toClose = new ArrayList<>();

  private final List<ApiAudit> audits = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cp = ControlPlane.start();
    // JUnit runs @AfterAll also when this fails: stop() closes whatever was started.
    admin = cp.adminClient();
    // The chart's defaults: its ServiceAccount, bound by the RBAC the chart renders.
    token = ChartInstall.install(admin, Map.of()).token();
    kafka = new EmbeddedKafka();
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.all(kafka, admin, cp);
  }

  @AfterEach
  void closeAndCheckAudit() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    for (ApiAudit a : audits) {
      assertThat(a.unexpected()).as("calls refused (RBAC) or malformed").isEmpty();
    }
  }

  /** A controller of namespace {@code ns} using the chart's ServiceAccount token, audited. */
  private Controller controller(String ns, String identity, Map<String, String> overrides)
      throws Exception {
    ApiAudit audit = new ApiAudit();
    audits.add(audit);
    KubernetesClient client = cp.clientWithToken(token, audit);
    toClose.add(client);
    Map<String, String> flags = new HashMap<>(overrides);
    flags.put("namespace", ns);
    Operator op = InProcessController.start(client, identity, InProcessController.flags(flags));
    Controller c = new Controller(op, audit);
    toClose.add(c);
    return c;
  }

  /** An operator that can be stopped in the middle of a test (closing twice is harmless). */
  static final class Controller implements AutoCloseable {
    final Operator op;
    final ApiAudit audit;
    private boolean closed;
    Instant closedAt;

    Controller(Operator op, ApiAudit audit) {
      this.op = op;
      this.audit = audit;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        op.close(Duration.ofSeconds(10));
        closedAt = Instant.now();
      }
    }
  }

  private static ExecutorAutoscalerSpec spec(String app, String group, String topic) {
    return Autoscalers.scaleDownWindow(
        Autoscalers.onKafkaLag(app, kafka.bootstrap(), group, topic, 12), "0s");
  }

  private static void create(String ns, String name, ExecutorAutoscalerSpec spec) {
    Autoscalers.create(admin, ns, name, spec);
  }

  private static Optional<ExecutorAutoscalerStatus> status(String ns, String name) {
    ExecutorAutoscaler eas =
        admin.resources(ExecutorAutoscaler.class).inNamespace(ns).withName(name).get();
    return Optional.ofNullable(eas).map(ExecutorAutoscaler::getStatus);
  }

  private static Optional<ExecutorAutoscalerStatus.Condition> condition(
      String ns, String name, String type) {
    return status(ns, name)
        .flatMap(s -> s.conditions.stream().filter(c -> type.equals(c.type)).findFirst());
  }

  private static boolean conditionIs(String ns, String name, String type, String value) {
    return condition(ns, name, type).map(c -> value.equals(c.status)).orElse(false);
  }

  /** Every value the driver pod's target annotation takes, as seen by a watch on the pod. */
  static final class AnnotationWatch implements Watcher<Pod>, AutoCloseable {
    final List<String> values = new CopyOnWriteArrayList<>();
    final List<Instant> times = new CopyOnWriteArrayList<>();
    final List<String> podEvents = new CopyOnWriteArrayList<>();
    private final Watch watch;
    private volatile String last;
    final Instant started = Instant.now();

    AnnotationWatch(String ns, String pod) {
      Pod p = admin.pods().inNamespace(ns).withName(pod).get();
      last = annotation(p);
      watch =
          admin
              .pods()
              .inNamespace(ns)
              .withName(pod)
              .watch(
                  new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                      .withResourceVersion(p.getMetadata().getResourceVersion())
                      .build(),
                  this);
    }

    private static String annotation(Pod p) {
      Map<String, String> a = p.getMetadata().getAnnotations();
      return a == null ? null : a.get(TARGET);
    }

    @Override
    public void eventReceived(Action action, Pod pod) {
      podEvents.add(action + " " + pod.getMetadata().getResourceVersion());
      String v = annotation(pod);
      if (v != null && !v.equals(last)) {
        values.add(v);
        times.add(Instant.now());
      }
      last = v;
    }

    @Override
    public void onClose(WatcherException cause) {}

    @Override
    public void close() {
      watch.close();
    }
  }

  private void produceAcross(String topic, int partitions, int perPartition) throws Exception {
    for (int p = 0; p < partitions; p++) {
      kafka.produce(topic, p, perPartition);
    }
  }

  private void commitAt(String group, String topic, int partitions, long offset) throws Exception {
    Map<TopicPartition, Long> m = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      m.put(new TopicPartition(topic, p), offset);
    }
    kafka.commit(group, m);
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void invalidSpecIsReportedAndNothingIsWritten() throws Exception {
    String ns = "invalid-spec";
    SparkPods.namespace(admin, ns);
    SparkPods pods = new SparkPods(admin, ns, "clicks");
    pods.driver("127.0.0.1", Map.of());
    pods.executor("1");
    pods.executor("2");
    AnnotationWatch watch = new AnnotationWatch(ns, pods.driverName());
    toClose.add(watch);
    Controller c = controller(ns, "stoker-0", Map.of());

    // Accepted by the CRD schema, refused by the controller: Scale actuation needs a scale target.
    ExecutorAutoscalerSpec s = spec("clicks", "clicks", "clicks");
    s.actuation = ExecutorAutoscalerSpec.Actuation.Scale;
    create(ns, "clicks", s);

    await("InvalidSpec=True")
        .atMost(Duration.ofSeconds(20))
        .until(() -> conditionIs(ns, "clicks", "InvalidSpec", "True"));
    assertThat(condition(ns, "clicks", "InvalidSpec").orElseThrow().message)
        .contains("actuation Scale needs target.scaleTargetRef");
    assertThat(condition(ns, "clicks", "ScalingActive").orElseThrow().status).isEqualTo("False");
    await("a Warning event naming the problem")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                admin.v1().events().inNamespace(ns).list().getItems().stream()
                    .anyMatch(
                        (Event e) ->
                            "Warning".equals(e.getType()) && "InvalidSpec".equals(e.getReason())));
    // Several ticks later: the driver pod was never written (no event on the watch at all) and the
    // controller's only writes were the status and the one Event.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> watch.podEvents.isEmpty());
    assertThat(pods.targetAnnotation()).isNull();
    assertThat(c.audit.podWrites()).isEmpty();
    assertThat(c.audit.writes())
        .allSatisfy(
            w ->
                assertThat(w.path())
                    .matches(".*/(executorautoscalers/clicks/status|events(/.*)?)$"));
    long eventWrites = c.audit.writes().stream().filter(w -> w.path().contains("/events")).count();
    assertThat(eventWrites).as("one Warning event, not one per tick").isEqualTo(1);
  }

  @Test
  void kafkaOutageHoldsTheTargetAndRecoversAfterRestart() throws Exception {
    String ns = "kafka-outage";
    String topic = "outage";
    String group = "outage-query";
    int partitions = 4;
    kafka.createTopic(topic, partitions);
    produceAcross(topic, partitions, 50);
    commitAt(group, topic, partitions, 50);
    SparkPods.namespace(admin, ns);
    SparkPods pods = new SparkPods(admin, ns, "orders");
    pods.driver("127.0.0.1", Map.of());
    pods.executor("1");
    pods.executor("2");
    pods.executor("3");
    Controller c = controller(ns, "stoker-0", Map.of());
    create(ns, "orders", spec("orders", group, topic));

    await("steady: signals collected and the target written")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                conditionIs(ns, "orders", "MetricsAvailable", "True")
                    && pods.targetAnnotation() != null);
    String held = pods.targetAnnotation();
    int desired = status(ns, "orders").orElseThrow().desiredExecutors;
    assertThat(held).isEqualTo(String.valueOf(desired));
    AnnotationWatch watch = new AnnotationWatch(ns, pods.driverName());
    toClose.add(watch);

    kafka.stopBroker();
    try {
      await("MetricsAvailable=False while the broker is down")
          .atMost(Duration.ofSeconds(30))
          .until(() -> conditionIs(ns, "orders", "MetricsAvailable", "False"));
      assertThat(condition(ns, "orders", "MetricsAvailable").orElseThrow().reason)
          .isEqualTo("SIGNAL_MISSING");
      // Hold for several ticks: no new target, the annotation untouched, the executors kept.
      await()
          .during(Duration.ofSeconds(4))
          .atMost(Duration.ofSeconds(6))
          .until(
              () ->
                  watch.values.isEmpty()
                      && status(ns, "orders").orElseThrow().desiredExecutors == desired);
      assertThat(pods.targetAnnotation()).isEqualTo(held);
    } finally {
      kafka.restartBroker();
    }

    await("MetricsAvailable=True after the restart")
        .atMost(Duration.ofSeconds(60))
        .until(() -> conditionIs(ns, "orders", "MetricsAvailable", "True"));
    // It acts again: a burst with the executors not keeping up raises the target.
    produceAcross(topic, partitions, 3000);
    await("scales out on the backlog after recovery")
        .atMost(Duration.ofSeconds(30))
        .until(() -> Integer.parseInt(pods.targetAnnotation()) > desired);
    assertThat(c.audit.unexpected()).isEmpty();
  }

  @Test
  void standbyTakesOverWhenTheLeaderStopsWithoutDoubleWrites() throws Exception {
    String ns = "failover";
    String topic = "failover";
    String group = "failover-query";
    int partitions = 6;
    kafka.createTopic(topic, partitions);
    produceAcross(topic, partitions, 10);
    commitAt(group, topic, partitions, 10);
    SparkPods.namespace(admin, ns);
    SparkPods pods = new SparkPods(admin, ns, "views");
    pods.driver("127.0.0.1", Map.of());
    pods.executor("1");
    Map<String, String> election =
        Map.of("leader-election", "true", "lease-name", "stoker-failover");
    Controller a = controller(ns, "stoker-a", election);
    await("stoker-a leads").atMost(Duration.ofSeconds(20)).until(a.op::isLeader);
    Controller b = controller(ns, "stoker-b", election);
    create(ns, "views", spec("views", group, topic));

    await("the leader writes the target")
        .atMost(Duration.ofSeconds(30))
        .until(() -> pods.targetAnnotation() != null);
    AnnotationWatch watch = new AnnotationWatch(ns, pods.driverName());
    toClose.add(watch);
    int before = Integer.parseInt(pods.targetAnnotation());
    produceAcross(topic, partitions, 2000);
    await("the leader scales out")
        .atMost(Duration.ofSeconds(30))
        .until(() -> Integer.parseInt(pods.targetAnnotation()) > before);
    assertThat(b.op.isLeader()).isFalse();
    assertThat(b.audit.writes()).as("the standby writes nothing").isEmpty();

    a.close();
    await("stoker-b takes over")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(b.op::isLeader);
    Instant takeover = Instant.now();
    int afterA = Integer.parseInt(pods.targetAnnotation());
    // Consumption catches up and more data arrives: the new leader acts on it.
    commitAt(group, topic, partitions, 2010);
    produceAcross(topic, partitions, 6000);
    await("the new leader changes the target")
        .atMost(Duration.ofSeconds(30))
        .until(() -> b.audit.podWrites().size() > 0);

    List<ApiAudit.Call> aWrites = a.audit.podWrites();
    List<ApiAudit.Call> bWrites = b.audit.podWrites();
    assertThat(aWrites).isNotEmpty();
    assertThat(aWrites).allMatch(w -> !w.at().isAfter(a.closedAt));
    assertThat(bWrites).allMatch(w -> w.at().isAfter(a.closedAt));
    // Each write changed the annotation: no write was repeated by the other replica.
    long writesWatched =
        java.util.stream.Stream.concat(aWrites.stream(), bWrites.stream())
            .filter(w -> w.at().isAfter(watch.started))
            .count();
    await().atMost(Duration.ofSeconds(5)).until(() -> watch.values.size() == writesWatched);
    assertThat(takeover).isAfter(a.closedAt);
    assertThat(afterA).isGreaterThan(before);
  }

  @Test
  void controllerTokenCannotDoWhatItMustNot() {
    ApiAudit audit = new ApiAudit();
    try (KubernetesClient c = cp.clientWithToken(token, audit)) {
      assertThatThrownBy(() -> c.secrets().inAnyNamespace().list())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
      assertThatThrownBy(() -> c.namespaces().withName(ChartInstall.NAMESPACE).delete())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
      assertThatThrownBy(() -> c.pods().inNamespace("default").withName("x").delete())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
    }
    assertThat(audit.forbidden()).hasSize(3);
  }
}
