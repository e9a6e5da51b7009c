package io.stoker.e2e;

import static io.stoker.e2e.SparkStreamingRig.APP;
import static io.stoker.e2e.SparkStreamingRig.NS;
import static io.stoker.e2e.SparkStreamingRig.PARTITIONS;
import static io.stoker.e2e.SparkStreamingRig.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sibling of {@link SparkScalingE2E} with a trigger that shapes the batches: {@code
 * Trigger.ProcessingTime("10 seconds")}, so a batch that fits waits for the next multiple of 10 s.
 * The decision uses the real batch progress the plugin publishes (status.lastBatch shows the batch
 * the decision's observation carried, with the trigger interval the plugin inferred from the batch
 * starts); a burst scales the query out, the backlog drains, the fleet comes back to one executor,
 * and every record produced is committed.
 */
class SparkBatchScalingE2E {
  private static final long TRIGGER_SECONDS = 10;

  private static SparkStreamingRig rig;
  private static ScheduledExecutorService trickle;
  private static final AtomicLong produced = new AtomicLong();
  private static final AtomicReference<Throwable> trickleFailed = new AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    // No practical cap on a batch: with a trigger, a cap of n records per batch would cap the
    // query at n per interval whatever the executors, and scaling out could not help
    // (SparkReadCapE2E).
    // The last batch in the status as soon as it changes (by default the observed values are
    // rewritten every one to two minutes).
    rig =
        SparkStreamingRig.start(
            TRIGGER_SECONDS + " seconds", 1_000_000, Map.of("status-refresh-interval", "2s"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (trickle != null) {
      trickle.shutdownNow();
      trickle.awaitTermination(30, TimeUnit.SECONDS);
    }
    if (rig != null) {
      rig.close();
    }
  }

  /** Records arrive all the time (60/s), so batches keep running between bursts. */
  private static void startTrickle() {
    trickle = Executors.newSingleThreadScheduledExecutor();
    trickle.scheduleAtFixedRate(
        () -> {
          try {
            for (int p = 0; p < PARTITIONS; p++) {
              rig.kafka.produce(TOPIC, p, 20);
              produced.addAndGet(20);
            }
          } catch (Exception t) {
            trickleFailed.compareAndSet(null, t);
          }
        },
        0,
        1,
        TimeUnit.SECONDS);
  }

  private static Map<TopicPartition, OffsetSpec> latest() {
    Map<TopicPartition, OffsetSpec> m = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      m.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
    }
    return m;
  }

  private static boolean batchObserved() {
    ExecutorAutoscalerStatus st = rig.status().orElse(null);
    return st != null
        && st.lastBatch != null
        && st.lastBatch.inputRows != null
        && st.lastBatch.inputRows > 0
        && st.lastBatch.triggerIntervalSeconds != null
        && st.lastBatch.triggerIntervalSeconds == TRIGGER_SECONDS;
  }

  /** What the controller and the plugin showed, for a failure message. */
  private static String diagnosis() {
    StringBuilder d = new StringBuilder("status: ");
    d.append(rig.status().map(Serialization::asJson).orElse("none"));
    for (String g :
        new String[] {
          "batchId",
          "lastBatchInputRows",
          "batchDurationMs",
          "addBatchMs",
          "triggerIntervalMs",
          "batchTaskSlotMs",
          "lastBatchAgeMs"
        }) {
      try {
        d.append("; ").append(g).append('=').append(rig.pluginGauge("streaming_clicks_" + g));
      } catch (Exception e) {
        d.append("; ").append(g).append(": ").append(e);
      }
    }
    // Whether the controller reconciled at all, and what its signals said (its own metrics).
    if (rig.controller != null) {
      d.append("; controller: skipped reconciles ").append(rig.controller.controller().skipped());
      for (var f :
          java.util.Collections.list(rig.controller.metrics().registry().metricFamilySamples())) {
        for (var sample : f.samples) {
          if (sample.name.contains("reconcile_duration_seconds_count")
              || sample.name.contains("signal_errors_total")
              || sample.name.contains("lag_records")
              || sample.name.contains("desired_executors")) {
            d.append("; ").append(sample.name).append(sample.labelValues).append('=');
            d.append(sample.value);
          }
        }
      }
      d.append("; lag now ");
      try {
        d.append(rig.lag());
      } catch (Exception e) {
        d.append(e);
      }
    }
    return d.toString();
  }

  @Test
  void burstScalesOutAndBackWithTheBatchProgressThePluginPublishes() throws Exception {
    rig.awaitExecutors(1, Duration.ofSeconds(120));
    ExecutorAutoscalerSpec spec = rig.spec();
    spec.maxExecutors = PARTITIONS;
    Autoscalers.create(rig.admin, NS, APP, spec);
    startTrickle();

    // The plugin infers the trigger from batches that waited for it; the controller's observation
    // carries the batch (status.lastBatch), and one executor is what the trickle needs.
    try {
      await("the decision carries the batch progress, with the 10 s trigger")
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(
              () ->
                  batchObserved()
                      && rig.metricsAvailable()
                      && rig.desired() == 1
                      && rig.annotation() == 1);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(diagnosis(), e);
    }
    assertThat(rig.pluginGauge("streaming_clicks_triggerIntervalMs")).isEqualTo(10_000.0);
    assertThat(rig.pluginGauge("streaming_clicks_batchTaskSlotMs")).isPositive();

    // Burst: 36,000 records at once, one batch of three 24 s tasks: ~72 s on one executor, the
    // executors added while it runs take the tasks not started yet.
    for (int p = 0; p < PARTITIONS; p++) {
      rig.kafka.produce(TOPIC, p, 12_000);
      produced.addAndGet(12_000);
    }
    try {
      await("the controller scales out")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> rig.annotation() > 1);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(diagnosis(), e);
    }
    await("the plugin raises executors")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                rig.mirror.liveExecutors().size() > 1
                    && rig.pluginGauge("appliedTargetExecutors") > 1);
    int peak = rig.annotation();

    await("the burst drains")
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> rig.lag() < 2_000);
    try {
      await("back to one executor, the batch progress still in the decision")
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> rig.annotation() == 1 && batchObserved());
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(diagnosis(), e);
    }
    rig.awaitExecutors(1, Duration.ofSeconds(90));

    // Nothing lost: once the trickle stops, every record produced is committed. (shutdown lets a
    // round in progress finish: interrupted, the producer would fail its flush.)
    trickle.shutdown();
    assertThat(trickle.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(trickleFailed.get()).as("the trickle producer").isNull();
    long end = 0;
    for (var e : rig.kafka.admin().listOffsets(latest()).all().get().values()) {
      end += e.offset();
    }
    assertThat(end).as("records in the topic").isEqualTo(produced.get());
    await("every record produced is committed")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> rig.lag() == 0);
    assertThat(rig.audit.unexpected()).as("calls refused (RBAC) or malformed").isEmpty();
    // Rule "read cap" never took these batches for capped ones: each read everything queued (the
    // source's cap is far above any batch), so the lag was the executors' to work off.
    assertThat(rig.decisions("demand")).as("decisions sized on demand").isPositive();
    assertThat(rig.decisions("read_capped")).as("decisions that saw a read cap").isZero();
    System.out.printf(
        "SparkBatchScalingE2E: peak %d executors; last batch %s%n",
        peak, rig.status().map(s -> s.lastBatch.inputRows + " rows").orElse("?"));
  }
}
