package io.stoker.app.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lease-based leader election ({@code coordination.k8s.io/v1} Lease) that survives faults. Only the
 * leader writes (see {@link WriteGuard}); a standby keeps its caches warm and takes over when the
 * lease lapses or is released on shutdown. Disabled election makes this replica the leader at once.
 *
 * <p>The rules are client-go's, with a fence on the leader's side:
 *
 * <ul>
 *   <li><b>Always a candidate.</b> One loop runs for the life of the process, every {@code
 *       retryPeriod}: it renews the lease while leading and tries to acquire it otherwise. A
 *       replica that lost the leadership (API server or etcd down, network cut) competes again and
 *       leads again as soon as it can write the Lease.
 *   <li><b>Fenced by the renew deadline.</b> The leader leads until {@code renewDeadline} after the
 *       start of its last successful renewal, measured on its monotonic clock; a timer ends the
 *       leadership at that instant even while a Lease call hangs. {@link #term()} is then -1 and
 *       every guarded write is refused. The renewal wrote {@code renewTime} before that start could
 *       be observed by anyone, and another replica takes the lease only after it has seen the same
 *       record unchanged for {@code leaseDuration} on its own clock, so the leader stops writing at
 *       least {@code leaseDuration - renewDeadline} before anyone else can start (clock skew
 *       between replicas does not matter; only their rates).
 *   <li><b>Terms.</b> Each acquisition starts a new term; a reconcile that began in another term
 *       (or as a standby) cannot write in this one ({@link WriteGuard#begin}).
 * </ul>
 *
 * <p>The Lease calls go through a client without request retries and with a bounded request timeout
 * ({@link KubernetesRuntime}), so an attempt never outlives the deadlines it is judged by.
 */
public final class LeaderElection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

  /** Jitter of a candidate's retry period (client-go's factor 1.2 is the maximum of 1 + j). */
  private static final double JITTER = 0.2;

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

  private final KubernetesClient client;
  private final Settings settings;
  private final Lock lock;
  private final Consumer<Boolean> onChange;
  private final LongSupplier nanos;
  private final ScheduledExecutorService loop;
  private final ScheduledExecutorService fence;
  private final boolean always;

  // Guarded by this.
  private boolean leading;
  private long term;
  private long validUntil;
  private ScheduledFuture<?> fenceTask;
  private LeaderElectionRecord observed;
  private long observedAt;
  private boolean closed;

  private volatile long lastProgress;

  private LeaderElection(
      KubernetesClient client, Settings settings, Consumer<Boolean> onChange, LongSupplier nanos) {
    this.client = client;
    this.settings = settings;
    this.onChange = onChange;
    this.nanos = nanos;
    this.lock =
        settings == null
            ? null
            : new LeaseLock(settings.namespace(), settings.name(), settings.identity());
    this.loop =
        settings == null ? null : Executors.newSingleThreadScheduledExecutor(daemon("loop"));
    this.fence =
        settings == null ? null : Executors.newSingleThreadScheduledExecutor(daemon("fence"));
    this.lastProgress = nanos.getAsLong();
    this.always = settings == null;
  }

  private static java.util.concurrent.ThreadFactory daemon(String what) {
    return r -> {
      Thread t = new Thread(r, "stoker-leader-election-" + what);
      t.setDaemon(true);
      return t;
    };
  }

  /** Always the leader (single replica, or election turned off). */
  public static LeaderElection disabled(Consumer<Boolean> onChange) {
    LeaderElection e = new LeaderElection(null, null, onChange, System::nanoTime);
    synchronized (e) {
      e.leading = true;
      e.term = 1;
    }
    onChange.accept(true);
    return e;
  }

  /**
   * Starts competing for the lease with {@code client}, which should not retry requests and should
   * time them out within {@code leaseDuration - renewDeadline}.
   */
  public static LeaderElection start(
      KubernetesClient client, Settings settings, Consumer<Boolean> onChange) {
    LeaderElection e = new LeaderElection(client, settings, onChange, System::nanoTime);
    e.loop.execute(e::attempt);
    return e;
  }

  /** One attempt to renew or acquire the lease; schedules the next. */
  private void attempt() {
    long start = nanos.getAsLong();
    lastProgress = start;
    try {
      tryAcquireOrRenew(start);
    } catch (RuntimeException e) {
      // API server down, etcd down, network cut, conflict with another candidate: the fence ends a
      // leadership that is not renewed in time; a candidate just tries again.
      LOG.atDebug()
          .addKeyValue("identity", settings.identity())
          .log("lease attempt failed: {}", e.toString());
    } finally {
      lastProgress = nanos.getAsLong();
      scheduleNext();
    }
  }

  private void scheduleNext() {
    long period = settings.retryPeriod().toNanos();
    boolean renewing;
    synchronized (this) {
      if (closed) {
        return;
      }
      renewing = isLeader();
    }
    long delay =
        renewing
            ? period
            : period + (long) (period * JITTER * ThreadLocalRandom.current().nextDouble());
    try {
      loop.schedule(this::attempt, delay, TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private void tryAcquireOrRenew(long start) {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    LeaderElectionRecord current = lock.get(client);
    if (current == null) {
      lock.create(client, record(now, now, 0));
      renewed(start, record(now, now, 0));
      return;
    }
    boolean mine = settings.identity().equals(current.getHolderIdentity());
    if (!mine && !expired(current, start)) {
      held(current);
      return;
    }
    LeaderElectionRecord next =
        record(
            mine && current.getAcquireTime() != null ? current.getAcquireTime() : now,
            now,
            current.getLeaderTransitions() + (mine ? 0 : 1));
    // A merge patch carrying the resourceVersion read: a competing write makes it fail (409).
    lock.update(client, next);
    renewed(start, next);
  }

  private LeaderElectionRecord record(ZonedDateTime acquired, ZonedDateTime now, int transitions) {
    return new LeaderElectionRecord(
        settings.identity(), settings.leaseDuration(), acquired, now, transitions);
  }

  /**
   * True when the holder's record has not changed for its lease duration on this replica's clock
   * (client-go's rule: no comparison of clocks between replicas), or when nobody holds it.
   */
  private synchronized boolean expired(LeaderElectionRecord current, long start) {
    if (!Objects.equals(current, observed)) {
      observed = current;
      observedAt = start;
    }
    String holder = current.getHolderIdentity();
    if (holder == null || holder.isEmpty()) {
      return true;
    }
    Duration lease =
        current.getLeaseDuration() != null ? current.getLeaseDuration() : settings.leaseDuration();
    return start - observedAt >= lease.toNanos();
  }

  /** Someone else holds a valid lease: this replica does not lead. */
  private void held(LeaderElectionRecord current) {
    boolean lost;
    synchronized (this) {
      lost = leading;
      if (lost) {
        stepDown();
      }
    }
    if (lost) {
      LOG.atWarn()
          .addKeyValue("identity", settings.identity())
          .addKeyValue("holder", current.getHolderIdentity())
          .log("lost the leadership: another replica holds the Lease; writes stopped, standing by");
      onChange.accept(false);
    }
  }

  /** A renewal or acquisition that started at {@code start} succeeded. */
  private void renewed(long start, LeaderElectionRecord written) {
    boolean acquired;
    long until = start + settings.renewDeadline().toNanos();
    synchronized (this) {
      observed = written;
      observedAt = start;
      if (closed || nanos.getAsLong() - until >= 0) {
        return; // closed meanwhile, or the call outlasted the renew deadline: not a renewal
      }
      acquired = !isLeader();
      if (acquired) {
        leading = true;
        term++;
      }
      validUntil = until;
      if (fenceTask != null) {
        fenceTask.cancel(false);
      }
      fenceTask = fence.schedule(this::fenceCheck, until - nanos.getAsLong(), TimeUnit.NANOSECONDS);
    }
    if (acquired) {
      LOG.atInfo()
          .addKeyValue("identity", settings.identity())
          .addKeyValue("term", term())
          .log("became the leader");
      onChange.accept(true);
    }
  }

  /** Ends the leadership when the renew deadline has passed without a renewal. */
  private void fenceCheck() {
    boolean lost;
    synchronized (this) {
      lost = leading && nanos.getAsLong() - validUntil >= 0;
      if (lost) {
        stepDown();
      }
    }
    if (lost) {
      LOG.atWarn()
          .addKeyValue("identity", settings.identity())
          .addKeyValue("renewDeadline", settings.renewDeadline())
          .log(
              "lost the leadership: the Lease was not renewed within the renew deadline; writes"
                  + " stopped, trying to acquire it again (check the API server and the network)");
      onChange.accept(false);
    }
  }

  private void stepDown() {
    leading = false;
    validUntil = 0;
    if (fenceTask != null) {
      fenceTask.cancel(false);
      fenceTask = null;
    }
  }

  /** True while this replica leads and its last renewal is within the renew deadline. */
  public synchronized boolean isLeader() {
    return leading && (always || nanos.getAsLong() - validUntil < 0);
  }

  /**
   * The current leadership term (1 for the first acquisition, then one more for each), or -1 when
   * this replica does not lead.
   */
  public synchronized long term() {
    return isLeader() ? term : -1;
  }

  /**
   * True while the election loop makes progress: its last attempt started or ended within a bound
   * (two retry periods plus two Lease calls, the client's timeout bounding each). A wedged loop
   * would leave a replica that never leads again; {@code /healthz} reports it so that the pod is
   * restarted.
   */
  public boolean live(Duration requestTimeout) {
    if (settings == null) {
      return true;
    }
    long bound =
        settings.retryPeriod().multipliedBy(3).plus(requestTimeout.multipliedBy(3)).toNanos();
    return nanos.getAsLong() - lastProgress < bound;
  }

  /** Stops competing without releasing the lease, as a crashed process would (tests). */
  void abandon() {
    synchronized (this) {
      closed = true;
      stepDown();
    }
    if (loop != null) {
      loop.shutdownNow();
      fence.shutdownNow();
    }
  }

  /** Stops competing and releases the lease if held (a standby can take over at once). */
  @Override
  public void close() {
    boolean was;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      was = leading;
      if (settings != null) {
        stepDown();
      } else {
        leading = false;
      }
    }
    if (settings == null) {
      onChange.accept(false);
      return;
    }
    loop.shutdownNow();
    fence.shutdownNow();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (was) {
      release();
      LOG.atInfo().addKeyValue("identity", settings.identity()).log("released the leadership");
    }
    onChange.accept(false);
  }

  /** Empties the holder so that a standby need not wait for the lease to expire. */
  private void release() {
    try {
      LeaderElectionRecord current = lock.get(client);
      if (current == null || !settings.identity().equals(current.getHolderIdentity())) {
        return;
      }
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
      lock.update(
          client,
          new LeaderElectionRecord(
              "", Duration.ofSeconds(1), now, now, current.getLeaderTransitions()));
    } catch (RuntimeException e) {
      LOG.atWarn()
          .addKeyValue("identity", settings.identity())
          .log(
              "could not release the Lease (a standby takes over when it expires): {}",
              e.toString());
    }
  }
}
