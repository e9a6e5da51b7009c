package io.stoker.spark;

import static io.stoker.spark.SparkTestSupport.gauge;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.Test;

/** The plugin refuses to fight dynamic allocation and never fails the application. */
class PluginSafetyTest {

  private static long countTo(SparkContext sc, int n) {
    return sc.range(0, n, 1, 2).count();
  }

  @Test
  void refusesToActWhenDynamicAllocationIsOn() throws Exception {
    String ns = "stokerda";
    try (MockKubernetes k8s = MockKubernetes.start()) {
      k8s.createDriverPod("2");
      SparkConf conf =
          SparkTestSupport.withMockPod(SparkTestSupport.conf("local[2]", ns), k8s)
              .set("spark.dynamicAllocation.enabled", "true")
              .set("spark.dynamicAllocation.shuffleTracking.enabled", "true");
      SparkContext sc = new SparkContext(conf);
      try {
        String ui = sc.uiWebUrl().get();
        assertThat(gauge(ui, ns, "dynamicAllocationRefused")).isEqualTo(1.0);
        assertThat(countTo(sc, 1000)).isEqualTo(1000L);
        // The target channel is not even opened: the annotation is never read.
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(5))
            .until(() -> Double.valueOf(-1).equals(gauge(ui, ns, "requestedTargetExecutors")));
        assertThat(gauge(ui, ns, "kubernetesWatchConnected")).isEqualTo(0.0);
      } finally {
        sc.stop();
      }
    }
  }

  @Test
  void aBrokenConfigurationIsLoggedAndTheApplicationRuns() {
    SparkConf conf =
        SparkTestSupport.conf("local[2]", "stokerbroken")
            .set("spark.stoker.reconcileInterval", "not-a-duration");
    SparkContext sc = new SparkContext(conf);
    try {
      assertThat(countTo(sc, 500)).isEqualTo(500L);
    } finally {
      sc.stop();
    }
  }

  @Test
  void anUnreachableApiServerKeepsTheApplicationRunning() throws Exception {
    String ns = "stokernok8s";
    SparkConf conf =
        SparkTestSupport.conf("local[2]", ns)
            .set("spark.kubernetes.driver.pod.name", "nowhere")
            .set("spark.stoker.kubernetes.apiServer", "http://127.0.0.1:1")
            .set("spark.stoker.kubernetes.backoff.initial", "100ms")
            .set("spark.stoker.kubernetes.backoff.max", "200ms");
    SparkContext sc = new SparkContext(conf);
    try {
      String ui = sc.uiWebUrl().get();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> gauge(ui, ns, "kubernetesWatchErrors") >= 2);
      assertThat(countTo(sc, 500)).isEqualTo(500L);
      assertThat(gauge(ui, ns, "kubernetesWatchConnected")).isEqualTo(0.0);
    } finally {
      sc.stop();
    }
  }
}
