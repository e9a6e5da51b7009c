package io.stoker.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.app.config.OperatorConfig;
import io.stoker.app.controller.Operator;
import io.stoker.app.k8s.KubernetesRuntime;
import io.stoker.app.signals.AdapterSignalCollector;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code stoker run} in the test JVM: the same {@link Operator} assembly and the real signal
 * adapters, with a given Kubernetes client (the chart's ServiceAccount's token) instead of the
 * kubeconfig, so the test can audit every call it makes.
 */
final class InProcessController {
  private InProcessController() {}

  /** Short tick and lease settings for tests; any of them can be overridden. */
  static Map<String, String> flags(Map<String, String> overrides) {
    Map<String, String> m = new HashMap<>();
    m.put("tick-interval", "1s");
    m.put("signal-timeout", "700ms");
    m.put("metrics-address", "127.0.0.1");
    m.put("metrics-port", "0");
    m.put("leader-election", "false");
    m.put("lease-namespace", ChartInstall.NAMESPACE);
    m.put("lease-duration", "4s");
    m.put("lease-renew-deadline", "3s");
    m.put("lease-retry-period", "500ms");
    m.put("kube-writes-per-autoscaler-per-minute", "600");
    m.putAll(overrides);
    return m;
  }

  static Operator start(KubernetesClient client, String identity, Map<String, String> flags)
      throws Exception {
    Clock clock = Clock.systemUTC();
    return Operator.start(
            OperatorConfig.defaults(flags),
            identity,
            clock,
            (settings, blocking, c, onLeader) ->
                KubernetesRuntime.start(client, settings, blocking, c, onLeader),
            new AdapterSignalCollector(new AdapterContext(clock)))
        .get(60, TimeUnit.SECONDS);
  }
}
