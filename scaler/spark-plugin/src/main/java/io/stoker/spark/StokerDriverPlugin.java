package io.stoker.spark;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver side of {@link StokerPlugin}. Everything it does is guarded: an error is logged and
 * counted, never thrown into Spark, so the plugin can not fail the application.
 */
final class StokerDriverPlugin implements DriverPlugin {

  private static final Logger LOG = LoggerFactory.getLogger(StokerDriverPlugin.class);

  private SparkContext sc;
  private PluginSettings settings;
  private PluginMetrics metrics;
  private ScheduledExecutorService scheduler;
  private ScheduledExecutorService watchThread;
  private KubernetesClient kubernetes;
  private DriverPodWatcher watcher;
  private ExecutorScaler scaler;
  private OffsetCommitter committer;
  private final AtomicInteger desired = new AtomicInteger(-1);
  private volatile boolean seeded;
  private final Object annotationLock = new Object();
  private String lastRaw;
  private boolean annotationSeen;
  private String lastPreferredRaw;

  @Override
  public Map<String, String> init(SparkContext sc, PluginContext ctx) {
    this.sc = sc;
    try {
      settings = PluginSettings.from(sc.conf());
      metrics = new PluginMetrics(ctx.metricRegistry());
      ExecutorTracker tracker = new ExecutorTracker();
      sc.addSparkListener(tracker);
      committer = startCommitter().orElse(null);
      StreamingSignals signals =
          new StreamingSignals(metrics.registry(), Optional.ofNullable(committer));
      sc.addSparkListener(signals.busListener());
      if (settings.dynamicAllocationEnabled()) {
        metrics.dynamicAllocationRefused.set(1);
        LOG.error(
            "Stoker: spark.dynamicAllocation.enabled=true: Spark's own allocation manager owns the"
                + " executor target, so Stoker will NOT apply targets. Set"
                + " spark.dynamicAllocation.enabled=false to let Stoker scale this application."
                + " Streaming gauges are still published.");
        return Collections.emptyMap();
      }
      scaler =
          new ExecutorScaler(
              sc,
              tracker,
              metrics,
              settings.decommissionEnabled(),
              settings.decommissionMessage(),
              settings.preferredWait());
      scheduler = daemonScheduler("stoker-driver-plugin");
      startWatcher();
      long every = settings.reconcileInterval().toMillis();
      scheduler.scheduleWithFixedDelay(this::reconcile, every, every, TimeUnit.MILLISECONDS);
    } catch (RuntimeException | LinkageError e) {
      LOG.error("Stoker: plugin could not start; the application runs without it", e);
    }
    return Collections.emptyMap();
  }

  private Optional<OffsetCommitter> startCommitter() {
    if (settings.commitGroup().isEmpty()) {
      return Optional.empty();
    }
    if (settings.kafkaBootstrapServers().isEmpty()) {
      LOG.error(
          "Stoker: spark.stoker.kafka.commitGroup is set without spark.stoker.kafka.bootstrapServers; not committing offsets");
      return Optional.empty();
    }
    try {
      OffsetCommitter c =
          new KafkaOffsetCommitter(
              settings.kafkaBootstrapServers().get(),
              settings.commitGroup().get(),
              settings.kafkaAdminProperties(),
              metrics);
      LOG.info(
          "Stoker: committing Kafka end offsets of each batch to group {}",
          settings.commitGroup().get());
      return Optional.of(c);
    } catch (RuntimeException | LinkageError e) {
      LOG.error("Stoker: could not create the Kafka offset committer; not committing offsets", e);
      return Optional.empty();
    }
  }

  private void startWatcher() {
    if (settings.podName().isEmpty()) {
      LOG.warn(
          "Stoker: spark.kubernetes.driver.pod.name is not set (not running on Kubernetes?);"
              + " no target channel");
      return;
    }
    // One failed request goes back to our own backoff quickly instead of fabric8's long retries.
    ConfigBuilder cfg =
        new ConfigBuilder(Config.autoConfigure(null))
            .withRequestRetryBackoffLimit(1)
            .withConnectionTimeout(10_000)
            .withRequestTimeout(10_000);
    settings
        .apiServer()
        .ifPresent(url -> cfg.withMasterUrl(url).withTrustCerts(true).withOauthToken(null));
    kubernetes =
        new KubernetesClientBuilder()
            .withConfig(cfg.withNamespace(settings.namespace()).build())
            .build();
    watcher =
        new DriverPodWatcher(
            kubernetes,
            settings.namespace(),
            settings.podName().get(),
            settings.annotationKey(),
            settings.preferredAnnotationKey(),
            this::onAnnotations,
            watchThread = daemonScheduler("stoker-pod-watch"),
            settings.backoffInitial(),
            settings.backoffMax(),
            settings.resyncInterval(),
            metrics);
    watcher.start();
  }

  private static ScheduledExecutorService daemonScheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Called with the target and preferred-executors annotations of every observed version of the pod
   * (each null when absent), on any thread. The preference is taken first, so that the reconcile a
   * new target triggers already sees the preference written with it.
   */
  void onAnnotations(String raw, String preferredRaw) {
    onPreferred(preferredRaw);
    onAnnotation(raw);
  }

  private void onPreferred(String raw) {
    synchronized (annotationLock) {
      if (Objects.equals(lastPreferredRaw, raw)) {
        return;
      }
      lastPreferredRaw = raw;
    }
    TargetParser.Preferred p = TargetParser.parsePreferred(raw);
    if (p.isRejected()) {
      metrics.rejected.incrementAndGet();
      LOG.warn(
          "Stoker: ignoring annotation {}: {}; choosing executors to remove without it",
          settings.preferredAnnotationKey(),
          p.rejection());
    } else if (!p.ids().isEmpty()) {
      LOG.info("Stoker: the controller prefers removing executors {}", p.ids());
    }
    if (scaler != null) {
      scaler.prefer(p.ids());
    }
  }

  /** Called with every observed annotation value (null when absent), on any thread. */
  void onAnnotation(String raw) {
    // Every pod event (status updates too) and every resync delivers the value again: act on
    // changes only, so a bad value is logged and counted once.
    synchronized (annotationLock) {
      if (annotationSeen && Objects.equals(lastRaw, raw)) {
        return;
      }
      lastRaw = raw;
      annotationSeen = true;
    }
    TargetParser.Result r = TargetParser.parse(raw, settings.maxExecutors());
    if (r.isRejected()) {
      metrics.rejected.incrementAndGet();
      LOG.warn(
          "Stoker: ignoring annotation {}: {}; keeping target {}",
          settings.annotationKey(),
          r.rejection(),
          desired.get());
      return;
    }
    OptionalInt t = r.target();
    if (t.isEmpty()) {
      return;
    }
    metrics.requestedTarget.set(t.getAsInt());
    if (desired.getAndSet(t.getAsInt()) != t.getAsInt()) {
      LOG.info("Stoker: new executor target {}", t.getAsInt());
      try {
        scheduler.execute(this::reconcile);
      } catch (RejectedExecutionException e) {
        LOG.debug("Stoker: plugin stopping", e);
      }
    }
  }

  private void reconcile() {
    try {
      if (!scaler.ready()) {
        return;
      }
      int target = desired.get();
      if (!seeded) {
        seeded = true;
        if (target < 0) {
          scaler.seed(settings.configuredInstances());
        }
      }
      if (target >= 0) {
        scaler.apply(target);
      }
    } catch (RuntimeException e) {
      metrics.actuationErrors.incrementAndGet();
      LOG.warn("Stoker: applying the executor target failed; retrying next round", e);
    }
  }

  @Override
  public void shutdown() {
    try {
      if (watcher != null) {
        watcher.close();
      }
      if (watchThread != null) {
        watchThread.shutdownNow();
      }
      if (scheduler != null) {
        scheduler.shutdownNow();
      }
      if (kubernetes != null) {
        kubernetes.close();
      }
      if (committer != null) {
        committer.close();
      }
    } catch (RuntimeException e) {
      LOG.warn("Stoker: error while stopping the plugin", e);
    }
  }
}
