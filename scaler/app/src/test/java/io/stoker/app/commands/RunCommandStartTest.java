package io.stoker.app.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.stoker.app.controller.Fixtures;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code stoker run} against an API server (the fabric8 mock server, found through fabric8's system
 * properties as a kubeconfig would be) when its own port cannot be opened.
 */
@EnableKubernetesMockClient(crud = true)
class RunCommandStartTest {
  KubernetesClient client;

  @Test
  void aMetricsPortInUseIsReportedAsSuchAndExitsOne() throws Exception {
    Fixtures.installCrd(client);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String port = String.valueOf(taken.getLocalPort());
      Cli.Result r =
          withApiServer(
              () ->
                  Cli.run(
                      "run",
                      "--metrics-address",
                      "127.0.0.1",
                      "--metrics-port",
                      port,
                      "--leader-election",
                      "false",
                      "--jvm-metrics",
                      "false"));

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err())
          .contains("cannot listen on the metrics port 127.0.0.1:" + port)
          .contains("--metrics-port / STOKER_METRICS_PORT")
          .doesNotContain("Kubernetes API");
    }
  }

  private Cli.Result withApiServer(java.util.function.Supplier<Cli.Result> run) {
    Map<String, String> props =
        Map.of(
            "kubernetes.master", client.getMasterUrl().toString(),
            "kubernetes.trust.certificates", "true",
            "kubernetes.auth.tryKubeConfig", "false",
            "kubernetes.auth.tryServiceAccount", "false",
            "kubernetes.namespace", Fixtures.NS);
    Map<String, String> before = new HashMap<>();
    props.forEach(
        (k, v) -> {
          before.put(k, System.getProperty(k));
          System.setProperty(k, v);
        });
    try {
      // A start that binds (the bug this guards against) would run until stopped.
      return assertTimeoutPreemptively(Duration.ofSeconds(90), run::get);
    } finally {
      before.forEach(
          (k, v) -> {
            if (v == null) {
              System.clearProperty(k);
            } else {
              System.setProperty(k, v);
            }
          });
    }
  }
}
