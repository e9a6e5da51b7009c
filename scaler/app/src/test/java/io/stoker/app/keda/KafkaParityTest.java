package io.stoker.app.keda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.app.keda.proto.ExternalScalerGrpc;
import io.stoker.app.keda.proto.GetMetricsRequest;
import io.stoker.app.keda.proto.MetricSpec;
import io.stoker.app.keda.proto.MetricValue;
import io.stoker.app.keda.proto.ScaledObjectRef;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Kafka mode against a real KRaft broker in the JVM, case by case against what KEDA's Kafka
 * scaler answers (kedacore/keda {@code pkg/scalers/kafka_scaler.go}): the metric name KEDA's HPA
 * sees ({@code s0-} + our name), the capped value (int and float fields) and the activity, as KEDA
 * polls them (GetMetrics then IsActive).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaParityTest {
  private EmbeddedKafka kafka;
  private ScalerServer server;
  private ManagedChannel channel;
  private ExternalScalerGrpc.ExternalScalerBlockingStub stub;

  @BeforeAll
  void start() throws Exception {
    kafka = new EmbeddedKafka();
    server =
        ScalerServer.start(
            new ScalerServer.Settings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Duration.ofMillis(50),
                Duration.ofHours(1)),
            new TestingDesiredState(),
            new ScalerServer.CacheTiming(
                Duration.ofMillis(250), Duration.ofSeconds(20), Duration.ofHours(1)));
    channel = LoopbackChannels.plaintext(server.port());
    stub = ExternalScalerGrpc.newBlockingStub(channel);
  }

  @AfterAll
  void stop() throws Exception {
    LoopbackChannels.close(channel, server);
    if (kafka != null) {
      kafka.close();
    }
  }

  /**
   * One documented case of KEDA's Kafka scaler.
   *
   * @param produced records per partition
   * @param committed committed offset per partition, -1 = none (never committed)
   * @param metadata the trigger's metadata besides bootstrapServers, consumerGroup and topic
   * @param value what KEDA reports as the metric value
   * @param active what KEDA reports as activity
   */
  record Case(
      String id,
      int[] produced,
      long[] committed,
      Map<String, String> metadata,
      long value,
      boolean active) {
    @Override
    public String toString() {
      return id;
    }
  }

  /** Lag, the partition cap and activity. */
  static Stream<Arguments> cases() {
    return Stream.of(
            // lag = Σ (log end − committed); target lagThreshold (default 10)
            new Case("plain-lag", new int[] {8, 8, 8}, new long[] {3, 3, 3}, Map.of(), 15, true),
            // lag 300 > 3 partitions × 10: capped at 30 (replicas never exceed partitions)
            new Case(
                "capped-at-partitions",
                new int[] {100, 100, 100},
                new long[] {0, 0, 0},
                Map.of(),
                30,
                true),
            // the cap compares with integer division: 35/10 = 3 is not > 3, so 35 stays
            new Case(
                "cap-integer-division",
                new int[] {12, 12, 11},
                new long[] {0, 0, 0},
                Map.of(),
                35,
                true),
            // allowIdleConsumers: no cap
            new Case(
                "idle-consumers-allowed",
                new int[] {100, 100, 100},
                new long[] {0, 0, 0},
                Map.of("allowIdleConsumers", "true"),
                300,
                true),
            // limitToPartitionsWithLag: cap at 1 partition with lag × 10
            new Case(
                "limit-to-partitions-with-lag",
                new int[] {100, 5, 5},
                new long[] {0, 5, 5},
                Map.of("limitToPartitionsWithLag", "true"),
                10,
                true),
            // activation is strictly greater than activationLagThreshold
            new Case(
                "at-activation-threshold",
                new int[] {5, 0, 0},
                new long[] {0, 0, 0},
                Map.of("activationLagThreshold", "5"),
                5,
                false),
            new Case(
                "above-activation-threshold",
                new int[] {6, 0, 0},
                new long[] {0, 0, 0},
                Map.of("activationLagThreshold", "5"),
                6,
                true),
            // no lag at all
            new Case("no-lag", new int[] {4, 4, 4}, new long[] {4, 4, 4}, Map.of(), 0, false))
        .map(Arguments::of);
  }

  /** Partitions without a committed offset, partition selection and rounding. */
  static Stream<Arguments> offsetCases() {
    return Stream.of(
            // no committed offset, latest (default): 1 per partition
            new Case(
                "invalid-offset-latest",
                new int[] {50, 50, 50},
                new long[] {-1, -1, -1},
                Map.of(),
                3,
                true),
            // ... or 0 with scaleToZeroOnInvalidOffset
            new Case(
                "invalid-offset-latest-scale-to-zero",
                new int[] {50, 50, 50},
                new long[] {-1, -1, -1},
                Map.of("scaleToZeroOnInvalidOffset", "true"),
                0,
                false),
            // earliest: the log-end offset (150), capped at 3 × 10
            new Case(
                "invalid-offset-earliest",
                new int[] {50, 50, 50},
                new long[] {-1, -1, -1},
                Map.of("offsetResetPolicy", "earliest"),
                30,
                true),
            new Case(
                "invalid-offset-earliest-idle-allowed",
                new int[] {50, 50, 50},
                new long[] {-1, -1, -1},
                Map.of("offsetResetPolicy", "earliest", "allowIdleConsumers", "true"),
                150,
                true),
            new Case(
                "invalid-offset-earliest-scale-to-zero",
                new int[] {50, 50, 50},
                new long[] {-1, -1, -1},
                Map.of("offsetResetPolicy", "earliest", "scaleToZeroOnInvalidOffset", "true"),
                0,
                false),
            // one partition committed, two never: 4 + 1 + 1
            new Case(
                "partly-committed-latest",
                new int[] {10, 10, 10},
                new long[] {6, -1, -1},
                Map.of(),
                6,
                true),
            // partitionLimitation: only partitions 0 and 2 count (and cap at 2 × 10)
            new Case(
                "partition-limitation",
                new int[] {5, 40, 7},
                new long[] {0, 0, 0},
                Map.of("partitionLimitation", "0,2"),
                12,
                true),
            // even distribution: smallest factor f of 6 with f × 10 ≥ 25 is 3, so 30
            new Case(
                "even-distribution",
                new int[] {5, 5, 5, 5, 5, 0},
                new long[] {0, 0, 0, 0, 0, 0},
                Map.of("ensureEvenDistributionOfPartitions", "true"),
                30,
                true),
            // a lagThreshold of 50: 3 partitions cap at 150
            new Case(
                "threshold-50",
                new int[] {100, 100, 100},
                new long[] {0, 0, 0},
                Map.of("lagThreshold", "50"),
                150,
                true))
        .map(Arguments::of);
  }

  private Map<String, String> setUp(String id, int[] produced, long[] committed) throws Exception {
    String topic = "parity." + id;
    String group = "group-" + id;
    kafka.createTopic(topic, produced.length);
    Map<TopicPartition, Long> commits = new HashMap<>();
    for (int p = 0; p < produced.length; p++) {
      if (produced[p] > 0) {
        kafka.produce(topic, p, produced[p]);
      }
      if (committed[p] >= 0) {
        commits.put(new TopicPartition(topic, p), committed[p]);
      }
    }
    if (!commits.isEmpty()) {
      kafka.commit(group, commits);
    }
    Map<String, String> md = new HashMap<>();
    md.put("scalerAddress", "stoker.stoker:9090");
    md.put("bootstrapServers", kafka.bootstrap());
    md.put("consumerGroup", group);
    md.put("topic", topic);
    return md;
  }

  private static ScaledObjectRef ref(Map<String, String> md) {
    return ScaledObjectRef.newBuilder()
        .setName("so")
        .setNamespace("team-a")
        .putAllScalerMetadata(md)
        .build();
  }

  private ExternalScalerGrpc.ExternalScalerBlockingStub call() {
    return stub.withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private MetricValue metric(ScaledObjectRef ref, String name) {
    return call()
        .getMetrics(
            GetMetricsRequest.newBuilder().setScaledObjectRef(ref).setMetricName(name).build())
        .getMetricValues(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"cases", "offsetCases"})
  void answersAsKedasKafkaScaler(Case c) throws Exception {
    Map<String, String> md = setUp(c.id(), c.produced(), c.committed());
    md.putAll(c.metadata());
    ScaledObjectRef ref = ref(md);
    String topic = md.get("topic");

    MetricSpec spec = call().getMetricSpec(ref).getMetricSpecs(0);
    long threshold = Long.parseLong(md.getOrDefault("lagThreshold", "10"));
    // KEDA names the HPA metric s<index>-kafka-<topic>, with '.' normalised to '-'.
    assertThat("s0-" + spec.getMetricName()).isEqualTo("s0-kafka-" + topic.replace('.', '-'));
    assertThat(spec.getTargetSize()).isEqualTo(threshold);
    assertThat(spec.getTargetSizeFloat()).isEqualTo((double) threshold);

    MetricValue v = metric(ref, spec.getMetricName());
    assertThat(v.getMetricName()).isEqualTo(spec.getMetricName());
    assertThat(v.getMetricValue()).as("metric value").isEqualTo(c.value());
    assertThat(v.getMetricValueFloat()).isEqualTo((double) c.value());
    assertThat(call().isActive(ref).getResult()).as("activity").isEqualTo(c.active());
  }

  @Test
  void withoutATopicEveryTopicOfTheGroupCounts() throws Exception {
    kafka.createTopic("multi.a", 2);
    kafka.createTopic("multi.b", 1);
    kafka.produce("multi.a", 0, 9);
    kafka.produce("multi.a", 1, 9);
    kafka.produce("multi.b", 0, 9);
    kafka.commit(
        "group.multi",
        Map.of(
            new TopicPartition("multi.a", 0), 5L,
            new TopicPartition("multi.a", 1), 5L,
            new TopicPartition("multi.b", 0), 5L));
    ScaledObjectRef ref =
        ref(Map.of("bootstrapServers", kafka.bootstrap(), "consumerGroup", "group.multi"));

    String name = call().getMetricSpec(ref).getMetricSpecs(0).getMetricName();

    assertThat(name).isEqualTo("kafka-group-multi-topics");
    assertThat(metric(ref, name).getMetricValue()).isEqualTo(12);
    assertThat(call().isActive(ref).getResult()).isTrue();
  }

  /** Waits until {@code n} more readings of {@code md}'s trigger have started than at the call. */
  private Runnable readings(Map<String, String> md, int n) {
    KafkaTrigger trigger = KafkaTrigger.parse(md);
    long from = server.kafkaLoads(trigger);
    return () ->
        await().atMost(Duration.ofSeconds(60)).until(() -> server.kafkaLoads(trigger) >= from + n);
  }

  /**
   * Issue 20: KEDA compares each partition's committed offset with the one its previous poll saw.
   * Stoker reads in the background every refresh (250 ms here, 10 s by default; KEDA polls every 30
   * s by default), and used to compare two background readings: by the time KEDA polled after the
   * consumer moved on, a second reading had seen the new offset again and excluded it, so the
   * answer stayed 0 instead of 13 (or, with one reading only, was 13: once in three runs). Readings
   * are counted here, so each step waits for the readings it needs, never for time.
   */
  @Test
  void persistentLagCountsAgainAtTheFirstPollAfterTheConsumerMovedOn() throws Exception {
    Map<String, String> md = setUp("persistent", new int[] {25}, new long[] {10});
    md.put("excludePersistentLag", "true");
    ScaledObjectRef ref = ref(md);
    String name = "kafka-parity-persistent";

    // First poll: a first sighting, the lag counts.
    assertThat(metric(ref, name).getMetricValue()).isEqualTo(15);
    // A later poll (two readings later) sees the same committed offset: excluded from the
    // metric, still counted for activity.
    readings(md, 2).run();
    assertThat(metric(ref, name).getMetricValue()).isEqualTo(0);
    assertThat(call().isActive(ref).getResult()).isTrue();

    // The consumer moves on (10 -> 12, log end 25); the next poll comes after two readings that
    // both saw 12 (the third has started, so the second has ended).
    kafka.commit("group-persistent", Map.of(new TopicPartition("parity.persistent", 0), 12L));
    readings(md, 3).run();
    assertThat(metric(ref, name).getMetricValue()).isEqualTo(13);

    // No move since that poll: excluded again.
    readings(md, 2).run();
    assertThat(metric(ref, name).getMetricValue()).isEqualTo(0);
    assertThat(call().isActive(ref).getResult()).isTrue();
  }

  @Test
  void persistentLagIsComparedPerScaledObject() throws Exception {
    Map<String, String> md = setUp("persistent-two", new int[] {25}, new long[] {10});
    md.put("excludePersistentLag", "true");
    ScaledObjectRef first = ref(md);
    ScaledObjectRef second = first.toBuilder().setName("so-2").build();
    String name = "kafka-parity-persistent-two";

    assertThat(metric(first, name).getMetricValue()).isEqualTo(15);
    // Another ScaledObject with the same trigger polls for the first time: a first sighting
    // for it (KEDA keeps one memory per scaler), whatever the first one has seen.
    assertThat(metric(second, name).getMetricValue()).isEqualTo(15);
    assertThat(metric(first, name).getMetricValue()).isEqualTo(0);
    assertThat(metric(second, name).getMetricValue()).isEqualTo(0);
  }

  @Test
  void rateModeServesStokersRecommendationInReplicas() throws Exception {
    Map<String, String> md = setUp("rate", new int[] {200, 200, 200}, new long[] {0, 0, 0});
    md.put("mode", "rate");
    md.put("replicaRate", "10");
    md.put("targetLatency", "20s");
    ScaledObjectRef ref = ref(md);
    MetricSpec spec = call().getMetricSpec(ref).getMetricSpecs(0);
    assertThat(spec.getMetricName()).isEqualTo("kafka-parity-rate-rate");
    assertThat(spec.getTargetSizeFloat()).isEqualTo(1.0);

    // 600 records behind, 10 records/s per replica, 20 s to catch up: more than one replica is
    // wanted, and never more than the 3 partitions can use.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> metric(ref, spec.getMetricName()).getMetricValue() > 1);
    assertThat(metric(ref, spec.getMetricName()).getMetricValue()).isLessThanOrEqualTo(3);
    assertThat(call().isActive(ref).getResult()).isTrue();
  }
}
