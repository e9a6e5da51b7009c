package io.stoker.app.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.stoker.app.controller.ports.ClusterPorts;
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
 * the write guard and the read/write ports built on them. The rest of the application sees only the
 * {@link ClusterPorts} (the reconcile) and this class, never the fabric8 client.
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
  private final ClusterPorts ports;
  private final Duration leaseRequestTimeout;

  private static final Duration MIN_REQUEST_TIMEOUT = Duration.ofMillis(250);

  private KubernetesRuntime(
      KubernetesClient client,
      boolean ownsClient,
      LeaderElection election,
      WriteGuard guard,
      ClusterView view,
      ClusterPorts ports,
      Duration leaseRequestTimeout) {
    this.leaseRequestTimeout = leaseRequestTimeout;
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
              KubernetesClient writer =
                  settings.election().map(e -> fenced(client, e)).orElse(client);
              LeaderElection election =
                  settings
                      .election()
                      .map(e -> LeaderElection.start(writer, e, onLeader))
                      .orElseGet(() -> LeaderElection.disabled(onLeader));
              WriteGuard guard = new WriteGuard(settings.limits(), election::term);
              ClusterPorts ports =
                  new ClusterPorts(
                      view,
                      new TargetResolver(client, view, blocking),
                      new SecretReader(client, blocking, clock, settings.secretTtl()),
                      new Realizer(writer, guard, blocking),
                      new StatusWriter(writer, guard, blocking),
                      new EventRecorder(writer, guard, blocking, clock, settings.identity()),
                      new CapacityHints(writer, view, guard, blocking, clock, settings.capacity()),
                      guard);
              return new KubernetesRuntime(
                  client,
                  owns,
                  election,
                  guard,
                  view,
                  ports,
                  settings.election().map(KubernetesRuntime::requestTimeout).orElse(Duration.ZERO));
            });
  }

  /**
   * The client of the Lease calls and of every write when leader election is on: the same
   * connection (and interceptors) as {@code client}, without fabric8's own request retries (the
   * {@link WriteGuard} retries, checking the leadership before each attempt) and with requests
   * timed out after {@code leaseDuration - renewDeadline}. So no write, nor a retry of one, is sent
   * after the leadership ended, and a write sent just before the fence completes or fails before
   * another replica can take the lease.
   */
  static KubernetesClient fenced(KubernetesClient client, LeaderElection.Settings lease) {
    RequestConfig config =
        new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
            .withRequestRetryBackoffLimit(0)
            .withRequestTimeout((int) requestTimeout(lease).toMillis())
            .build();
    return client.newClient(config).adapt(KubernetesClient.class);
  }

  /** The margin between the leader's fence and the earliest takeover, at least 250 ms. */
  static Duration requestTimeout(LeaderElection.Settings lease) {
    Duration margin = lease.leaseDuration().minus(lease.renewDeadline());
    return margin.compareTo(MIN_REQUEST_TIMEOUT) < 0 ? MIN_REQUEST_TIMEOUT : margin;
  }

  /** What the reconcile reads and writes, on fabric8. */
  public ClusterPorts ports() {
    return ports;
  }

  /** The informer caches (the controller lists the autoscalers to reconcile from them). */
  public ClusterView view() {
    return view;
  }

  public WriteGuard guard() {
    return guard;
  }

  public boolean isLeader() {
    return election.isLeader();
  }

  /** False when the leader-election loop has stopped making progress (see {@code /healthz}). */
  public boolean electionLive() {
    return election.live(leaseRequestTimeout);
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
