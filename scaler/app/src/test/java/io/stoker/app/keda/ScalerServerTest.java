package io.stoker.app.keda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.stoker.app.keda.proto.ExternalScalerGrpc;
import io.stoker.app.keda.proto.GetMetricSpecResponse;
import io.stoker.app.keda.proto.GetMetricsRequest;
import io.stoker.app.keda.proto.GetMetricsResponse;
import io.stoker.app.keda.proto.IsActiveResponse;
import io.stoker.app.keda.proto.MetricSpec;
import io.stoker.app.keda.proto.MetricValue;
import io.stoker.app.keda.proto.ScaledObjectRef;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The KEDA external scaler driven by grpc-java client stubs over loopback. */
class ScalerServerTest {
  private static final Duration NO_HEARTBEAT = Duration.ofHours(1);
  private final TestingDesiredState state = new TestingDesiredState();
  private final java.util.Queue<String> calls = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private ScalerServer server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws InterruptedException {
    LoopbackChannels.close(channel, server);
  }

  private ExternalScalerGrpc.ExternalScalerBlockingStub start(Duration heartbeat) throws Exception {
    server =
        ScalerServer.start(
            new ScalerServer.Settings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Duration.ofMillis(10),
                heartbeat),
            state,
            ScalerServer.CacheTiming.defaults(),
            (method, code, seconds) -> {
              assertThat(seconds).isNotNegative();
              calls.add(method + " " + code);
            });
    channel = LoopbackChannels.plaintext(server.port());
    return ExternalScalerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private ExternalScalerGrpc.ExternalScalerBlockingStub start() throws Exception {
    return start(NO_HEARTBEAT);
  }

  private static ScaledObjectRef ref(String namespace, Map<String, String> metadata) {
    return ScaledObjectRef.newBuilder()
        .setName("so")
        .setNamespace(namespace)
        .putAllScalerMetadata(metadata)
        .build();
  }

  private static ScaledObjectRef ref(String autoscaler) {
    return ref("team-a", Map.of("scalerAddress", "stoker.stoker:9090", "autoscaler", autoscaler));
  }

  private static GetMetricsRequest metrics(ScaledObjectRef ref, String metric) {
    return GetMetricsRequest.newBuilder().setScaledObjectRef(ref).setMetricName(metric).build();
  }

  private static Status status(Runnable call) {
    return catchThrowableOfType(StatusRuntimeException.class, call::run).getStatus();
  }

  @Test
  void metricSpecIsExecutorsWithTargetOneInBothFields() throws Exception {
    var stub = start();
    state.put("team-a", "etl", 3);

    GetMetricSpecResponse spec = stub.getMetricSpec(ref("etl"));

    assertThat(spec.getMetricSpecsList())
        .containsExactly(
            MetricSpec.newBuilder()
                .setMetricName("executors")
                .setTargetSize(1)
                .setTargetSizeFloat(1.0)
                .build());
  }

  @Test
  void metricsAreTheDesiredExecutorsInBothFields() throws Exception {
    var stub = start();
    state.put("team-a", "etl", 7);

    GetMetricsResponse r = stub.getMetrics(metrics(ref("etl"), "executors"));

    assertThat(r.getMetricValuesList())
        .containsExactly(
            MetricValue.newBuilder()
                .setMetricName("executors")
                .setMetricValue(7)
                .setMetricValueFloat(7.0)
                .build());
    state.put("team-a", "etl", 2);
    assertThat(
            stub.getMetrics(metrics(ref("etl"), "executors")).getMetricValues(0).getMetricValue())
        .isEqualTo(2);
  }

  @Test
  void activeWhenExecutorsAreWantedOrLagIsAboveTheActivationThreshold() throws Exception {
    var stub = start();
    state.put("team-a", "busy", 1);
    state.put("team-a", "idle", 0);
    state.put("team-a", "lagging", new Desired(0, OptionalLong.of(11), 10));
    state.put("team-a", "at-threshold", new Desired(0, OptionalLong.of(10), 10));

    assertThat(stub.isActive(ref("busy")).getResult()).isTrue();
    assertThat(stub.isActive(ref("idle")).getResult()).isFalse();
    assertThat(stub.isActive(ref("lagging")).getResult()).isTrue();
    assertThat(stub.isActive(ref("at-threshold")).getResult()).isFalse();
  }

  @Test
  void acceptsTheFromEnvSuffix() throws Exception {
    var stub = start();
    state.put("team-a", "etl", 4);

    ScaledObjectRef r = ref("team-a", Map.of("autoscalerFromEnv", "etl"));

    assertThat(stub.getMetrics(metrics(r, "executors")).getMetricValues(0).getMetricValue())
        .isEqualTo(4);
    assertThat(stub.isActive(r).getResult()).isTrue();
  }

  @Test
  void unknownAutoscalerIsNotFoundOnEveryRpc() throws Exception {
    var stub = start();
    state.put("team-b", "etl", 4);
    ScaledObjectRef r = ref("etl");

    for (Runnable call :
        new Runnable[] {
          () -> stub.isActive(r),
          () -> stub.getMetricSpec(r),
          () -> stub.getMetrics(metrics(r, "executors")),
          () -> stub.streamIsActive(r).next()
        }) {
      Status s = status(call);
      assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(s.getDescription()).contains("team-a/etl");
    }
  }

  @Test
  void badMetadataIsInvalidArgumentNamingTheKey() throws Exception {
    var stub = start();
    state.put("team-a", "etl", 4);
    Map<ScaledObjectRef, String> cases =
        Map.of(
            ref("team-a", Map.of("scalerAddress", "x:1")), "scalerMetadata.autoscaler",
            ref("team-a", Map.of("autoscaler", "Not_A_Name")), "scalerMetadata.autoscaler",
            ref("team-a", Map.of("autoscalerFromEnv", "")), "scalerMetadata.autoscalerFromEnv",
            ref("", Map.of("autoscaler", "etl")), "namespace");

    cases.forEach(
        (r, key) -> {
          for (Runnable call :
              new Runnable[] {
                () -> stub.isActive(r),
                () -> stub.getMetricSpec(r),
                () -> stub.getMetrics(metrics(r, "executors")),
                () -> stub.streamIsActive(r).next()
              }) {
            Status s = status(call);
            assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(s.getDescription()).startsWith(key + ":");
          }
        });
  }

  @Test
  void unknownMetricNameIsInvalidArgument() throws Exception {
    var stub = start();
    state.put("team-a", "etl", 4);

    Status s = status(() -> stub.getMetrics(metrics(ref("etl"), "kafka-orders")));

    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).startsWith("metricName:").contains("kafka-orders");
  }

  @Test
  void streamMetricSpecIsUnimplemented() throws Exception {
    var stub = start();
    state.put("team-a", "etl", 4);

    Iterator<GetMetricSpecResponse> it = stub.streamMetricSpec(ref("etl"));

    assertThat(status(it::hasNext).getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
  }

  /** Collects a server stream; {@link #cancel()} cancels it from the client side. */
  private static final class Collector
      implements ClientResponseObserver<ScaledObjectRef, IsActiveResponse> {
    final BlockingQueue<Boolean> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> ended = new CompletableFuture<>();
    final AtomicReference<ClientCallStreamObserver<ScaledObjectRef>> call = new AtomicReference<>();

    @Override
    public void beforeStart(ClientCallStreamObserver<ScaledObjectRef> requestStream) {
      call.set(requestStream);
    }

    @Override
    public void onNext(IsActiveResponse value) {
      received.add(value.getResult());
    }

    @Override
    public void onError(Throwable t) {
      ended.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      ended.complete(Status.OK);
    }

    void cancel() {
      call.get().cancel("test done", null);
    }

    Boolean next() throws InterruptedException {
      Boolean b = received.poll(30, TimeUnit.SECONDS);
      assertThat(b).as("a stream message within 30 s").isNotNull();
      return b;
    }
  }

  private Collector stream(String autoscaler) {
    Collector c = new Collector();
    ExternalScalerGrpc.newStub(channel).streamIsActive(ref(autoscaler), c);
    return c;
  }

  @Test
  void streamSendsCurrentActivityThenPushesChangesAndStopsOnCancel() throws Exception {
    start();
    state.put("team-a", "etl", 0);
    Collector c = stream("etl");

    assertThat(c.next()).isFalse();
    await().until(() -> server.openStreams() == 1);
    state.put("team-a", "etl", 3);
    assertThat(c.next()).isTrue();
    state.put("team-a", "etl", 5);
    state.put("team-a", "etl", 0);
    assertThat(c.next()).isFalse();

    c.cancel();

    assertThat(c.ended.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
    await().until(() -> server.openStreams() == 0);
  }

  @Test
  void everyCallIsReportedOnceWithItsMethodAndCode() throws Exception {
    var stub = start();
    state.put("team-a", "etl", 2);
    stub.getMetrics(metrics(ref("etl"), "executors"));
    assertThat(status(() -> stub.isActive(ref("nobody"))).getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
    Collector c = stream("etl");
    assertThat(c.next()).isTrue();
    c.cancel();
    c.ended.get(30, TimeUnit.SECONDS);

    await().until(() -> calls.size() >= 3);
    assertThat(calls)
        .containsExactly("GetMetrics OK", "IsActive NOT_FOUND", "StreamIsActive CANCELLED");
  }

  @Test
  void streamRepeatsTheSameActivityAsAHeartbeat() throws Exception {
    start(Duration.ofMillis(20));
    state.put("team-a", "etl", 2);
    Collector c = stream("etl");

    for (int i = 0; i < 4; i++) {
      assertThat(c.next()).isTrue();
    }
    c.cancel();
    await().until(() -> server.openStreams() == 0);
  }

  @Test
  void streamEndsWithNotFoundWhenTheAutoscalerGoesAway() throws Exception {
    start();
    state.put("team-a", "etl", 2);
    Collector c = stream("etl");
    assertThat(c.next()).isTrue();

    state.remove("team-a", "etl");

    assertThat(c.ended.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(server.openStreams()).isZero();
  }

  @Test
  void closingTheServerEndsOpenStreamsCleanly() throws Exception {
    start();
    state.put("team-a", "etl", 2);
    Collector c = stream("etl");
    assertThat(c.next()).isTrue();

    server.close();

    assertThat(c.ended.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    server = null;
  }

  @Test
  void healthServiceReportsServing() throws Exception {
    start();
    var health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);

    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
    assertThat(
            health
                .check(
                    HealthCheckRequest.newBuilder()
                        .setService("externalscaler.ExternalScaler")
                        .build())
                .getStatus())
        .isEqualTo(ServingStatus.SERVING);
    Status unknown =
        status(() -> health.check(HealthCheckRequest.newBuilder().setService("nope").build()));
    assertThat(unknown.getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }
}
