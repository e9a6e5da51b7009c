package io.stoker.e2e;

import static io.stoker.e2e.SparkStreamingRig.APP;
import static io.stoker.e2e.SparkStreamingRig.NS;
import static io.stoker.e2e.SparkStreamingRig.PARTITIONS;
import static io.stoker.e2e.SparkStreamingRig.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import java.time.Duration;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rule "read cap" on a real driver: the query reads at most 1500 records per 10 s trigger ({@code
 * maxOffsetsPerTrigger}), 150/s whatever the executors, and one executor runs such a batch in about
 * 3 s. After a burst of 15,000 records the controller first scales out for the lag; once the batch
 * progress the plugin publishes shows two batches reading the cap while records waited, it comes
 * back to one executor while the capped batches still work the lag off, and nothing is lost.
 */
class SparkReadCapE2E {
  private static final int CAP = 1500;

  private static SparkStreamingRig rig;

  @BeforeAll
  static void start() throws Exception {
    rig = SparkStreamingRig.start("10 seconds", CAP, Map.of("status-refresh-interval", "2s"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  private static String diagnosis() {
    String lag;
    try {
      lag = String.valueOf(rig.lag());
    } catch (Exception e) {
      lag = e.toString();
    }
    return "status: "
        + rig.status().map(Serialization::asJson).orElse("none")
        + "; lag "
        + lag
        + "; read_capped decisions "
        + rig.decisions("read_capped");
  }

  @Test
  void cappedBatchesAreNoReasonToKeepExecutors() throws Exception {
    rig.awaitExecutors(1, Duration.ofSeconds(120));
    ExecutorAutoscalerSpec spec = rig.spec();
    spec.maxExecutors = PARTITIONS;
    // an objective short enough that the burst's lag calls for more than one executor
    spec.objective.targetLatency = "20s";
    Autoscalers.create(rig.admin, NS, APP, spec);

    // The executor rate, from a batch the cap does not touch.
    long produced = 0;
    for (int p = 0; p < PARTITIONS; p++) {
      rig.kafka.produce(TOPIC, p, 200);
      produced += 200;
    }
    try {
      await("the executor rate is measured, steady at one executor")
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(
              () ->
                  rig.lag() == 0
                      && rig.metricsAvailable()
                      && rig.desired() == 1
                      && rig.status()
                          .map(st -> st.executorRate != null && st.executorRate > 0)
                          .orElse(false));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(diagnosis(), e);
    }

    // Burst: 15,000 records, 100 s of capped batches. Without rule "read cap" the fleet stays out
    // while records wait (no scale-down while a backlog drains), until the last batch or two.
    for (int p = 0; p < PARTITIONS; p++) {
      rig.kafka.produce(TOPIC, p, 5000);
      produced += 5000;
    }
    int[] peak = {1};
    try {
      await("the controller scales out for the lag")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> (peak[0] = Math.max(peak[0], rig.annotation())) > 1);
      await("the read cap is seen and the fleet is back to one executor")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> rig.annotation() == 1 && rig.decisions("read_capped") > 0);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(diagnosis(), e);
    }
    long left = rig.lag();
    assertThat(left)
        .as("records still waiting when the fleet came back to one executor: " + diagnosis())
        .isGreaterThan(CAP);

    // Nothing lost: the capped batches work the rest off, one executor running them.
    long end = 0;
    for (long offset : rig.probe.endOffsets(TOPIC)) {
      end += offset;
    }
    assertThat(end).as("records in the topic").isEqualTo(produced);
    await("every record produced is committed")
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> rig.lag() == 0);
    assertThat(rig.annotation()).as(diagnosis()).isEqualTo(1);
    assertThat(rig.audit.unexpected()).as("calls refused (RBAC) or malformed").isEmpty();
    System.out.printf(
        "SparkReadCapE2E: peak %d executors, %d records waiting when back to one; last decision"
            + " %s%n",
        peak[0],
        left,
        rig.status().map(s -> s.lastDecision == null ? "none" : s.lastDecision.reason).orElse("?"));
  }
}
