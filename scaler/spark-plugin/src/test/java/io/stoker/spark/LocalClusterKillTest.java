package io.stoker.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoker.spark.ClusterFixture.Recorder;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * local-cluster mode with {@code spark.decommission.enabled=false}: the plugin falls back to
 * killing an idle surplus executor through the scheduler backend; no task fails. Then the API
 * server goes away and the application keeps its last applied target.
 */
class LocalClusterKillTest {

  private static ClusterFixture cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new ClusterFixture("stokerkill", 2, "2", false);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void withoutDecommissioningAnIdleSurplusExecutorIsKilled() throws Exception {
    cluster.awaitExecutors(2);
    assertThat(Recorder.added.get()).isEqualTo(2);
    cluster.awaitTasksProgress();

    cluster.k8s.setTarget("1");
    cluster.awaitExecutors(1);
    assertThat(cluster.gaugeValue("appliedTargetExecutors")).isEqualTo(1.0);
    assertThat(cluster.gaugeValue("scaleDownExecutorsTotal")).isEqualTo(1.0);
    assertThat(Recorder.removed).hasSize(1);
    Recorder.removed.forEach(
        (id, reason) -> assertThat(reason).as("executor %s", id).contains("killed by driver"));
    assertThat(Recorder.aliveAfterEachRemoval).containsExactly(1);

    cluster.awaitTasksProgress();

    // The API server goes away: the plugin notices (its resync fails), keeps the applied target
    // and the application keeps running on it.
    cluster.k8s.close();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Double.valueOf(0).equals(cluster.gaugeValue("kubernetesWatchConnected"))
                    && cluster.gaugeValue("kubernetesWatchErrors") >= 1);
    cluster.awaitTasksProgress();
    assertThat(cluster.gaugeValue("appliedTargetExecutors")).isEqualTo(1.0);
    assertThat(Recorder.alive).hasSize(1);
    assertThat(Recorder.added.get()).isEqualTo(2);
    assertThat(Recorder.tasksFailed).isEmpty();
    assertThat(cluster.query.isActive()).isTrue();
  }
}
