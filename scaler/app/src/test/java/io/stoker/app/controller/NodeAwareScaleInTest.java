package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stoker.app.k8s.SparkLabels;
import io.stoker.app.k8s.model.ExecutorAutoscalerSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A scale-down through the driver plugin names the executors to remove so that nodes empty: the
 * controller writes {@code stoker.io/preferred-executors} with the target, in one merge patch, from
 * the executor pods' nodes; a scale-up removes it.
 */
class NodeAwareScaleInTest extends MockServerControllerTest {

  /**
   * Six executors spread over three nodes as kube-scheduler's default scoring spreads them (a: 1,
   * 4; b: 2, 5; c: 3, 6), and another application's executor on b. Removal order: a and c can be
   * emptied (b keeps the other pod), c before a as it holds the newest executor, the newest first
   * on each: 6 3 4 1 5 2.
   */
  private static final List<String> ORDER = List.of("6", "3", "4", "1", "5", "2");

  @Test
  void aLowerTargetComesWithTheExecutorsThatEmptyNodesFirst() throws Exception {
    Fixtures.driver(client, "spread");
    String[] nodes = {"node-a", "node-b", "node-c"};
    for (int i = 1; i <= 6; i++) {
      Fixtures.executor(client, "spread", i, nodes[(i - 1) % 3]);
    }
    Fixtures.executor(client, "other", 1, "node-b");
    ExecutorAutoscalerSpec spec = Fixtures.spec("spread");
    spec.behavior = new ExecutorAutoscalerSpec.Behavior();
    spec.behavior.scaleDown = new ExecutorAutoscalerSpec.StepBehavior();
    spec.behavior.scaleDown.stabilizationWindow = "0s";
    Fixtures.create(client, "spread", spec);
    String key = NS + "/spread";
    // Busy: six executors 90 % busy (a known busy fraction teaches the executor rate at once).
    signals.kafkaBusy(key, 0, 5_400, 5_400, 64, 0.9);
    operator = Fixtures.start(client, Fixtures.fastConfig(), "node-aware", clock, signals);
    await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.target(client, "spread") == 6);
    assertThat(preferred()).as("no scale-down yet").isNull();

    // Quiet: fewer executors' worth. The lower target names the surplus, nodes a and c first.
    signals.kafkaBusy(key, 0, 2_500, 2_500, 64, 0.4);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              clock.advance(Duration.ofSeconds(5));
              return Fixtures.target(client, "spread") < 6;
            });
    int target = Fixtures.target(client, "spread");
    assertThat(preferred())
        .as("the executors to remove for target %d", target)
        .isEqualTo(String.join(",", ORDER.subList(0, 6 - target)));

    // Busy again: a higher target, and the preference is gone.
    signals.kafkaBusy(key, 20_000, 12_000, 6_000, 64, 1.0);
    await().atMost(Duration.ofSeconds(30)).until(() -> Fixtures.target(client, "spread") > target);
    assertThat(preferred()).isNull();
  }

  private String preferred() {
    Map<String, String> a =
        client
            .pods()
            .inNamespace(NS)
            .withName("spread-driver")
            .get()
            .getMetadata()
            .getAnnotations();
    return a == null ? null : a.get(SparkLabels.PREFERRED_ANNOTATION);
  }
}
