package io.stoker.app.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ExecutorCountTest {

  static Pod pod(String phase, boolean ready, boolean deleting) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName("e")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("spark-kubernetes-executor")
            .withNewResources()
            .withRequests(Map.of("cpu", new Quantity("1500m")))
            .endResources()
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase(phase)
            .addNewCondition()
            .withType("Ready")
            .withStatus(ready ? "True" : "False")
            .endCondition()
            .endStatus();
    if (deleting) {
      b.editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata();
    }
    return b.build();
  }

  @Test
  void countsReadyAndPendingAndIgnoresFinishedOrDeletingPods() {
    ExecutorCount c =
        ExecutorCount.of(
            List.of(
                pod("Running", true, false),
                pod("Running", true, false),
                pod("Running", false, false),
                pod("Pending", false, false),
                pod("Running", true, true),
                pod("Failed", false, false),
                pod("Succeeded", false, false)));
    assertThat(c.ready()).isEqualTo(2);
    assertThat(c.pending()).isEqualTo(2);
    assertThat(c.total()).isEqualTo(4);
    assertThat(c.cores()).isEqualTo(OptionalInt.of(2)); // 1500m rounded up
  }

  @Test
  void sparkExecutorCoresEnvWinsOverTheCpuRequest() {
    Pod p = pod("Running", true, false);
    p.getSpec()
        .getContainers()
        .get(0)
        .setEnv(
            List.of(new io.fabric8.kubernetes.api.model.EnvVar("SPARK_EXECUTOR_CORES", "4", null)));
    assertThat(ExecutorCount.of(List.of(p)).cores()).isEqualTo(OptionalInt.of(4));
    assertThat(ExecutorCount.of(List.of()).cores()).isEmpty();
  }

  @Test
  void selectorStringsKeepEqualityTerms() {
    assertThat(TargetResolver.parseSelector("app=w,spark-role==executor,tier!=x"))
        .containsExactly(Map.entry("app", "w"), Map.entry("spark-role", "executor"));
  }
}
