package io.stoker.app.controller;

import static io.stoker.app.controller.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.stoker.app.k8s.SparkLabels;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --namespace a,b} (the chart's {@code watchNamespaces}): those namespaces and no other. */
class WatchedNamespacesTest extends MockServerControllerTest {

  @Test
  void actsInEveryListedNamespaceAndNowhereElse() throws Exception {
    for (String ns : new String[] {NS, "team-b", "unwatched"}) {
      Fixtures.driver(client, ns, "clicks");
      Fixtures.create(client, ns, "clicks", Fixtures.spec("clicks"));
      signals.kafka(ns + "/clicks", 120_000, 5_000, 2_000, 64);
    }
    Map<String, String> flags = Fixtures.fastConfig();
    flags.put("namespace", NS + ",team-b");
    operator = Fixtures.start(client, flags, "test", clock, signals);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(annotation("team-b")).isNotNull();
              assertThat(annotation(NS)).isNotNull();
            });
    int calls = signals.calls(NS + "/clicks");
    await().atMost(Duration.ofSeconds(20)).until(() -> signals.calls(NS + "/clicks") > calls + 3);
    assertThat(annotation("unwatched")).isNull();
    assertThat(signals.calls("unwatched/clicks")).isZero();
  }

  private String annotation(String ns) {
    Pod p = client.pods().inNamespace(ns).withName("clicks-driver").get();
    Map<String, String> a = p.getMetadata().getAnnotations();
    return a == null ? null : a.get(SparkLabels.TARGET_ANNOTATION);
  }
}
