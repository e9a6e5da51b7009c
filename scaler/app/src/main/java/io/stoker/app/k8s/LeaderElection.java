package io.stoker.app.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lease-based leader election ({@code coordination.k8s.io/v1} Lease). Only the leader writes (see
 * {@link WriteGuard}); a standby keeps its caches warm and takes over when the lease lapses or is
 * released on shutdown. Disabled election makes this replica the leader at once.
 */
public final class LeaderElection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

  /**
   * Lease settings.
   *
   * @param namespace namespace of the Lease
   * @param name Lease name
   * @param identity this replica (pod name)
   */
  public record Settings(
      String namespace,
      String name,
      String identity,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod) {}

  private final AtomicBoolean leader = new AtomicBoolean();
  private final KubernetesClient client;
  private final Settings settings;
  private final Consumer<Boolean> onChange;
  private CompletableFuture<?> running;

  private LeaderElection(KubernetesClient client, Settings settings, Consumer<Boolean> onChange) {
    this.client = client;
    this.settings = settings;
    this.onChange = onChange;
  }

  /** Always the leader (single replica, or election turned off). */
  public static LeaderElection disabled(Consumer<Boolean> onChange) {
    LeaderElection e = new LeaderElection(null, null, onChange);
    e.leader.set(true);
    onChange.accept(true);
    return e;
  }

  public static LeaderElection start(
      KubernetesClient client, Settings settings, Consumer<Boolean> onChange) {
    LeaderElection e = new LeaderElection(client, settings, onChange);
    e.startElector();
    return e;
  }

  private void startElector() {
    LeaderElector elector =
        client
            .leaderElector()
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName(settings.name())
                    .withLock(
                        new LeaseLock(settings.namespace(), settings.name(), settings.identity()))
                    .withLeaseDuration(settings.leaseDuration())
                    .withRenewDeadline(settings.renewDeadline())
                    .withRetryPeriod(settings.retryPeriod())
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(
                        new LeaderCallbacks(() -> set(true), () -> set(false), newLeader -> {}))
                    .build())
            .build();
    running = elector.start();
  }

  private void set(boolean isLeader) {
    if (leader.getAndSet(isLeader) != isLeader) {
      LOG.atInfo()
          .addKeyValue("identity", settings == null ? "-" : settings.identity())
          .log(isLeader ? "became the leader" : "lost the leadership");
      onChange.accept(isLeader);
    }
  }

  public boolean isLeader() {
    return leader.get();
  }

  /** Stops competing and releases the lease if held. */
  @Override
  public void close() {
    if (running != null) {
      running.cancel(true);
      running = null;
    }
    set(false);
  }
}
