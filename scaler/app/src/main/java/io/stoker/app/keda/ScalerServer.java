package io.stoker.app.keda;

import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.stoker.adapters.spi.AdapterContext;
import io.stoker.app.keda.proto.ExternalScalerGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KEDA external scaler endpoint of {@code stoker run}: grpc-java over HTTP/2 (plaintext, TLS or
 * mutual TLS), with the standard {@code grpc.health.v1.Health} service ({@code ""} and {@code
 * externalscaler.ExternalScaler} report SERVING while the server runs).
 */
public final class ScalerServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScalerServer.class);

  /**
   * TLS from PEM files (KEDA's {@code enableTLS}/{@code caCert}); with {@code clientCa}, mutual TLS
   * (KEDA's {@code tlsClientCert}/{@code tlsClientKey}): a client certificate signed by that CA is
   * required.
   *
   * @param certChain the server's certificate chain (PEM)
   * @param privateKey the server's private key (PEM, PKCS#8)
   * @param clientCa CA certificates that sign client certificates (PEM), for mutual TLS
   */
  public record Tls(Path certChain, Path privateKey, Optional<Path> clientCa) {}

  /**
   * How the server runs.
   *
   * @param address where to listen (port 0 picks a free port)
   * @param checkInterval how often an open {@code StreamIsActive} looks for a change
   * @param heartbeat the longest time between two messages of an open {@code StreamIsActive}
   * @param tls TLS settings; empty serves plaintext
   */
  public record Settings(
      InetSocketAddress address, Duration checkInterval, Duration heartbeat, Optional<Tls> tls) {
    /** Plaintext. */
    public Settings(InetSocketAddress address, Duration checkInterval, Duration heartbeat) {
      this(address, checkInterval, heartbeat, Optional.empty());
    }

    public Settings {
      if (checkInterval.isZero() || checkInterval.isNegative()) {
        throw new IllegalArgumentException("checkInterval must be > 0");
      }
      if (heartbeat.isZero() || heartbeat.isNegative()) {
        throw new IllegalArgumentException("heartbeat must be > 0");
      }
    }
  }

  /**
   * How the Kafka mode's answers are cached.
   *
   * @param refresh how often a trigger in use is read again in the background
   * @param deadline the longest a request waits for a reading (then {@code UNAVAILABLE}), and the
   *     longest a reading may take
   * @param idleExpiry a trigger not asked about for this long is forgotten (its adapter closed)
   */
  public record CacheTiming(Duration refresh, Duration deadline, Duration idleExpiry) {
    public CacheTiming {
      new SignalCache.Timing(refresh, deadline, idleExpiry); // validates
    }

    /** Read every 10 s, wait at most 2 s, forget after 10 min unused. */
    public static CacheTiming defaults() {
      return new CacheTiming(Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofMinutes(10));
    }

    SignalCache.Timing timing() {
      return new SignalCache.Timing(refresh, deadline, idleExpiry);
    }
  }

  /**
   * Bounds of the Kafka mode, which any caller of the port can drive.
   *
   * @param maxTriggers the most distinct triggers held at once
   * @param maxClusters the most distinct Kafka clusters read at once (one Admin client and its
   *     thread each)
   */
  public record KafkaLimits(int maxTriggers, int maxClusters) {
    public KafkaLimits {
      if (maxTriggers < 1 || maxClusters < 1) {
        throw new IllegalArgumentException("Kafka-mode limits must be >= 1");
      }
    }

    /** 1,000 triggers over at most 20 clusters. */
    public static KafkaLimits defaults() {
      return new KafkaLimits(1000, 20);
    }
  }

  /**
   * The largest request accepted (KEDA's requests are a few hundred bytes; grpc-java's default is 4
   * MiB): a larger one is refused by the transport before any parsing.
   */
  static final int MAX_REQUEST_BYTES = 64 * 1024;

  private final Server server;
  private final HealthStatusManager health;
  private final ExternalScalerService service;
  private final ScheduledExecutorService streams;
  private final ExecutorService loads;
  private final ExecutorService parser;
  private final SignalCache<KafkaTrigger, KafkaAnswer> kafka;
  private final AutoCloseable upstream;

  private ScalerServer(
      Server server,
      HealthStatusManager health,
      ExternalScalerService service,
      ScheduledExecutorService streams,
      ExecutorService loads,
      ExecutorService parser,
      SignalCache<KafkaTrigger, KafkaAnswer> kafka,
      AutoCloseable upstream) {
    this.server = server;
    this.health = health;
    this.service = service;
    this.streams = streams;
    this.loads = loads;
    this.parser = parser;
    this.kafka = kafka;
    this.upstream = upstream;
  }

  /** Starts listening with the default cache timing; the caller closes the server. */
  public static ScalerServer start(Settings settings, DesiredState state) throws IOException {
    return start(settings, state, CacheTiming.defaults());
  }

  /**
   * Starts listening; the Kafka mode reads clusters through the Kafka adapter of metrics-adapters
   * (one Admin client per cluster, closed with the server). The caller closes the server.
   */
  public static ScalerServer start(Settings settings, DesiredState state, CacheTiming cache)
      throws IOException {
    return start(settings, state, cache, RequestObserver.NONE);
  }

  /** As {@link #start(Settings, DesiredState, CacheTiming)}, telling {@code observer} of calls. */
  public static ScalerServer start(
      Settings settings, DesiredState state, CacheTiming cache, RequestObserver observer)
      throws IOException {
    return start(settings, state, cache, KafkaLimits.defaults(), observer);
  }

  /** As {@link #start(Settings, DesiredState, CacheTiming, RequestObserver)}, with limits. */
  public static ScalerServer start(
      Settings settings,
      DesiredState state,
      CacheTiming cache,
      KafkaLimits limits,
      RequestObserver observer)
      throws IOException {
    return start(settings, state, cache, limits, observer, System::nanoTime);
  }

  /**
   * As {@link #start(Settings, DesiredState, CacheTiming, KafkaLimits, RequestObserver)}, with the
   * nanosecond time source the trigger cache measures idleness by (tests stop or move it).
   */
  static ScalerServer start(
      Settings settings,
      DesiredState state,
      CacheTiming cache,
      KafkaLimits limits,
      RequestObserver observer,
      LongSupplier ticker)
      throws IOException {
    AdapterContext context = new AdapterContext(Clock.systemUTC());
    try {
      return start(
          settings,
          state,
          cache,
          limits,
          new KafkaScaler(context, limits.maxClusters()),
          context,
          observer,
          ticker);
    } catch (IOException | RuntimeException e) {
      context.close();
      throw e;
    }
  }

  /** Starts listening with {@code loader} as the Kafka mode's upstream, closed with the server. */
  static ScalerServer start(
      Settings settings,
      DesiredState state,
      CacheTiming cache,
      SignalCache.Loader<KafkaTrigger, KafkaAnswer> loader,
      AutoCloseable upstream)
      throws IOException {
    return start(
        settings,
        state,
        cache,
        KafkaLimits.defaults(),
        loader,
        upstream,
        RequestObserver.NONE,
        System::nanoTime);
  }

  private static ScalerServer start(
      Settings settings,
      DesiredState state,
      CacheTiming cache,
      KafkaLimits limits,
      SignalCache.Loader<KafkaTrigger, KafkaAnswer> loader,
      AutoCloseable upstream,
      RequestObserver observer,
      LongSupplier ticker)
      throws IOException {
    GrpcLogs.route();
    ScheduledExecutorService streams =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "grpc-stream-activity");
              t.setDaemon(true);
              return t;
            });
    ExecutorService loads = loadExecutor();
    ExecutorService parser = parseExecutor();
    HealthStatusManager health = new HealthStatusManager();
    SignalCache<KafkaTrigger, KafkaAnswer> kafka =
        new SignalCache<>(loader, loads, cache.timing(), streams, ticker, limits.maxTriggers());
    ExternalScalerService service =
        new ExternalScalerService(
            state, kafka, streams, settings.checkInterval(), settings.heartbeat(), parser);
    NettyServerBuilder builder;
    try {
      builder =
          settings.tls().isPresent()
              ? NettyServerBuilder.forAddress(settings.address(), credentials(settings.tls().get()))
              : NettyServerBuilder.forAddress(settings.address());
    } catch (IOException | RuntimeException e) {
      streams.shutdownNow();
      loads.shutdownNow();
      parser.shutdownNow();
      throw e;
    }
    // Every handler answers without blocking (from memory, or through a future a load completes),
    // so calls run on the network threads: no hand-off to another thread per request. New Kafka
    // metadata is parsed on the parser thread; requests larger than MAX_REQUEST_BYTES are refused
    // by the transport.
    Server server =
        builder
            .directExecutor()
            .maxInboundMessageSize(MAX_REQUEST_BYTES)
            .addService(ServerInterceptors.intercept(service, new ObservingInterceptor(observer)))
            .addService(health.getHealthService())
            .build();
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      streams.shutdownNow();
      loads.shutdownNow();
      parser.shutdownNow();
      throw e;
    }
    health.setStatus(
        ExternalScalerGrpc.SERVICE_NAME,
        io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    LOG.atInfo()
        .addKeyValue("grpcPort", server.getPort())
        .addKeyValue(
            "tls",
            settings.tls().map(t -> t.clientCa().isPresent() ? "mutual" : "server").orElse("off"))
        .log("KEDA external scaler listening");
    return new ScalerServer(server, health, service, streams, loads, parser, kafka, upstream);
  }

  private static ServerCredentials credentials(Tls tls) throws IOException {
    TlsServerCredentials.Builder b =
        TlsServerCredentials.newBuilder()
            .keyManager(tls.certChain().toFile(), tls.privateKey().toFile());
    if (tls.clientCa().isPresent()) {
      b.trustManager(tls.clientCa().get().toFile())
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    return b.build();
  }

  /**
   * Where the Kafka mode's readings start: at most two at a time (a new trigger's Admin client is
   * created there), idle threads end after a minute.
   */
  private static ExecutorService loadExecutor() {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            2,
            2,
            1,
            TimeUnit.MINUTES,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "grpc-signal-load-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * Where new Kafka-mode metadata is parsed: one thread (idle, it ends), at most 256 waiting; a
   * request past that is refused ({@code RESOURCE_EXHAUSTED}).
   */
  private static ExecutorService parseExecutor() {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            1,
            1,
            1,
            TimeUnit.MINUTES,
            new LinkedBlockingQueue<>(256),
            r -> {
              Thread t = new Thread(r, "grpc-trigger-parse");
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** The port bound (useful when started on port 0). */
  public int port() {
    return server.getPort();
  }

  /** Readings of Kafka triggers started so far (each is one upstream call). */
  long kafkaLoads() {
    return kafka.loads();
  }

  /** Readings of one Kafka trigger started so far (see {@link SignalCache#loads(Object)}). */
  long kafkaLoads(KafkaTrigger trigger) {
    return kafka.loads(trigger);
  }

  /** Kafka triggers held in the cache. */
  int kafkaTriggers() {
    return kafka.size();
  }

  /** Open {@code StreamIsActive} calls (a cancelled stream leaves this count). */
  public int openStreams() {
    return service.openStreams();
  }

  /**
   * Reports NOT_SERVING, ends open streams cleanly, lets running calls finish (at most 5 s), then
   * cancels what is left.
   */
  @Override
  public void close() {
    health.enterTerminalState();
    server.shutdown();
    service.completeStreams();
    streams.shutdown();
    try {
      if (!streams.awaitTermination(5, TimeUnit.SECONDS)) {
        streams.shutdownNow();
      }
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      streams.shutdownNow();
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      loads.shutdownNow();
      parser.shutdownNow();
      kafka.close();
      try {
        upstream.close();
      } catch (Exception e) {
        LOG.warn("closing the Kafka clients of the external scaler failed", e);
      }
    }
  }
}
