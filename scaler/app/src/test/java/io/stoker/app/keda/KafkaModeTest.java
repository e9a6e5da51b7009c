package io.stoker.app.keda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.stoker.adapters.spi.AdapterException;
import io.stoker.app.keda.proto.ExternalScalerGrpc;
import io.stoker.app.keda.proto.GetMetricsRequest;
import io.stoker.app.keda.proto.GetMetricsResponse;
import io.stoker.app.keda.proto.IsActiveResponse;
import io.stoker.app.keda.proto.MetricSpec;
import io.stoker.app.keda.proto.MetricValue;
import io.stoker.app.keda.proto.ScaledObjectRef;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The KEDA Kafka-scaler mode over gRPC with a fake upstream: metric spec, values, activity, the
 * shared cache (single flight, deadline), error codes and FromEnv keys. Parity of the values with
 * KEDA on a real broker is {@link KafkaParityTest}.
 */
class KafkaModeTest {
  private final TestingLoader<KafkaTrigger, KafkaAnswer> upstream = new TestingLoader<>();
  private final Map<String, KafkaAnswer> answers = new ConcurrentHashMap<>();
  private final ExecutorService callers = Executors.newFixedThreadPool(8);
  private ScalerServer server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws InterruptedException {
    callers.shutdownNow();
    upstream.completeAll(new KafkaAnswer(0, false));
    LoopbackChannels.close(channel, server);
  }

  private ExternalScalerGrpc.ExternalScalerBlockingStub start(Duration deadline) throws Exception {
    upstream.answering(
        t -> answers.getOrDefault(t.config().consumerGroup(), new KafkaAnswer(0, false)));
    server =
        ScalerServer.start(
            new ScalerServer.Settings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Duration.ofMillis(10),
                Duration.ofHours(1)),
            new TestingDesiredState(),
            new ScalerServer.CacheTiming(Duration.ofHours(1), deadline, Duration.ofHours(1)),
            upstream,
            () -> {});
    channel = LoopbackChannels.plaintext(server.port());
    return ExternalScalerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private ExternalScalerGrpc.ExternalScalerBlockingStub start() throws Exception {
    return start(Duration.ofSeconds(30));
  }

  private static ScaledObjectRef ref(Map<String, String> metadata) {
    Map<String, String> m = new HashMap<>(metadata);
    m.put("scalerAddress", "stoker.stoker:9090");
    return ScaledObjectRef.newBuilder()
        .setName("so")
        .setNamespace("team-a")
        .putAllScalerMetadata(m)
        .build();
  }

  private static Map<String, String> kafka(String group, String topic, String... more) {
    Map<String, String> m = new HashMap<>();
    m.put("bootstrapServers", "broker-1:9092,broker-2:9092");
    m.put("consumerGroup", group);
    if (topic != null) {
      m.put("topic", topic);
    }
    for (int i = 0; i < more.length; i += 2) {
      m.put(more[i], more[i + 1]);
    }
    return m;
  }

  private static GetMetricsRequest metrics(ScaledObjectRef ref, String metric) {
    return GetMetricsRequest.newBuilder().setScaledObjectRef(ref).setMetricName(metric).build();
  }

  private static Status status(Runnable call) {
    return catchThrowableOfType(StatusRuntimeException.class, call::run).getStatus();
  }

  @Test
  void aReadingThatHoldsItsThreadHoldsNoOtherCall() throws Exception {
    var stub = start();
    CountDownLatch resolved = new CountDownLatch(1);
    answers.put("fast", new KafkaAnswer(7, true));
    answers.put("slow", new KafkaAnswer(3, true));
    // A new trigger's first reading may hold its thread: a new Admin client resolves its
    // bootstrap servers before it returns.
    upstream.answering(
        t -> {
          if (t.config().consumerGroup().equals("slow")) {
            try {
              resolved.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return answers.get(t.config().consumerGroup());
        });
    var slow =
        callers.submit(
            () -> stub.getMetrics(metrics(ref(kafka("slow", "orders")), "kafka-orders")));
    await().atMost(Duration.ofSeconds(10)).until(() -> upstream.calls() == 1);

    // the same connection, while that reading holds its thread
    GetMetricsResponse fast =
        stub.withDeadlineAfter(5, TimeUnit.SECONDS)
            .getMetrics(metrics(ref(kafka("fast", "orders")), "kafka-orders"));

    assertThat(fast.getMetricValues(0).getMetricValue()).isEqualTo(7);
    assertThat(slow.isDone()).isFalse();
    resolved.countDown();
    assertThat(slow.get(30, TimeUnit.SECONDS).getMetricValues(0).getMetricValue()).isEqualTo(3);
  }

  @Test
  void metricSpecIsKedasKafkaNameWithTheLagThresholdAsTarget() throws Exception {
    var stub = start();

    assertThat(
            stub.getMetricSpec(ref(kafka("g", "orders", "lagThreshold", "50")))
                .getMetricSpecsList())
        .containsExactly(
            MetricSpec.newBuilder()
                .setMetricName("kafka-orders")
                .setTargetSize(50)
                .setTargetSizeFloat(50.0)
                .build());
    // No topic: KEDA's group form; default threshold 10; names normalised as KEDA does.
    MetricSpec noTopic = stub.getMetricSpec(ref(kafka("etl.v1", null))).getMetricSpecs(0);
    assertThat(noTopic.getMetricName()).isEqualTo("kafka-etl-v1-topics");
    assertThat(noTopic.getTargetSize()).isEqualTo(10);
    assertThat(stub.getMetricSpec(ref(kafka("g", "a.b_c-d"))).getMetricSpecs(0).getMetricName())
        .isEqualTo("kafka-a-b_c-d");
    // Rate mode: Stoker's recommendation in replicas, target 1.
    MetricSpec rate =
        stub.getMetricSpec(ref(kafka("g", "orders", "mode", "rate"))).getMetricSpecs(0);
    assertThat(rate.getMetricName()).isEqualTo("kafka-orders-rate");
    assertThat(rate.getTargetSizeFloat()).isEqualTo(1.0);
    assertThat(upstream.calls()).as("the spec needs no reading of the cluster").isZero();
  }

  @Test
  void metricsAndActivityComeFromTheReading() throws Exception {
    var stub = start();
    answers.put("busy", new KafkaAnswer(120, true));
    answers.put("idle", new KafkaAnswer(0, false));

    GetMetricsResponse r = stub.getMetrics(metrics(ref(kafka("busy", "orders")), "kafka-orders"));

    assertThat(r.getMetricValuesList())
        .containsExactly(
            MetricValue.newBuilder()
                .setMetricName("kafka-orders")
                .setMetricValue(120)
                .setMetricValueFloat(120.0)
                .build());
    assertThat(stub.isActive(ref(kafka("busy", "orders"))).getResult()).isTrue();
    assertThat(stub.isActive(ref(kafka("idle", "orders"))).getResult()).isFalse();
    assertThat(upstream.calls()).as("GetMetrics then IsActive share one reading").isEqualTo(2);
  }

  @Test
  void fromEnvKeysAreTheSameTrigger() throws Exception {
    var stub = start();
    answers.put("g", new KafkaAnswer(33, true));
    Map<String, String> fromEnv = new HashMap<>();
    fromEnv.put("bootstrapServersFromEnv", "broker-1:9092,broker-2:9092");
    fromEnv.put("consumerGroupFromEnv", "g");
    fromEnv.put("topicFromEnv", "orders");
    fromEnv.put("lagThresholdFromEnv", "10");

    long plain =
        stub.getMetrics(metrics(ref(kafka("g", "orders")), "kafka-orders"))
            .getMetricValues(0)
            .getMetricValue();
    long env =
        stub.getMetrics(metrics(ref(fromEnv), "kafka-orders")).getMetricValues(0).getMetricValue();

    assertThat(env).isEqualTo(plain).isEqualTo(33);
    assertThat(upstream.calls()).isEqualTo(1);
  }

  @Test
  void concurrentRequestsForOneTriggerShareOneReading() throws Exception {
    var stub = start();
    upstream.holding();
    ScaledObjectRef r = ref(kafka("g", "orders"));
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Long>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
                return stub.getMetrics(metrics(r, "kafka-orders"))
                    .getMetricValues(0)
                    .getMetricValue();
              },
              callers));
    }
    go.countDown();
    await().until(() -> upstream.heldCount() >= 1);
    await().during(Duration.ofMillis(200)).until(() -> upstream.calls() == 1);
    upstream.completeAll(new KafkaAnswer(77, true));

    for (CompletableFuture<Long> f : results) {
      assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(77);
    }
    assertThat(upstream.calls()).isEqualTo(1);
    assertThat(server.kafkaLoads()).isEqualTo(1);
  }

  @Test
  void aSlowBrokerIsUnavailableAfterTheDeadline() throws Exception {
    var stub = start(Duration.ofMillis(200));
    upstream.holding(); // the broker never answers

    // The client allows 30 s; the server answers UNAVAILABLE at its own deadline.
    Status s = status(() -> stub.getMetrics(metrics(ref(kafka("g", "orders")), "kafka-orders")));

    assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    // It names the trigger's brokers and the cause (issue 20).
    assertThat(s.getDescription())
        .contains("Kafka broker-1:9092,broker-2:9092")
        .contains("timed out")
        .contains("deadline of 200 ms");
    Status again = status(() -> stub.isActive(ref(kafka("g", "orders"))));
    assertThat(again.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(again.getDescription()).isEqualTo(s.getDescription());
  }

  @Test
  void readingErrorsMapToStatusCodes() throws Exception {
    var stub = start();
    upstream.holding();
    ScaledObjectRef missing = ref(kafka("nobody", "ghost"));
    CompletableFuture<Status> first =
        CompletableFuture.supplyAsync(() -> status(() -> stub.isActive(missing)), callers);
    await().until(() -> upstream.heldCount() == 1);
    upstream.failAll(
        new AdapterException(AdapterException.Kind.NOT_FOUND, "topic 'ghost' does not exist"));
    Status s = first.get(30, TimeUnit.SECONDS);
    assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(s.getDescription()).contains("ghost");

    ScaledObjectRef down = ref(kafka("g2", "orders"));
    CompletableFuture<Status> second =
        CompletableFuture.supplyAsync(() -> status(() -> stub.isActive(down)), callers);
    await().until(() -> upstream.heldCount() == 2);
    upstream.failAll(new AdapterException(AdapterException.Kind.UNREACHABLE, "connection refused"));
    assertThat(second.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void badMetadataIsInvalidArgumentNamingTheKey() throws Exception {
    var stub = start();
    Map<Map<String, String>, String> cases = new HashMap<>();
    cases.put(kafka("g", "t", "lagThreshold", "0"), "lagThreshold");
    cases.put(kafka("g", "t", "lagThreshold", "ten"), "lagThreshold");
    cases.put(kafka("g", "t", "activationLagThreshold", "-1"), "activationLagThreshold");
    cases.put(kafka("g", "t", "offsetResetPolicy", "newest"), "offsetResetPolicy");
    cases.put(kafka("g", "t", "allowIdleConsumers", "maybe"), "allowIdleConsumers");
    cases.put(
        kafka("g", "t", "allowIdleConsumers", "true", "limitToPartitionsWithLag", "true"),
        "limitToPartitionsWithLag");
    cases.put(kafka("g", null, "limitToPartitionsWithLag", "true"), "topic");
    cases.put(kafka("g", "t", "partitionLimitation", "1,,2"), "partitionLimitation");
    cases.put(kafka("g", "t", "partitionLimitation", "-1"), "partitionLimitation");
    cases.put(kafka("g", "t", "partitionLimitation", "0-5000000"), "partitionLimitation");
    cases.put(kafka("g", "t", "partitionLimitation", "0-2147483647"), "partitionLimitation");
    cases.put(kafka("g", "bad topic!", "lagThreshold", "5"), "'topic'");
    cases.put(kafka("g", "t", "version", "4"), "version");
    cases.put(kafka("g", "t", "fullMetadata", "nope"), "fullMetadata");
    cases.put(kafka("g", null, "fullMetadata", "false"), "topic");
    cases.put(kafka("g", "t", "sasl", "plaintext"), "sasl");
    cases.put(Map.of("consumerGroup", "g"), "bootstrapServers");
    cases.put(kafka("g", "t", "mode", "fast"), "mode");
    cases.put(kafka("g", "t", "targetLatency", "30s"), "targetLatency");
    cases.put(kafka("g", "t", "mode", "rate", "maxReplicas", "0"), "maxReplicas");
    cases.put(kafka("g", "t", "autoscaler", "etl"), "autoscaler");

    cases.forEach(
        (md, key) -> {
          ScaledObjectRef r = ref(md);
          for (Runnable call :
              new Runnable[] {
                () -> stub.isActive(r),
                () -> stub.getMetricSpec(r),
                () -> stub.getMetrics(metrics(r, "kafka-t")),
                () -> stub.streamIsActive(r).next()
              }) {
            Status s = status(call);
            assertThat(s.getCode()).as("%s", md).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(s.getDescription()).as("%s", md).contains(key);
          }
        });
    Status wrongMetric = status(() -> stub.getMetrics(metrics(ref(kafka("g", "t")), "executors")));
    assertThat(wrongMetric.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(wrongMetric.getDescription()).contains("metricName").contains("kafka-t");
    assertThat(upstream.calls()).isZero();
  }

  @Test
  void streamIsActiveSendsTheFirstReadingThenChanges() throws Exception {
    var stub = start();
    // A short refresh so that the stream sees the change.
    server.close();
    channel.shutdownNow();
    server =
        ScalerServer.start(
            new ScalerServer.Settings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Duration.ofMillis(10),
                Duration.ofHours(1)),
            new TestingDesiredState(),
            new ScalerServer.CacheTiming(
                Duration.ofMillis(20), Duration.ofSeconds(30), Duration.ofHours(1)),
            upstream,
            () -> {});
    channel = LoopbackChannels.plaintext(server.port());
    stub = ExternalScalerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    answers.put("g", new KafkaAnswer(0, false));

    Iterator<IsActiveResponse> stream = stub.streamIsActive(ref(kafka("g", "orders")));
    assertThat(stream.next().getResult()).isFalse();
    answers.put("g", new KafkaAnswer(5, true));
    assertThat(stream.next().getResult()).isTrue();
  }
}
