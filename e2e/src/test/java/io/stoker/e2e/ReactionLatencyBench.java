package io.stoker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.app.controller.Operator;
import io.stoker.app.k8s.model.ExecutorAutoscaler;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reaction latency: from a lag jump on a real Kafka broker to the controller's write on the real
 * API server, as a watch on the driver pod sees it (the moment the driver plugin would see it),
 * over repeated bursts. It prints p50/p99/max and asserts only behaviour (every burst is answered
 * by a scale-out write): figures on a shared 2-core machine are not a pass/fail criterion. See
 * docs/benchmarks.md "Reaction latency"; {@code -Dstoker.latency.bursts=N} (default 8).
 *
 * <p>The executors are a fake fleet driven by the annotation (pods appear at once, each consumes
 * 1000 records/s by committing the group's offsets), so bursts can be repeated quickly; the Spark
 * path from annotation to executors is {@link SparkScalingE2E}'s.
 */
class ReactionLatencyBench {
  private static final String NS = "latency";
  private static final String APP = "ingest";
  private static final String TOPIC = "ingest";
  private static final String GROUP = "ingest-query";
  private static final int PARTITIONS = 4;
  private static final int RATE_PER_EXECUTOR = 1000;
  private static final Duration TICK = Duration.ofSeconds(1);

  /**
   * Records a burst puts on each partition: 120,000 in all, more than one executor (1,000/s) drains
   * within the 90 s objective, so that every burst needs a scale-out also once the executor rate is
   * learned (a burst one executor drains in time is rightly answered with no write), while the four
   * executors of the partition cap drain it in 30 s, well within the objective, so that no burst
   * headroom is kept between bursts.
   */
  private static final int BURST_PER_PARTITION = 30_000;

  private static ControlPlane cp;
  private static KubernetesClient admin;
  private static EmbeddedKafka kafka;
  private static KubernetesClient controllerClient;
  private static Operator controller;
  private static final ApiAudit AUDIT = new ApiAudit();
  private static SparkPods pods;
  private static FakeFleet fleet;
  private static Watch watch;

  /** Annotation changes seen by the watch: (value, nanoTime). */
  private static final BlockingQueue<long[]> CHANGES = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() throws Exception {
    // JUnit runs @AfterAll also when this fails: stop() closes whatever was started.
    cp = ControlPlane.start();
    admin = cp.adminClient();
    // The chart's defaults: its ServiceAccount, bound by the RBAC the chart renders.
    ChartInstall chart = ChartInstall.install(admin, Map.of());
    kafka = new EmbeddedKafka();
    kafka.createTopic(TOPIC, PARTITIONS);
    Map<TopicPartition, Long> zero = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      zero.put(new TopicPartition(TOPIC, p), 0L);
    }
    kafka.commit(GROUP, zero);
    SparkPods.namespace(admin, NS);
    pods = new SparkPods(admin, NS, APP);
    Pod driver = pods.driver("127.0.0.1", Map.of("stoker.io/target-executors", "1"));
    watch =
        admin
            .pods()
            .inNamespace(NS)
            .withName(pods.driverName())
            .watch(
                new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                    .withResourceVersion(driver.getMetadata().getResourceVersion())
                    .build(),
                new AnnotationChanges());
    fleet = new FakeFleet(pods, kafka, TOPIC, PARTITIONS, GROUP, RATE_PER_EXECUTOR);
    controllerClient = cp.clientWithToken(chart.token(), AUDIT);
    controller =
        InProcessController.start(
            controllerClient,
            "stoker-0",
            InProcessController.flags(
                Map.of("namespace", NS, "tick-interval", TICK.toMillis() + "ms")));
    Autoscalers.create(admin, NS, APP, spec());
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.all(
        fleet,
        watch,
        controller == null ? null : () -> controller.close(Duration.ofSeconds(10)),
        controllerClient,
        kafka,
        admin,
        cp);
  }

  private static ExecutorAutoscalerSpec spec() {
    ExecutorAutoscalerSpec s =
        Autoscalers.scaleDownWindow(
            Autoscalers.onKafkaLag(APP, kafka.bootstrap(), GROUP, TOPIC, PARTITIONS), "0s");
    s.objective = new ExecutorAutoscalerSpec.Objective();
    // Longer than the reaction delay assumed before one is measured (executor start-up 60 s + a
    // tick), so no burst headroom is kept and the fleet returns to one executor between bursts.
    s.objective.targetLatency = "90s";
    return s;
  }

  private static final class AnnotationChanges implements Watcher<Pod> {
    private String last = "1";

    @Override
    public void eventReceived(Action action, Pod pod) {
      long now = System.nanoTime();
      Map<String, String> a = pod.getMetadata().getAnnotations();
      String v = a == null ? null : a.get("stoker.io/target-executors");
      if (v != null && !v.equals(last)) {
        CHANGES.add(new long[] {Long.parseLong(v), now});
      }
      last = v;
    }

    @Override
    public void onClose(WatcherException cause) {}
  }

  private static boolean controllerSeesNoLag() {
    ExecutorAutoscaler eas =
        admin.resources(ExecutorAutoscaler.class).inNamespace(NS).withName(APP).get();
    return eas != null
        && eas.getStatus() != null
        && Long.valueOf(0).equals(eas.getStatus().lagRecords)
        && Integer.valueOf(1).equals(eas.getStatus().desiredExecutors);
  }

  private static long lag() throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
    }
    long end = 0;
    for (var e : kafka.admin().listOffsets(latest).all().get().values()) {
      end += e.offset();
    }
    long committed = 0;
    for (var e :
        kafka
            .admin()
            .listConsumerGroupOffsets(GROUP)
            .partitionsToOffsetAndMetadata()
            .get()
            .values()) {
      committed += e.offset();
    }
    return end - committed;
  }

  @Test
  void everyLagJumpIsAnsweredWithAScaleOutWrite() throws Exception {
    int bursts = Integer.getInteger("stoker.latency.bursts", 8);
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < bursts; i++) {
      try {
        // The Kafka arrival rate is an average over the last minute: the fleet shrinks about a
        // minute after a burst.
        await("back to one executor with no lag")
            .atMost(Duration.ofSeconds(180))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> fleet.executors() == 1 && lag() == 0);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(
            "burst "
                + (i + 1)
                + ": executors="
                + fleet.executors()
                + " lag="
                + lag()
                + " fleet error="
                + fleet.lastError()
                + " status="
                + io.fabric8.kubernetes.client.utils.Serialization.asJson(
                    admin.resources(ExecutorAutoscaler.class).inNamespace(NS).withName(APP).get()),
            e);
      }
      await("the controller has seen the drained state")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(ReactionLatencyBench::controllerSeesNoLag);
      CHANGES.clear();
      for (int p = 0; p < PARTITIONS; p++) {
        kafka.produce(TOPIC, p, BURST_PER_PARTITION);
      }
      // The lag has fully jumped once the broker acknowledged the burst's last record; a write
      // that answers a partial jump earlier counts as 0.
      long jumped = System.nanoTime();
      long[] change = CHANGES.poll(30, TimeUnit.SECONDS);
      assertThat(change)
          .as(
              "burst %d (%s ms before it): a write on the driver pod; status %s",
              i + 1,
              millis,
              io.fabric8.kubernetes.client.utils.Serialization.asJson(
                  admin
                      .resources(ExecutorAutoscaler.class)
                      .inNamespace(NS)
                      .withName(APP)
                      .get()
                      .getStatus()))
          .isNotNull();
      assertThat(change[0]).as("burst %d: a scale-out", i + 1).isGreaterThan(1);
      millis.add(Math.max(0, TimeUnit.NANOSECONDS.toMillis(change[1] - jumped)));
    }
    List<Long> sorted = millis.stream().sorted().toList();
    System.out.printf(
        "Reaction latency (lag jump -> annotation seen by a watch), tick %d ms, %d bursts:"
            + " p50 %d ms, p99 %d ms, max %d ms, all %s%n",
        TICK.toMillis(),
        bursts,
        percentile(sorted, 0.50),
        percentile(sorted, 0.99),
        sorted.get(sorted.size() - 1),
        millis);
    assertThat(AUDIT.unexpected()).isEmpty();
  }

  /** Nearest-rank percentile. */
  static long percentile(List<Long> sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }
}
