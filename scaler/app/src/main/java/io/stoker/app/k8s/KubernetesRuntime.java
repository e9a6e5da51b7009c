package io.stoker.app.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.stoker.app.k8s.capacity.CapacityHints;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Everything the controller holds of Kubernetes: the client, the informer caches, leader election,
 * the write guard and the read/write ports built on them. The rest of the application sees only
 * {@link KubernetesPorts} and this class, never the fabric8 client.
 */
public final class KubernetesRuntime implements AutoCloseable {

  /**
   * @param namespaces watch only these namespaces (empty: all)
   * @param limits write limits
   * @param election lease settings (empty: this replica is always the leader)
   * @param identity this replica's name, for events and the lease
   * @param secretTtl how long a read Secret is reused
   * @param capacity settings of the capacity features
   */
  public record Settings(
      List<String> namespaces,
      WriteGuard.Limits limits,
      Optional<LeaderElection.Settings> election,
      String identity,
      Duration secretTtl,
      CapacityHints.Settings capacity) {}

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final LeaderElection election;
  private final WriteGuard guard;
  private final ClusterView view;
  private final KubernetesPorts ports;

  private KubernetesRuntime(
      KubernetesClient client,
      boolean ownsClient,
      LeaderElection election,
      WriteGuard guard,
      ClusterView view,
      KubernetesPorts ports) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.election = election;
    this.guard = guard;
    this.view = view;
    this.ports = ports;
  }

  /** Connects with the kubeconfig or the in-cluster service account, as fabric8 finds them. */
  public static CompletableFuture<KubernetesRuntime> connect(
      Settings settings, Executor blocking, Clock clock, Consumer<Boolean> onLeader) {
    return start(new KubernetesClientBuilder().build(), true, settings, blocking, clock, onLeader);
  }

  /** Uses a given client (tests: the fabric8 mock server); the caller closes it. */
  public static CompletableFuture<KubernetesRuntime> start(
      KubernetesClient client,
      Settings settings,
      Executor blocking,
      Clock clock,
      Consumer<Boolean> onLeader) {
    return start(client, false, settings, blocking, clock, onLeader);
  }

  private static CompletableFuture<KubernetesRuntime> start(
      KubernetesClient client,
      boolean owns,
      Settings settings,
      Executor blocking,
      Clock clock,
      Consumer<Boolean> onLeader) {
    return ClusterView.start(client, settings.namespaces())
        .thenApply(
            view -> {
              LeaderElection election =
                  settings
                      .election()
                      .map(e -> LeaderElection.start(client, e, onLeader))
                      .orElseGet(() -> LeaderElection.disabled(onLeader));
              WriteGuard guard = new WriteGuard(settings.limits(), election::isLeader);
              KubernetesPorts ports =
                  new KubernetesPorts(
                      view,
                      new TargetResolver(client, view, blocking),
                      new SecretReader(client, blocking, clock, settings.secretTtl()),
                      new Realizer(client, guard, blocking),
                      new StatusWriter(client, guard, blocking),
                      new EventRecorder(client, guard, blocking, clock, settings.identity()),
                      new CapacityHints(client, view, guard, blocking, clock, settings.capacity()),
                      guard);
              return new KubernetesRuntime(client, owns, election, guard, view, ports);
            });
  }

  public KubernetesPorts ports() {
    return ports;
  }

  public WriteGuard guard() {
    return guard;
  }

  public boolean isLeader() {
    return election.isLeader();
  }

  public boolean synced() {
    return view.synced();
  }

  /** Releases the lease, stops the informers and (if owned) closes the client. */
  @Override
  public void close() {
    election.close();
    view.close();
    if (ownsClient) {
      client.close();
    }
  }
}
