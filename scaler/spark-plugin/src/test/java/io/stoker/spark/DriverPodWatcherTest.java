package io.stoker.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DriverPodWatcherTest {

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final PluginMetrics metrics = new PluginMetrics(new MetricRegistry());
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private static KubernetesClient clientFor(String url) {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder()
                .withMasterUrl(url)
                .withNamespace(MockKubernetes.NAMESPACE)
                .withRequestRetryBackoffLimit(0)
                .withConnectionTimeout(1000)
                .build())
        .build();
  }

  private DriverPodWatcher watcher(KubernetesClient client) {
    return new DriverPodWatcher(
        client,
        MockKubernetes.NAMESPACE,
        MockKubernetes.POD,
        PluginSettings.DEFAULT_ANNOTATION,
        seen::add,
        scheduler,
        Duration.ofMillis(100),
        Duration.ofMillis(400),
        Duration.ofSeconds(2),
        metrics);
  }

  @Test
  void deliversTheCurrentValueAndEveryChange() {
    try (MockKubernetes k8s = MockKubernetes.start();
        KubernetesClient client = clientFor(k8s.url());
        DriverPodWatcher w = watcher(client)) {
      k8s.createDriverPod("2");
      w.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("2"));
      await().atMost(Duration.ofSeconds(10)).until(() -> metrics.watchConnected.get() == 1);
      k8s.setTarget("5");
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("5"));
      k8s.setTarget("not-a-number");
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("not-a-number"));
      assertThat(metrics.watchErrors.get()).isZero();
    }
  }

  @Test
  void deliversTheTargetAndThePreferredExecutorsOfOneVersionTogether() {
    List<String> pairs = new CopyOnWriteArrayList<>();
    try (MockKubernetes k8s = MockKubernetes.start();
        KubernetesClient client = clientFor(k8s.url());
        DriverPodWatcher w =
            new DriverPodWatcher(
                client,
                MockKubernetes.NAMESPACE,
                MockKubernetes.POD,
                PluginSettings.DEFAULT_ANNOTATION,
                PluginSettings.DEFAULT_PREFERRED_ANNOTATION,
                (target, preferred) -> pairs.add(target + "|" + preferred),
                scheduler,
                Duration.ofMillis(100),
                Duration.ofMillis(400),
                Duration.ofSeconds(2),
                metrics)) {
      k8s.createDriverPod("5");
      w.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> pairs.contains("5|null"));
      k8s.setTarget("3", "12,7");
      await().atMost(Duration.ofSeconds(10)).until(() -> pairs.contains("3|12,7"));
      // Never a new target with the old preference, nor the reverse.
      assertThat(pairs).containsOnly("5|null", "3|12,7");
    }
  }

  @Test
  void retriesWithBackoffUntilTheApiServerIsReachable() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (KubernetesClient client = clientFor("http://127.0.0.1:" + port);
        DriverPodWatcher w = watcher(client)) {
      w.start();
      // Nothing listens yet: every attempt fails and is counted, nothing is delivered.
      await().atMost(Duration.ofSeconds(20)).until(() -> metrics.watchErrors.get() >= 2);
      assertThat(seen).isEmpty();
      assertThat(metrics.watchConnected.get()).isZero();
      try (MockKubernetes k8s = MockKubernetes.startOn(port)) {
        k8s.createDriverPod("4");
        await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("4"));
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.watchConnected.get() == 1);
      }
    }
  }

  @Test
  void aMissingPodIsRetriedToo() {
    try (MockKubernetes k8s = MockKubernetes.start();
        KubernetesClient client = clientFor(k8s.url());
        DriverPodWatcher w = watcher(client)) {
      w.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> metrics.watchErrors.get() >= 1);
      k8s.createDriverPod("7");
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("7"));
    }
  }

  @Test
  void reconnectsAfterTheApiServerRestarts() {
    MockKubernetes first = MockKubernetes.start();
    int port = first.port();
    try (KubernetesClient client = clientFor(first.url());
        DriverPodWatcher w = watcher(client)) {
      try {
        first.createDriverPod("2");
        w.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.watchConnected.get() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("2"));
      } finally {
        first.close();
      }
      try (MockKubernetes second = MockKubernetes.startOn(port)) {
        second.createDriverPod("6");
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("6"));
        second.setTarget("8");
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("8"));
      }
    }
  }
}
