package io.stoker.app.controller;

import io.stoker.app.config.OperatorConfig;
import io.stoker.app.config.PortUnavailable;
import io.stoker.app.k8s.KubernetesRuntime;
import io.stoker.app.k8s.LeaderElection;
import io.stoker.app.k8s.WriteGuard;
import io.stoker.app.k8s.capacity.CapacityHints;
import io.stoker.app.k8s.capacity.ExecutorStatesSource;
import io.stoker.app.keda.Desired;
import io.stoker.app.keda.DesiredState;
import io.stoker.app.keda.ScalerServer;
import io.stoker.app.metrics.HealthChecks;
import io.stoker.app.metrics.MetricsServer;
import io.stoker.app.metrics.OperatorMetrics;
import io.stoker.app.signals.SignalCollector;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code stoker run} assembled: Vert.x with the named {@code kubernetes-ops-pool}, the Kubernetes
 * runtime (informers, leader election, guarded writes), the signal collector, the reconciler and
 * its tick loop, the telemetry endpoint and, with {@code --grpc-port}, the KEDA external scaler.
 * {@link #close()} shuts down gracefully: the loop stops and drains, the lease is released, then
 * everything else closes.
 */
public final class Operator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Operator.class);
  public static final String WORKER_POOL = "kubernetes-ops-pool";

  /** How often an open KEDA {@code StreamIsActive} looks for a change of activity. */
  private static final Duration STREAM_CHECK = Duration.ofMillis(500);

  /** How the Kubernetes runtime is obtained (a real cluster, or a test's mock client). */
  @FunctionalInterface
  public interface RuntimeFactory {
    CompletableFuture<KubernetesRuntime> start(
        KubernetesRuntime.Settings settings,
        Executor blocking,
        Clock clock,
        Consumer<Boolean> onLeader);
  }

  private final Vertx vertx;
  private final WorkerExecutor worker;
  private final KubernetesRuntime kube;
  private final SignalCollector collector;
  private final Controller controller;
  private final MetricsServer server;
  private final OperatorMetrics metrics;
  private final Optional<ScalerServer> grpc;

  private Operator(
      Vertx vertx,
      WorkerExecutor worker,
      KubernetesRuntime kube,
      SignalCollector collector,
      Controller controller,
      MetricsServer server,
      OperatorMetrics metrics,
      Optional<ScalerServer> grpc) {
    this.vertx = vertx;
    this.worker = worker;
    this.kube = kube;
    this.collector = collector;
    this.controller = controller;
    this.server = server;
    this.metrics = metrics;
    this.grpc = grpc;
  }

  /** Starts everything; completes when the caches are synced and the loop ticks. */
  public static CompletableFuture<Operator> start(
      OperatorConfig config,
      String identity,
      Clock clock,
      RuntimeFactory runtime,
      SignalCollector collector) {
    Vertx vertx = Vertx.vertx();
    WorkerExecutor worker =
        vertx.createSharedWorkerExecutor(WORKER_POOL, config.get(OperatorConfig.WORKER_POOL));
    Executor blocking = VertxUtil.executor(worker);
    OperatorMetrics metrics = OperatorMetrics.create(config.get(OperatorConfig.JVM_METRICS));
    return runtime
        .start(settings(config, identity), blocking, clock, metrics::leader)
        .thenApply(
            kube -> {
              Context context = vertx.getOrCreateContext();
              Reconciler reconciler =
                  new Reconciler(
                      context,
                      kube.ports(),
                      collector,
                      metrics,
                      clock,
                      config.get(OperatorConfig.SIGNAL_TIMEOUT),
                      config.get(OperatorConfig.STATUS_REFRESH));
              Controller controller =
                  new Controller(
                      context,
                      kube.view(),
                      reconciler,
                      config.get(OperatorConfig.TICK),
                      config.get(OperatorConfig.MAX_CONCURRENT_RECONCILES),
                      clock);
              Optional<ScalerServer> grpc;
              try {
                grpc = scalerServer(config, reconciler, metrics);
              } catch (RuntimeException e) {
                kube.close();
                throw e;
              }
              MetricsServer server;
              try {
                server = metricsServer(config, metrics, controller, kube);
              } catch (RuntimeException e) {
                grpc.ifPresent(ScalerServer::close);
                kube.close();
                throw e;
              }
              controller.start();
              LOG.atInfo()
                  .addKeyValue("identity", identity)
                  .addKeyValue("metricsPort", server.port())
                  .log("stoker controller started");
              return new Operator(
                  vertx, worker, kube, collector, controller, server, metrics, grpc);
            })
        .whenComplete(
            (op, e) -> {
              if (e != null) {
                worker.close();
                vertx.close();
              }
            });
  }

  private static MetricsServer metricsServer(
      OperatorConfig config,
      OperatorMetrics metrics,
      Controller controller,
      KubernetesRuntime kube) {
    InetSocketAddress address =
        new InetSocketAddress(
            config.get(OperatorConfig.METRICS_ADDRESS), config.get(OperatorConfig.METRICS_PORT));
    try {
      return MetricsServer.start(
          address,
          metrics,
          // A standby is healthy and ready (it serves metrics and KEDA's gRPC calls and stands by
          // to take over); the process is unhealthy when its tick loop or its election loop is
          // stuck, as neither would ever act again.
          new HealthChecks(() -> controller.live() && kube.electionLive(), kube::synced));
    } catch (IOException e) {
      throw new PortUnavailable("metrics", address, OperatorConfig.METRICS_PORT, e);
    }
  }

  /** The KEDA external scaler on {@code --grpc-port}, answering from the last decisions. */
  /** A KEDA Kafka-mode trigger nobody asked about for this long is forgotten. */
  private static final Duration KAFKA_TRIGGER_IDLE = Duration.ofMinutes(10);

  private static Optional<ScalerServer> scalerServer(
      OperatorConfig config, Reconciler reconciler, OperatorMetrics metrics) {
    Optional<Integer> port = config.get(OperatorConfig.GRPC_PORT);
    if (port.isEmpty()) {
      return Optional.empty();
    }
    DesiredState state =
        (namespace, name) ->
            reconciler
                .lastDecision(namespace + "/" + name)
                .map(d -> new Desired(d.target(), d.backlogRecords(), d.activationLagThreshold()));
    InetSocketAddress address =
        new InetSocketAddress(config.get(OperatorConfig.GRPC_ADDRESS), port.get());
    try {
      return Optional.of(
          ScalerServer.start(
              new ScalerServer.Settings(
                  address,
                  STREAM_CHECK,
                  config.get(OperatorConfig.GRPC_HEARTBEAT),
                  config
                      .get(OperatorConfig.GRPC_TLS_CERT)
                      .map(
                          cert ->
                              new ScalerServer.Tls(
                                  Path.of(cert),
                                  Path.of(config.get(OperatorConfig.GRPC_TLS_KEY).orElseThrow()),
                                  config.get(OperatorConfig.GRPC_TLS_CLIENT_CA).map(Path::of)))),
              state,
              new ScalerServer.CacheTiming(
                  config.get(OperatorConfig.GRPC_KAFKA_REFRESH),
                  config.get(OperatorConfig.GRPC_KAFKA_DEADLINE),
                  KAFKA_TRIGGER_IDLE),
              new ScalerServer.KafkaLimits(
                  config.get(OperatorConfig.GRPC_KAFKA_MAX_TRIGGERS),
                  config.get(OperatorConfig.GRPC_KAFKA_MAX_CLUSTERS)),
              metrics::kedaRequest));
    } catch (IOException e) {
      throw new PortUnavailable("gRPC", address, OperatorConfig.GRPC_PORT, e);
    }
  }

  static KubernetesRuntime.Settings settings(OperatorConfig c, String identity) {
    WriteGuard.Limits limits =
        new WriteGuard.Limits(
            c.get(OperatorConfig.WRITES_PER_SECOND),
            c.get(OperatorConfig.WRITES_BURST) > 0
                ? c.get(OperatorConfig.WRITES_BURST)
                : c.get(OperatorConfig.WRITES_PER_SECOND),
            c.get(OperatorConfig.WRITES_PER_AUTOSCALER),
            c.get(OperatorConfig.WRITE_MAX_WAIT),
            c.get(OperatorConfig.WRITE_ATTEMPTS),
            c.get(OperatorConfig.WRITE_BACKOFF));
    LeaderElection.Settings lease =
        new LeaderElection.Settings(
            c.get(OperatorConfig.LEASE_NAMESPACE),
            c.get(OperatorConfig.LEASE_NAME),
            identity,
            c.get(OperatorConfig.LEASE_DURATION),
            c.get(OperatorConfig.LEASE_RENEW_DEADLINE),
            c.get(OperatorConfig.LEASE_RETRY_PERIOD));
    return new KubernetesRuntime.Settings(
        c.get(OperatorConfig.NAMESPACE),
        limits,
        c.get(OperatorConfig.LEADER_ELECTION)
            ? java.util.Optional.of(lease)
            : java.util.Optional.empty(),
        identity,
        c.get(OperatorConfig.SECRET_TTL),
        new CapacityHints.Settings(
            c.get(OperatorConfig.PLACEHOLDER_IMAGE),
            c.get(OperatorConfig.NODE_GROUP_LABEL),
            c.get(OperatorConfig.EVICTION_HOLD),
            c.get(OperatorConfig.KARPENTER_DO_NOT_DISRUPT),
            ExecutorStatesSource.http(
                c.get(OperatorConfig.SIGNAL_TIMEOUT), c.get(OperatorConfig.SIGNAL_MAX_BODY))));
  }

  public boolean isLeader() {
    return kube.isLeader();
  }

  public WriteGuard writes() {
    return kube.guard();
  }

  /** Secrets held in the cache ({@code namespace/name}). */
  public java.util.Set<String> cachedSecrets() {
    return kube.ports().secrets().cached();
  }

  public int metricsPort() {
    return server.port();
  }

  /** The KEDA external scaler's port, empty without {@code --grpc-port}. */
  public OptionalInt grpcPort() {
    return grpc.isPresent() ? OptionalInt.of(grpc.get().port()) : OptionalInt.empty();
  }

  public OperatorMetrics metrics() {
    return metrics;
  }

  public Controller controller() {
    return controller;
  }

  /** Graceful shutdown, bounded by {@code timeout} for the running reconciles. */
  public void close(Duration timeout) {
    grpc.ifPresent(ScalerServer::close);
    try {
      controller
          .stop()
          .toCompletionStage()
          .toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("reconciles still running at shutdown: {}", e.toString());
    }
    kube.close();
    collector.close();
    server.close();
    worker.close();
    vertx.close();
    LOG.info("stoker controller shut down");
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
