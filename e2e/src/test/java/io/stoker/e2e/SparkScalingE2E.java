package io.stoker.e2e;

import static io.stoker.e2e.SparkStreamingRig.APP;
import static io.stoker.e2e.SparkStreamingRig.NS;
import static io.stoker.e2e.SparkStreamingRig.PARTITIONS;
import static io.stoker.e2e.SparkStreamingRig.SCALE_DOWN_WINDOW;
import static io.stoker.e2e.SparkStreamingRig.TICK;
import static io.stoker.e2e.SparkStreamingRig.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The main job end to end on real parts ({@link SparkStreamingRig}: a real Spark driver and
 * executors, a real Kafka broker, the real API server, the controller with the chart's
 * ServiceAccount): a burst scales the query out through the plugin, the backlog drains, and the
 * fleet comes back after the scale-down window. The query runs with a 500 ms trigger, which its
 * batches overrun: back to back.
 */
class SparkScalingE2E {
  private static SparkStreamingRig rig;

  @BeforeAll
  static void start() throws Exception {
    // 500 records per partition and batch
    rig = SparkStreamingRig.start("500 milliseconds", 500 * PARTITIONS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  void burstScalesOutThroughThePluginDrainsAndScalesInAfterTheWindow() throws Exception {
    // Steady: one executor (the annotation the app started with), the query consuming, nothing
    // behind, the controller collecting both signals and keeping 1.
    rig.awaitExecutors(1, Duration.ofSeconds(120));
    // Warm-up with the autoscaler capped at one executor: the controller measures what one
    // executor processes (status.executorRate) on a backlog one executor drains in ~9 s. Without a
    // measured rate the core doubles the fleet on any backlog and, with no backlog left, keeps
    // what it has, so the scale-in below would depend on whether the burst let it measure one.
    ExecutorAutoscalerSpec warmUp = rig.spec();
    warmUp.maxExecutors = 1;
    Autoscalers.create(rig.admin, NS, APP, warmUp);
    for (int p = 0; p < PARTITIONS; p++) {
      rig.kafka.produce(TOPIC, p, 1500);
    }
    await("the executor rate is measured and the warm-up backlog drained")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                rig.lag() == 0
                    && rig.status()
                        .map(st -> st.executorRate != null && st.executorRate > 0)
                        .orElse(false));
    // a merge patch without a resourceVersion: the controller's status writes would make an
    // edit of the version read conflict (409)
    Autoscalers.editSpec(rig.admin, NS, APP, spec -> spec.maxExecutors = PARTITIONS);
    // Steady before the burst: the warm-up's arrivals have left the one-minute rate average, so
    // one executor is what the controller wants and any rise below answers the burst alone.
    await("the controller sees the app, steady at one executor")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                rig.metricsAvailable()
                    && rig.desired() == 1
                    && rig.annotation() == 1
                    && rig.status()
                        .map(
                            st ->
                                st.arrivalRate != null
                                    && st.executorRate != null
                                    && st.arrivalRate < 0.5 * st.executorRate)
                        .orElse(false));

    // Burst: 24000 records in a few seconds, ~48 s of work for one executor.
    for (int p = 0; p < PARTITIONS; p++) {
      rig.kafka.produce(TOPIC, p, 8000);
    }
    Instant burst = Instant.now();
    // Two ticks when the machine is idle (3.7-5.7 s measured); a loaded 2-core machine was seen to
    // take a third. The bound is a correctness check (the burst is answered by the next ticks);
    // the reaction time itself is measured by ReactionLatencyBench and printed below.
    await("desired executors rise within a few ticks")
        .atMost(TICK.multipliedBy(5).plusSeconds(2))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> rig.desired() > 1);
    Duration toDecision = Duration.between(burst, Instant.now());
    await("the annotation is written on the driver pod")
        .atMost(TICK)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> rig.annotation() > 1);

    // The plugin applies it: more executors register (and are mirrored as pods).
    await("the plugin raises executors")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                rig.mirror.liveExecutors().size() > 1
                    && rig.pluginGauge("appliedTargetExecutors") > 1);
    int peak = rig.annotation();
    rig.awaitExecutors(peak, Duration.ofSeconds(90));
    Instant lastScaleUp = Instant.parse(rig.status().orElseThrow().lastScaleTime);

    // The backlog drains; the target comes back to 1 only after the scale-down window.
    await("the lag drains")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> rig.lag() == 0);
    await("scale-in to minExecutors")
        .atMost(SCALE_DOWN_WINDOW.plusSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> rig.annotation() == 1);
    Instant scaleIn = Instant.now();
    assertThat(Duration.between(lastScaleUp, scaleIn))
        .as("scale-in waits for the stabilisation window after the last scale-up")
        .isGreaterThanOrEqualTo(SCALE_DOWN_WINDOW);
    rig.awaitExecutors(1, Duration.ofSeconds(90));
    assertThat(rig.pluginGauge("scaleDownExecutorsTotal")).isGreaterThanOrEqualTo(peak - 1.0);
    assertThat(rig.audit.unexpected()).as("calls refused (RBAC) or malformed").isEmpty();
    System.out.printf(
        "SparkScalingE2E: burst -> desired %d in %d ms; peak %d executors; scale-in %d s after the"
            + " last scale-up%n",
        peak, toDecision.toMillis(), peak, Duration.between(lastScaleUp, scaleIn).toSeconds());
  }
}
