package io.stoker.spark;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches annotations of the driver's own pod: get, then watch from the returned resource version;
 * on any failure (API unreachable, watch closed with an error, pod missing) it retries with
 * exponential backoff. Each observed value of the target annotation and of the preferred-executors
 * annotation (each {@code null} when absent), read from the same version of the pod, is handed to
 * the consumer together; the consumer keeps the last applied target when nothing arrives.
 */
final class DriverPodWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DriverPodWatcher.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String podName;
  private final String annotationKey;
  private final String preferredKey;
  private final BiConsumer<String, String> onValues;
  private final ScheduledExecutorService scheduler;
  private final Duration backoffInitial;
  private final Duration backoffMax;
  private final Duration resyncInterval;
  private final PluginMetrics metrics;

  private final Object lock = new Object();
  private Watch watch;
  private ScheduledFuture<?> resync;
  private long nextBackoffMs;
  private boolean closed;
  private long generation;

  DriverPodWatcher(
      KubernetesClient client,
      String namespace,
      String podName,
      String annotationKey,
      Consumer<String> onValue,
      ScheduledExecutorService scheduler,
      Duration backoffInitial,
      Duration backoffMax,
      Duration resyncInterval,
      PluginMetrics metrics) {
    this(
        client,
        namespace,
        podName,
        annotationKey,
        null,
        (target, preferred) -> onValue.accept(target),
        scheduler,
        backoffInitial,
        backoffMax,
        resyncInterval,
        metrics);
  }

  /**
   * @param preferredKey the preferred-executors annotation, or null to read the target only
   * @param onValues called with the target annotation's value and the preferred-executors
   *     annotation's value of one version of the pod (each null when absent)
   */
  DriverPodWatcher(
      KubernetesClient client,
      String namespace,
      String podName,
      String annotationKey,
      String preferredKey,
      BiConsumer<String, String> onValues,
      ScheduledExecutorService scheduler,
      Duration backoffInitial,
      Duration backoffMax,
      Duration resyncInterval,
      PluginMetrics metrics) {
    this.client = client;
    this.namespace = namespace;
    this.podName = podName;
    this.annotationKey = annotationKey;
    this.preferredKey = preferredKey;
    this.onValues = onValues;
    this.scheduler = scheduler;
    this.backoffInitial = backoffInitial;
    this.backoffMax = backoffMax;
    this.resyncInterval = resyncInterval;
    this.metrics = metrics;
    this.nextBackoffMs = backoffInitial.toMillis();
  }

  void start() {
    scheduler.execute(this::connect);
  }

  private void connect() {
    long gen;
    synchronized (lock) {
      if (closed) {
        return;
      }
      gen = ++generation;
    }
    try {
      Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
      if (pod == null) {
        throw new IllegalStateException("driver pod " + namespace + "/" + podName + " not found");
      }
      deliver(pod);
      Watch w =
          client
              .pods()
              .inNamespace(namespace)
              .withName(podName)
              .watch(
                  new ListOptionsBuilder()
                      .withResourceVersion(pod.getMetadata().getResourceVersion())
                      .build(),
                  new PodWatcher(gen));
      synchronized (lock) {
        if (closed || gen != generation) {
          w.close();
          return;
        }
        watch = w;
        nextBackoffMs = backoffInitial.toMillis();
        long every = resyncInterval.toMillis();
        resync =
            scheduler.scheduleWithFixedDelay(
                () -> resync(gen), every, every, TimeUnit.MILLISECONDS);
      }
      metrics.watchConnected.set(1);
      LOG.info("Stoker: watching annotation {} of pod {}/{}", annotationKey, namespace, podName);
    } catch (RuntimeException e) {
      retryLater(gen, e);
    }
  }

  /**
   * A periodic get besides the watch, as informers do: a change missed while fabric8 silently
   * re-established the watch is still seen. A failure tears the watch down and reconnects.
   */
  private void resync(long gen) {
    try {
      Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
      if (pod == null) {
        throw new IllegalStateException("driver pod " + namespace + "/" + podName + " not found");
      }
      deliver(pod);
    } catch (RuntimeException e) {
      retryLater(gen, e);
    }
  }

  private void retryLater(long gen, Exception cause) {
    long delay;
    synchronized (lock) {
      if (closed || gen != generation) {
        return;
      }
      stopWatch();
      delay = nextBackoffMs;
      nextBackoffMs = Math.min(nextBackoffMs * 2, backoffMax.toMillis());
    }
    metrics.watchConnected.set(0);
    metrics.watchErrors.incrementAndGet();
    LOG.warn(
        "Stoker: cannot watch pod {}/{} ({}); keeping the last applied target, retrying in {} ms",
        namespace,
        podName,
        cause.toString(),
        delay);
    try {
      scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("Stoker: scheduler stopped, no retry", e);
    }
  }

  private void deliver(Pod pod) {
    Map<String, String> annotations =
        Optional.ofNullable(pod.getMetadata().getAnnotations()).orElse(Map.of());
    onValues.accept(
        annotations.get(annotationKey),
        preferredKey == null ? null : annotations.get(preferredKey));
  }

  private void stopWatch() {
    if (resync != null) {
      resync.cancel(false);
      resync = null;
    }
    if (watch != null) {
      watch.close();
      watch = null;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      stopWatch();
    }
    metrics.watchConnected.set(0);
  }

  private final class PodWatcher implements Watcher<Pod> {
    private final long gen;

    PodWatcher(long gen) {
      this.gen = gen;
    }

    @Override
    public void eventReceived(Action action, Pod pod) {
      if (action == Action.DELETED) {
        LOG.warn("Stoker: driver pod {}/{} deleted; keeping the last target", namespace, podName);
        return;
      }
      if (action == Action.ERROR) {
        return;
      }
      try {
        deliver(pod);
      } catch (RuntimeException e) {
        LOG.warn("Stoker: ignoring a pod event that could not be handled", e);
      }
    }

    @Override
    public void onClose(WatcherException cause) {
      retryLater(gen, cause);
    }

    @Override
    public void onClose() {
      // A clean close only happens when we close the watch ourselves.
    }
  }
}
