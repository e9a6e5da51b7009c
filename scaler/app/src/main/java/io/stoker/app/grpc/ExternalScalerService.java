package io.stoker.app.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.stoker.app.grpc.proto.ExternalScalerGrpc;
import io.stoker.app.grpc.proto.GetMetricSpecResponse;
import io.stoker.app.grpc.proto.GetMetricsRequest;
import io.stoker.app.grpc.proto.GetMetricsResponse;
import io.stoker.app.grpc.proto.IsActiveResponse;
import io.stoker.app.grpc.proto.MetricSpec;
import io.stoker.app.grpc.proto.MetricValue;
import io.stoker.app.grpc.proto.ScaledObjectRef;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KEDA's {@code externalscaler.ExternalScaler} in the {@code autoscaler:} reference mode
 * (architecture.md §8): one metric {@value #METRIC}, target 1, value = the autoscaler's desired
 * executors, so an {@code AverageValue} HPA lands exactly on Stoker's decision. Every answer comes
 * from the in-memory {@link DesiredState}; nothing remote is called per request.
 */
final class ExternalScalerService extends ExternalScalerGrpc.ExternalScalerImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(ExternalScalerService.class);
  static final String METRIC = "executors";

  private final DesiredState state;
  private final ScheduledExecutorService streams;
  private final Duration checkInterval;
  private final Duration heartbeat;
  private final Set<ActivityStream> open = ConcurrentHashMap.newKeySet();

  /**
   * @param state the controller's decisions
   * @param streams runs the {@code StreamIsActive} checks
   * @param checkInterval how often an open stream looks for a change of activity
   * @param heartbeat the longest time between two messages of an open stream
   */
  ExternalScalerService(
      DesiredState state,
      ScheduledExecutorService streams,
      Duration checkInterval,
      Duration heartbeat) {
    this.state = state;
    this.streams = streams;
    this.checkInterval = checkInterval;
    this.heartbeat = heartbeat;
  }

  @Override
  public void isActive(ScaledObjectRef ref, StreamObserver<IsActiveResponse> out) {
    answer(out, () -> active(lookup(ScalerRequest.parse(ref))));
  }

  @Override
  public void getMetricSpec(ScaledObjectRef ref, StreamObserver<GetMetricSpecResponse> out) {
    answer(
        out,
        () -> {
          lookup(ScalerRequest.parse(ref));
          return GetMetricSpecResponse.newBuilder()
              .addMetricSpecs(
                  MetricSpec.newBuilder()
                      .setMetricName(METRIC)
                      .setTargetSize(1)
                      .setTargetSizeFloat(1.0))
              .build();
        });
  }

  @Override
  public void getMetrics(GetMetricsRequest request, StreamObserver<GetMetricsResponse> out) {
    answer(
        out,
        () -> {
          ScalerRequest r = ScalerRequest.parse(request.getScaledObjectRef());
          if (!METRIC.equals(request.getMetricName())) {
            throw ScalerRequest.invalid(
                "metricName: '"
                    + request.getMetricName()
                    + "' is not served; the autoscaler mode serves '"
                    + METRIC
                    + "'");
          }
          Desired d = lookup(r);
          return GetMetricsResponse.newBuilder()
              .addMetricValues(
                  MetricValue.newBuilder()
                      .setMetricName(METRIC)
                      .setMetricValue(d.executors())
                      .setMetricValueFloat(d.executors()))
              .build();
        });
  }

  /**
   * Sends the current activity at once, then on every change (checked every {@code checkInterval})
   * and at least every {@code heartbeat}; stops when the client cancels. An autoscaler deleted
   * while the stream is open ends it with {@code NOT_FOUND}.
   */
  @Override
  public void streamIsActive(ScaledObjectRef ref, StreamObserver<IsActiveResponse> out) {
    ServerCallStreamObserver<IsActiveResponse> call =
        (ServerCallStreamObserver<IsActiveResponse>) out;
    ScalerRequest r;
    IsActiveResponse first;
    try {
      r = ScalerRequest.parse(ref);
      first = active(lookup(r));
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    ActivityStream stream = new ActivityStream(r, call, first);
    open.add(stream);
    call.setOnCancelHandler(stream::stop);
    out.onNext(first);
    stream.schedule();
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
            s.stop();
            if (!s.call.isCancelled()) {
              s.call.onCompleted();
            }
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

  private static IsActiveResponse active(Desired d) {
    return IsActiveResponse.newBuilder().setResult(d.active()).build();
  }

  private interface Answer<T> {
    T get();
  }

  private static <T> void answer(StreamObserver<T> out, Answer<T> answer) {
    T value;
    try {
      value = answer.get();
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    } catch (RuntimeException e) {
      LOG.warn("external scaler request failed", e);
      out.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
      return;
    }
    out.onNext(value);
    out.onCompleted();
  }

  /** One open {@code StreamIsActive}; its checks run one at a time on {@link #streams}. */
  private final class ActivityStream {
    private final ScalerRequest request;
    private final ServerCallStreamObserver<IsActiveResponse> call;
    private IsActiveResponse last;
    private long lastSent = System.nanoTime();
    private volatile ScheduledFuture<?> task;
    private volatile boolean stopped;

    ActivityStream(
        ScalerRequest request,
        ServerCallStreamObserver<IsActiveResponse> call,
        IsActiveResponse first) {
      this.request = request;
      this.call = call;
      this.last = first;
    }

    void schedule() {
      long every = checkInterval.toNanos();
      try {
        task = streams.scheduleWithFixedDelay(this::check, every, every, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        stop();
        call.onCompleted(); // the server is shutting down
        return;
      }
      if (stopped) {
        task.cancel(false);
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

    private void check() {
      if (stopped || call.isCancelled()) {
        stop();
        return;
      }
      try {
        IsActiveResponse now = active(lookup(request));
        long at = System.nanoTime();
        if (!now.equals(last) || at - lastSent >= heartbeat.toNanos()) {
          last = now;
          lastSent = at;
          call.onNext(now);
        }
      } catch (StatusRuntimeException e) {
        stop();
        if (!call.isCancelled()) {
          call.onError(e);
        }
      } catch (RuntimeException e) {
        LOG.atWarn().addKeyValue("autoscaler", request).setCause(e).log("activity stream failed");
        stop();
        if (!call.isCancelled()) {
          call.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
        }
      }
    }
  }
}
