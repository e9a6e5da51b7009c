package io.stoker.app.keda;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Deadlines;
import io.stoker.app.keda.proto.ExternalScalerGrpc;
import io.stoker.app.keda.proto.GetMetricSpecResponse;
import io.stoker.app.keda.proto.GetMetricsRequest;
import io.stoker.app.keda.proto.GetMetricsResponse;
import io.stoker.app.keda.proto.IsActiveResponse;
import io.stoker.app.keda.proto.MetricSpec;
import io.stoker.app.keda.proto.MetricValue;
import io.stoker.app.keda.proto.ScaledObjectRef;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KEDA's {@code externalscaler.ExternalScaler} (docs/keda.md), in two modes chosen by the trigger
 * metadata:
 *
 * <ul>
 *   <li>{@code autoscaler: <name>}: one metric {@value #METRIC}, target 1, value = the autoscaler's
 *       desired executors, so an {@code AverageValue} HPA lands exactly on Stoker's decision; every
 *       answer comes from the in-memory {@link DesiredState}.
 *   <li>KEDA's Kafka-scaler keys ({@link KafkaTrigger}): KEDA's Kafka-scaler metric name, target,
 *       value and activity (or, with {@code mode: rate}, Stoker's recommendation); answers come
 *       from the {@link SignalCache}, refreshed in the background, so a request costs at most the
 *       cache's deadline and concurrent requests for one trigger share one read of the cluster.
 * </ul>
 */
final class ExternalScalerService extends ExternalScalerGrpc.ExternalScalerImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(ExternalScalerService.class);
  static final String METRIC = "executors";

  /** Parsed triggers kept by their raw metadata: at most this many... */
  private static final int MAX_PARSED = 2_000;

  /** ...and at most this many characters of metadata in all. */
  private static final long MAX_PARSED_CHARS = 8_000_000;

  private final DesiredState state;
  private final SignalCache<KafkaTrigger, KafkaAnswer> kafka;
  private final Map<Map<String, String>, KafkaTrigger> parsed = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong parsedChars =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.Executor parser;
  private final ScheduledExecutorService streams;
  private final Duration checkInterval;
  private final Duration heartbeat;
  private final Set<ActivityStream> open = ConcurrentHashMap.newKeySet();

  /**
   * @param state the controller's decisions
   * @param kafka the Kafka mode's answers
   * @param streams runs the {@code StreamIsActive} checks
   * @param checkInterval how often an open stream looks for a change of activity
   * @param heartbeat the longest time between two messages of an open stream
   * @param parser parses new Kafka-mode metadata (never the gRPC network threads); a refused task
   *     is answered {@code RESOURCE_EXHAUSTED}
   */
  ExternalScalerService(
      DesiredState state,
      SignalCache<KafkaTrigger, KafkaAnswer> kafka,
      ScheduledExecutorService streams,
      Duration checkInterval,
      Duration heartbeat,
      java.util.concurrent.Executor parser) {
    this.parser = parser;
    this.state = state;
    this.kafka = kafka;
    this.streams = streams;
    this.checkInterval = checkInterval;
    this.heartbeat = heartbeat;
  }

  @Override
  public void isActive(ScaledObjectRef ref, StreamObserver<IsActiveResponse> out) {
    answer(out, activity(ref).thenApply(ExternalScalerService::active));
  }

  @Override
  public void getMetricSpec(ScaledObjectRef ref, StreamObserver<GetMetricSpecResponse> out) {
    answer(
        out,
        kafkaTrigger(ref)
            .thenApply(
                k -> {
                  if (k.isPresent()) {
                    return GetMetricSpecResponse.newBuilder()
                        .addMetricSpecs(
                            MetricSpec.newBuilder()
                                .setMetricName(k.get().metricName())
                                .setTargetSize(k.get().target())
                                .setTargetSizeFloat(k.get().target()))
                        .build();
                  }
                  lookup(ScalerRequest.parse(ref));
                  return GetMetricSpecResponse.newBuilder()
                      .addMetricSpecs(
                          MetricSpec.newBuilder()
                              .setMetricName(METRIC)
                              .setTargetSize(1)
                              .setTargetSizeFloat(1.0))
                      .build();
                }));
  }

  @Override
  public void getMetrics(GetMetricsRequest request, StreamObserver<GetMetricsResponse> out) {
    answer(
        out,
        kafkaTrigger(request.getScaledObjectRef())
            .thenCompose(
                found -> {
                  if (found.isPresent()) {
                    KafkaTrigger k = found.get();
                    if (!k.metricName().equals(request.getMetricName())) {
                      throw notServed(request.getMetricName(), "the Kafka mode", k.metricName());
                    }
                    ScaledObjectRef ref = request.getScaledObjectRef();
                    String scaledObject = ref.getNamespace() + "/" + ref.getName();
                    return reading(k)
                        .thenApply(a -> metrics(k.metricName(), a.valueFor(scaledObject)));
                  }
                  ScalerRequest r = ScalerRequest.parse(request.getScaledObjectRef());
                  if (!METRIC.equals(request.getMetricName())) {
                    throw notServed(request.getMetricName(), "the autoscaler mode", METRIC);
                  }
                  return CompletableFuture.completedFuture(metrics(METRIC, lookup(r).executors()));
                }));
  }

  private static StatusRuntimeException notServed(String asked, String mode, String served) {
    return ScalerRequest.invalid(
        "metricName: '" + asked + "' is not served; " + mode + " serves '" + served + "'");
  }

  private static GetMetricsResponse metrics(String name, long value) {
    return GetMetricsResponse.newBuilder()
        .addMetricValues(
            MetricValue.newBuilder()
                .setMetricName(name)
                .setMetricValue(value)
                .setMetricValueFloat(value))
        .build();
  }

  /**
   * The Kafka-mode trigger of {@code ref}, empty in the autoscaler mode. Parsed once per distinct
   * metadata, on the parser executor: only a lookup of metadata already parsed runs on the calling
   * (network) thread. Fails with {@code INVALID_ARGUMENT} naming the bad key.
   */
  private CompletableFuture<java.util.Optional<KafkaTrigger>> kafkaTrigger(ScaledObjectRef ref) {
    Map<String, String> md = ref.getScalerMetadataMap();
    KafkaTrigger k = parsed.get(md);
    if (k != null) {
      return CompletableFuture.completedFuture(java.util.Optional.of(k));
    }
    if (!KafkaTrigger.applies(md)) {
      return CompletableFuture.completedFuture(java.util.Optional.empty());
    }
    try {
      return CompletableFuture.supplyAsync(() -> java.util.Optional.of(parse(md)), parser);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new LimitExceeded("too many new Kafka-mode triggers to parse at once; try again"));
    }
  }

  private KafkaTrigger parse(Map<String, String> md) {
    if (md.containsKey(ScalerRequest.AUTOSCALER)
        || md.containsKey(ScalerRequest.AUTOSCALER + ScalerRequest.FROM_ENV)) {
      throw ScalerRequest.invalid(
          "scalerMetadata.autoscaler: set either autoscaler or KEDA's Kafka-scaler keys"
              + " (bootstrapServers, consumerGroup, ...), not both");
    }
    KafkaTrigger k = KafkaTrigger.parse(md);
    long chars = 0;
    for (Map.Entry<String, String> e : md.entrySet()) {
      chars += e.getKey().length() + e.getValue().length();
    }
    if (parsed.size() >= MAX_PARSED || parsedChars.addAndGet(chars) > MAX_PARSED_CHARS) {
      parsed.clear();
      parsedChars.set(chars);
    }
    parsed.put(Map.copyOf(md), k);
    return k;
  }

  /**
   * The cached reading of {@code k}. A reading that did not end within the deadline fails with an
   * error naming the trigger's bootstrap servers and the cause (the cache's own timeout knows
   * neither).
   */
  private CompletableFuture<KafkaAnswer> reading(KafkaTrigger k) {
    return kafka
        .get(k)
        .exceptionallyCompose(
            e ->
                CompletableFuture.failedFuture(
                    Deadlines.unwrap(e) instanceof TimeoutException
                        ? new AdapterException(
                            AdapterException.Kind.TIMEOUT,
                            "Kafka "
                                + k.config().bootstrapServers()
                                + ": timed out: no reading of the cluster within the deadline of "
                                + kafka.timing().deadline().toMillis()
                                + " ms (--grpc-kafka-deadline)")
                        : e));
  }

  /** The activity {@code ref} asks for, in either mode; fails with a gRPC status. */
  private CompletableFuture<Boolean> activity(ScaledObjectRef ref) {
    return kafkaTrigger(ref)
        .thenCompose(
            k ->
                k.isPresent()
                    ? reading(k.get()).thenApply(KafkaAnswer::active)
                    : CompletableFuture.completedFuture(lookup(ScalerRequest.parse(ref)).active()));
  }

  /**
   * Sends the current activity as soon as it is known, then on every change (checked every {@code
   * checkInterval}) and at least every {@code heartbeat}; stops when the client cancels. An
   * autoscaler deleted while the stream is open ends it with {@code NOT_FOUND}; in the Kafka mode a
   * failed reading ends it with the reading's status (KEDA reopens the stream with backoff).
   */
  @Override
  public void streamIsActive(ScaledObjectRef ref, StreamObserver<IsActiveResponse> out) {
    ServerCallStreamObserver<IsActiveResponse> call =
        (ServerCallStreamObserver<IsActiveResponse>) out;
    ActivityStream stream = new ActivityStream(ref, call);
    open.add(stream);
    call.setOnCancelHandler(stream::stop);
    activity(ref).whenComplete(stream::start);
  }

  /** Open {@code StreamIsActive} calls. */
  int openStreams() {
    return open.size();
  }

  /**
   * Ends every open {@code StreamIsActive} cleanly (KEDA reconnects at once after a clean end);
   * runs on the stream executor so that it never races a check.
   */
  void completeStreams() {
    streams.execute(
        () -> {
          for (ActivityStream s : Set.copyOf(open)) {
            s.complete();
          }
        });
  }

  @Override
  public void streamMetricSpec(ScaledObjectRef ref, StreamObserver<GetMetricSpecResponse> out) {
    out.onError(
        Status.UNIMPLEMENTED
            .withDescription("StreamMetricSpec is not implemented; poll GetMetricSpec")
            .asRuntimeException());
  }

  private Desired lookup(ScalerRequest r) {
    return state
        .desired(r.namespace(), r.autoscaler())
        .orElseThrow(
            () ->
                Status.NOT_FOUND
                    .withDescription(
                        "ExecutorAutoscaler "
                            + r
                            + " not found (or not reconciled yet); check scalerMetadata.autoscaler"
                            + " and the ScaledObject's namespace")
                    .asRuntimeException());
  }

  private static IsActiveResponse active(boolean active) {
    return IsActiveResponse.newBuilder().setResult(active).build();
  }

  private static <T> void answer(StreamObserver<T> out, CompletableFuture<T> answer) {
    answer.whenComplete(
        (value, e) -> {
          if (e != null) {
            out.onError(status(e));
          } else {
            out.onNext(value);
            out.onCompleted();
          }
        });
  }

  /**
   * The gRPC status of a failure: a status as it is; an unanswered reading {@code UNAVAILABLE}; a
   * missing group or topic {@code NOT_FOUND}; any other adapter error {@code UNAVAILABLE} (the
   * signal is down); anything else {@code INTERNAL}.
   */
  static StatusRuntimeException status(Throwable failure) {
    Throwable t = Deadlines.unwrap(failure);
    if (t instanceof StatusRuntimeException e) {
      return e;
    }
    if (t instanceof TimeoutException) {
      return Status.UNAVAILABLE
          .withDescription("the signal did not answer within the deadline")
          .asRuntimeException();
    }
    if (t instanceof LimitExceeded e) {
      return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException();
    }
    if (t instanceof AdapterException e) {
      Status s =
          switch (e.kind()) {
            case NOT_FOUND -> Status.NOT_FOUND;
            case INVALID_CONFIG -> Status.INVALID_ARGUMENT;
            default -> Status.UNAVAILABLE;
          };
      return s.withDescription(e.getMessage()).asRuntimeException();
    }
    LOG.warn("external scaler request failed", t);
    return Status.INTERNAL.withDescription(t.toString()).asRuntimeException();
  }

  /** One open {@code StreamIsActive}; its checks run one at a time on {@link #streams}. */
  private final class ActivityStream {
    private final ScaledObjectRef ref;
    private final ServerCallStreamObserver<IsActiveResponse> call;
    private Boolean last;
    private long lastSent;
    private volatile ScheduledFuture<?> task;
    private volatile boolean stopped;
    private final AtomicBoolean ended = new AtomicBoolean();

    ActivityStream(ScaledObjectRef ref, ServerCallStreamObserver<IsActiveResponse> call) {
      this.ref = ref;
      this.call = call;
    }

    /** Sends the first activity (or ends the stream with the error), then schedules the checks. */
    void start(Boolean first, Throwable error) {
      try {
        streams.execute(() -> open(first, error));
      } catch (RejectedExecutionException e) {
        complete(); // the server is shutting down
      }
    }

    private void open(Boolean first, Throwable error) {
      if (stopped || call.isCancelled()) {
        stop();
        return;
      }
      if (error != null) {
        fail(error);
        return;
      }
      send(first);
      long every = checkInterval.toNanos();
      try {
        task = streams.scheduleWithFixedDelay(this::check, every, every, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        complete(); // the server is shutting down
      }
    }

    void stop() {
      stopped = true;
      open.remove(this);
      ScheduledFuture<?> t = task;
      if (t != null) {
        t.cancel(false);
      }
    }

    private void send(boolean active) {
      last = active;
      lastSent = System.nanoTime();
      call.onNext(IsActiveResponse.newBuilder().setResult(active).build());
    }

    /** Ends the stream cleanly (at most one end per stream). */
    void complete() {
      stop();
      if (ended.compareAndSet(false, true) && !call.isCancelled()) {
        call.onCompleted();
      }
    }

    private void fail(Throwable error) {
      stop();
      if (ended.compareAndSet(false, true) && !call.isCancelled()) {
        call.onError(status(error));
      }
    }

    private void check() {
      if (stopped || call.isCancelled()) {
        stop();
        return;
      }
      CompletableFuture<Boolean> now = activity(ref);
      if (!now.isDone()) {
        return; // a reading is under way; look again at the next check
      }
      try {
        boolean active = now.join();
        if (!Boolean.valueOf(active).equals(last)
            || System.nanoTime() - lastSent >= heartbeat.toNanos()) {
          send(active);
        }
      } catch (RuntimeException e) {
        fail(e);
      }
    }
  }
}
