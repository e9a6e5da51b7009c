package io.stoker.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.spark.ClusterFixture.Recorder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * local-cluster mode with graceful decommissioning: the target moves 3 → 1 → 3 → 1 through the
 * driver pod's annotation while a streaming query keeps tasks flowing; executors are added, then
 * gracefully decommissioned, never below the target, and no task fails; an executor the controller
 * prefers through {@code stoker.io/preferred-executors} is among those removed.
 *
 * <p>It starts at 3 so the initial executor count is deterministic: the standalone master launches
 * on every worker registered before the first target arrives.
 */
class LocalClusterScalingTest {

  private static final String DECOMMISSION_REASON = "Executor decommission: stoker scale down";

  private static ClusterFixture cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new ClusterFixture("stokercluster", 3, "3", true);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static void assertRemovedGracefully(int expectedRemoved) {
    assertThat(Recorder.removed).hasSize(expectedRemoved);
    Recorder.removed.forEach(
        (id, reason) -> assertThat(reason).as("executor %s", id).contains(DECOMMISSION_REASON));
  }

  @Test
  void targetsOneThreeOneAddThenGracefullyDecommissionExecutors() throws Exception {
    // Start at 3 (the annotation set before the driver started): exactly three executors.
    cluster.awaitExecutors(3);
    assertThat(Recorder.added.get()).isEqualTo(3);
    assertThat(cluster.gaugeValue("appliedTargetExecutors")).isEqualTo(3.0);
    assertThat(cluster.gaugeValue("actuationSupported")).isEqualTo(1.0);
    cluster.awaitTasksProgress();

    // 1: two executors are decommissioned (not killed), one stays. The controller prefers the
    // executor that registered first, which the plugin on its own (newest first) would keep: it
    // goes, and the plugin's own choice fills in the second.
    String first = Recorder.addedOrder.get(0);
    cluster.k8s.setTarget("1", first);
    cluster.awaitExecutors(1);
    assertThat(Recorder.removed).containsKey(first);
    assertThat(cluster.gaugeValue("appliedTargetExecutors")).isEqualTo(1.0);
    assertThat(cluster.gaugeValue("scaleDownExecutorsTotal")).isEqualTo(2.0);
    assertRemovedGracefully(2);
    cluster.awaitTasksProgress();

    // 3: two new executors are requested and register.
    cluster.k8s.setTarget("3");
    cluster.awaitExecutors(3);
    assertThat(Recorder.added.get()).isEqualTo(5);
    assertThat(cluster.gaugeValue("appliedTargetExecutors")).isEqualTo(3.0);
    cluster.awaitTasksProgress();

    // 1 again: two more graceful decommissions.
    cluster.k8s.setTarget("1");
    cluster.awaitExecutors(1);
    assertThat(cluster.gaugeValue("appliedTargetExecutors")).isEqualTo(1.0);
    assertThat(cluster.gaugeValue("scaleDownExecutorsTotal")).isEqualTo(4.0);
    assertRemovedGracefully(4);
    // Never below the target while scaling down.
    assertThat(Recorder.aliveAfterEachRemoval).hasSize(4).allMatch(n -> n >= 1);

    // The remaining executor keeps working and nothing failed along the way.
    cluster.awaitTasksProgress();
    assertThat(Recorder.tasksFailed).isEmpty();
    assertThat(cluster.query.isActive()).isTrue();
    assertThat(cluster.query.exception().isEmpty()).isTrue();

    // 0 (minExecutors: 0, nothing to do): the last executor leaves gracefully, once idle.
    cluster.k8s.setTarget("0");
    cluster.awaitExecutors(0);
    assertThat(cluster.gaugeValue("appliedTargetExecutors")).isEqualTo(0.0);
    assertThat(cluster.gaugeValue("rejectedAnnotations")).isEqualTo(0.0);
    assertRemovedGracefully(5);
    assertThat(Recorder.tasksFailed).isEmpty();
  }
}
