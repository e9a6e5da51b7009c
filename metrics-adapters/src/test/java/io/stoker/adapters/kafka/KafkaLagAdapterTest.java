package io.stoker.adapters.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.adapters.spi.AdapterContext;
import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Reading;
import io.stoker.adapters.spi.Sample;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * KEDA's Kafka-scaler scenarios against a real KRaft broker in this JVM (shared by the class).
 * Offsets are committed with the Admin API for groups without members, i.e. real broker state.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaLagAdapterTest {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final AtomicInteger SEQ = new AtomicInteger();
  private EmbeddedKafka kafka;
  private AdapterContext context;
  private final KafkaLagAdapterFactory factory = new KafkaLagAdapterFactory();

  @BeforeAll
  void start() throws Exception {
    kafka = new EmbeddedKafka();
    context = new AdapterContext(Clock.systemUTC());
  }

  @AfterAll
  void stop() throws Exception {
    try {
      context.close();
    } finally {
      kafka.close();
    }
  }

  static String unique(String prefix) {
    return prefix + "-" + SEQ.incrementAndGet();
  }

  /** A topic with {@code logEnd[p]} records in partition p. */
  String topic(long... logEnd) throws Exception {
    String t = unique("topic");
    kafka.createTopic(t, logEnd.length);
    for (int p = 0; p < logEnd.length; p++) {
      kafka.produce(t, p, (int) logEnd[p]);
    }
    return t;
  }

  void commit(String group, String topic, long... offsets) throws Exception {
    Map<TopicPartition, Long> m = new HashMap<>();
    for (int p = 0; p < offsets.length; p++) {
      if (offsets[p] >= 0) {
        m.put(new TopicPartition(topic, p), offsets[p]);
      }
    }
    kafka.commit(group, m);
  }

  KafkaLagAdapter adapter(Map<String, String> meta) {
    Map<String, String> m = new HashMap<>(meta);
    m.put("bootstrapServers", kafka.bootstrap());
    return factory.create(m, Map.of(), context);
  }

  static KafkaLag collect(KafkaLagAdapter a) {
    return a.collect(TIMEOUT).join().value();
  }

  @Test
  void latestPolicyWithActivationThreshold() throws Exception {
    String t = topic(10, 10, 10);
    String g = unique("group");
    commit(g, t, 5, 5, 5);
    KafkaLag quiet =
        collect(adapter(Map.of("consumerGroup", g, "topic", t, "activationLagThreshold", "20")));
    assertThat(quiet.metricValue()).isEqualTo(15);
    assertThat(quiet.active()).isFalse(); // 15 > 20 is false
    assertThat(quiet.metricName()).isEqualTo("kafka-" + t);
    KafkaLag active =
        collect(adapter(Map.of("consumerGroup", g, "topic", t, "activationLagThreshold", "14")));
    assertThat(active.active()).isTrue();
    assertThat(active.partitions())
        .extracting(KafkaLag.PartitionLag::lag)
        .containsExactly(5L, 5L, 5L);
  }

  @Test
  void earliestPolicyNeverCommittedCountsLogEnd() throws Exception {
    String t = topic(7, 3);
    String g = unique("never");
    KafkaLag l =
        collect(adapter(Map.of("consumerGroup", g, "topic", t, "offsetResetPolicy", "earliest")));
    assertThat(l.totalLag()).isEqualTo(10);
    assertThat(l.metricValue()).isEqualTo(10);
    assertThat(l.active()).isTrue();
    assertThat(l.partitions()).allMatch(p -> p.committedOffset() == -1);
    KafkaLag zero =
        collect(
            adapter(
                Map.of(
                    "consumerGroup",
                    g,
                    "topic",
                    t,
                    "offsetResetPolicy",
                    "earliest",
                    "scaleToZeroOnInvalidOffset",
                    "true")));
    assertThat(zero.metricValue()).isZero();
    assertThat(zero.active()).isFalse();
  }

  @Test
  void latestPolicyNeverCommittedScaleToZeroFalseAndTrue() throws Exception {
    String t = topic(100, 100, 100);
    String g = unique("never");
    KafkaLag one = collect(adapter(Map.of("consumerGroup", g, "topic", t)));
    assertThat(one.metricValue()).isEqualTo(3); // 1 per uncommitted partition
    assertThat(one.active()).isTrue();
    KafkaLag zero =
        collect(
            adapter(Map.of("consumerGroup", g, "topic", t, "scaleToZeroOnInvalidOffset", "true")));
    assertThat(zero.metricValue()).isZero();
    assertThat(zero.active()).isFalse();
  }

  @Test
  void groupOverTwoTopicsWithoutTopicParameter() throws Exception {
    String a = topic(10, 10);
    String b = topic(30);
    String g = unique("two");
    commit(g, a, 4, -1); // partition 1 of a never committed -> latest policy: lag 1
    commit(g, b, 10);
    KafkaLag l = collect(adapter(Map.of("consumerGroup", g)));
    assertThat(l.metricName()).isEqualTo("kafka-" + g + "-topics");
    assertThat(l.totalTopicPartitions()).isEqualTo(3);
    assertThat(l.totalLag()).isEqualTo(6 + 1 + 20);
    assertThat(l.metricValue()).isEqualTo(27);
  }

  @Test
  void listedTopicsAreEachCappedThenSummedIntoOneReading() throws Exception {
    String a = topic(10, 10);
    String b = topic(30);
    String other = topic(50);
    String g = unique("listed");
    commit(g, a, 4, 4); // lag 12 on 2 partitions: capped at 2 × 2 = 4
    commit(g, b, 29); // lag 1 on 1 partition
    commit(g, other, 0); // not listed: not counted
    KafkaLagAdapter adapter =
        factory.create(
            KafkaLagConfig.builder(kafka.bootstrap(), g)
                .topics(List.of(a, b))
                .lagThreshold(2L)
                .rateTimeConstant(Duration.ZERO)
                .build(),
            Map.of(),
            context);

    Sample<KafkaLag> first = adapter.collect(TIMEOUT).join();
    KafkaLag l = first.value();
    assertThat(l.metricName()).isEqualTo("kafka-" + g + "-topics");
    assertThat(l.totalLag()).isEqualTo(12 + 1);
    assertThat(l.totalTopicPartitions()).isEqualTo(3);
    assertThat(l.metricValue())
        .as("each topic capped on its own: 4 + 1, not min(13, 6)")
        .isEqualTo(5);
    assertThat(l.partitions()).extracting(KafkaLag.PartitionLag::topic).containsOnly(a, b);
    Reading r = adapter.toReading(first);
    assertThat(r.signal()).isEqualTo("kafka");
    assertThat(r.at()).isEqualTo(first.at());
    assertThat(r.backlog()).hasValue(13);
    assertThat(r.partitions()).hasValue(3);
    assertThat(r.arrivalRate()).as("no rate from one reading").isEmpty();

    kafka.produce(a, 0, 300);
    kafka.produce(b, 0, 100);
    Reading second = adapter.read(TIMEOUT).join();
    assertThat(second.backlog()).hasValue(13 + 400);
    assertThat(second.arrivalRate()).as("both topics know a rate now").isPresent();
    assertThat(second.arrivalRate().getAsDouble()).isPositive();
  }

  @Test
  void aFailingListedTopicFailsTheReadingAndIsNamed() throws Exception {
    String a = topic(5);
    String missing = unique("missing-topic");
    String g = unique("listed-missing");
    commit(g, a, 1);
    KafkaLagAdapter adapter =
        factory.create(
            KafkaLagConfig.builder(kafka.bootstrap(), g).topics(List.of(a, missing)).build(),
            Map.of(),
            context);
    assertThatThrownBy(() -> adapter.read(TIMEOUT).join())
        .cause()
        .isInstanceOfSatisfying(
            AdapterException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(AdapterException.Kind.NOT_FOUND);
              assertThat(e.getMessage()).startsWith("topic " + missing + ": ").doesNotContain(a);
            });
  }

  @Test
  void excludePersistentLagWithAStuckGroup() throws Exception {
    String t = topic(50, 50);
    String g = unique("stuck");
    commit(g, t, 10, 10);
    KafkaLagAdapter a =
        adapter(
            Map.of(
                "consumerGroup",
                g,
                "topic",
                t,
                "excludePersistentLag",
                "true",
                "allowIdleConsumers",
                "true"));
    KafkaLag first = collect(a);
    assertThat(first.metricValue()).isEqualTo(80); // first sighting counts
    KafkaLag stuck = collect(a);
    assertThat(stuck.metricValue()).isZero(); // offsets did not move: excluded
    assertThat(stuck.totalLagWithPersistent()).isEqualTo(80);
    assertThat(stuck.active()).isTrue(); // activity still sees it
    commit(g, t, 20, 10); // partition 0 moves, partition 1 stays stuck
    KafkaLag moving = collect(a);
    assertThat(moving.metricValue()).isEqualTo(30);
    assertThat(moving.partitionsWithLag()).isEqualTo(1);
  }

  @Test
  void limitToPartitionsWithLag() throws Exception {
    long[] ends = new long[10];
    ends[2] = 500;
    ends[7] = 500;
    String t = topic(ends);
    String g = unique("limit");
    commit(g, t, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    KafkaLag capped =
        collect(
            adapter(Map.of("consumerGroup", g, "topic", t, "limitToPartitionsWithLag", "true")));
    assertThat(capped.totalLag()).isEqualTo(1000);
    assertThat(capped.partitionsWithLag()).isEqualTo(2);
    assertThat(capped.metricValue()).isEqualTo(20); // 2 partitions x threshold 10
    KafkaLag plain = collect(adapter(Map.of("consumerGroup", g, "topic", t)));
    assertThat(plain.metricValue()).isEqualTo(100); // cap at all 10 partitions
  }

  @Test
  void evenDistributionOverTenPartitions() throws Exception {
    long[] ends = new long[10];
    ends[0] = 35;
    String t = topic(ends);
    String g = unique("even");
    commit(g, t, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    KafkaLag l =
        collect(
            adapter(
                Map.of(
                    "consumerGroup", g,
                    "topic", t,
                    "ensureEvenDistributionOfPartitions", "true")));
    // factors of 10: 1, 2, 5, 10 -> smallest f with f*10 >= 35 is 5
    assertThat(l.metricValue()).isEqualTo(50);
    assertThat(l.totalLag()).isEqualTo(35);
  }

  @Test
  void capWithThreePartitionsUsesIntegerDivision() throws Exception {
    String t = topic(35, 0, 0);
    String g = unique("cap");
    commit(g, t, 0, 0, 0);
    KafkaLag l = collect(adapter(Map.of("consumerGroup", g, "topic", t)));
    assertThat(l.metricValue()).isEqualTo(35); // 35/10 = 3, not > 3: not capped (KEDA quirk)
    kafka.produce(t, 1, 10);
    KafkaLag capped = collect(adapter(Map.of("consumerGroup", g, "topic", t)));
    assertThat(capped.totalLag()).isEqualTo(45);
    assertThat(capped.metricValue()).isEqualTo(30); // 45/10 = 4 > 3: capped to 3 x 10
    KafkaLag idle =
        collect(adapter(Map.of("consumerGroup", g, "topic", t, "allowIdleConsumers", "true")));
    assertThat(idle.metricValue()).isEqualTo(45);
  }

  @Test
  void partitionLimitation() throws Exception {
    String t = topic(10, 20, 30, 40);
    String g = unique("plim");
    commit(g, t, 0, 0, 0, 0);
    KafkaLag l =
        collect(
            adapter(
                Map.of(
                    "consumerGroup",
                    g,
                    "topic",
                    t,
                    "partitionLimitation",
                    "0, 2-3",
                    "allowIdleConsumers",
                    "true")));
    assertThat(l.totalTopicPartitions()).isEqualTo(3);
    assertThat(l.totalLag()).isEqualTo(80);
  }

  @Test
  void arrivalAndConsumeRates() throws Exception {
    String t = topic(0, 0);
    String g = unique("rates");
    commit(g, t, 0, 0);
    KafkaLagAdapter a = adapter(Map.of("consumerGroup", g, "topic", t, "rateTimeConstant", "0s"));
    Sample<KafkaLag> first = a.collect(TIMEOUT).join();
    assertThat(first.value().arrivalRate()).isNaN();
    kafka.produce(t, 0, 300);
    kafka.produce(t, 1, 100);
    commit(g, t, 150, 50);
    Sample<KafkaLag> second = a.collect(TIMEOUT).join();
    double seconds = Duration.between(first.at(), second.at()).toNanos() / 1e9;
    assertThat(second.value().rateInterval()).isEqualTo(Duration.between(first.at(), second.at()));
    assertThat(second.value().arrivalRate())
        .isCloseTo(400 / seconds, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(second.value().consumeRate())
        .isCloseTo(200 / seconds, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(second.age(Instant.now())).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void unknownTopicAndUnknownGroupAreNamedErrors() throws Exception {
    String missing = unique("missing-topic");
    assertThatThrownBy(() -> collect(adapter(Map.of("consumerGroup", "g", "topic", missing))))
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(
            AdapterException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(AdapterException.Kind.NOT_FOUND);
              assertThat(e.getMessage()).contains("'" + missing + "'");
            });
    String group = unique("ghost-group");
    assertThatThrownBy(() -> collect(adapter(Map.of("consumerGroup", group))))
        .cause()
        .isInstanceOfSatisfying(
            AdapterException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(AdapterException.Kind.NOT_FOUND);
              assertThat(e.getMessage()).contains("'" + group + "'");
            });
  }

  @Test
  void manyGroupsAreReadInOneBatchedRound() throws Exception {
    String t = topic(10, 10, 10, 10);
    KafkaClusterClient cluster = null;
    List<KafkaLagAdapter> adapters = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String g = unique("batch");
      commit(g, t, i % 10, 0, 0, 0);
      adapters.add(adapter(Map.of("consumerGroup", g, "topic", t, "allowIdleConsumers", "true")));
    }
    cluster =
        context.shared(
            KafkaClientProperties.clusterKey(kafka.bootstrap(), Map.of()),
            KafkaClusterClient.class,
            () -> {
              throw new AssertionError("the factory must have created the cluster client");
            });
    long before = cluster.rounds();
    List<CompletableFuture<KafkaClusterClient.GroupOffsets>> fs =
        cluster.readAll(adapters.stream().map(KafkaLagAdapter::request).toList(), TIMEOUT);
    for (int i = 0; i < adapters.size(); i++) {
      KafkaLag l = adapters.get(i).evaluate(fs.get(i).join()).value();
      assertThat(l.totalLag()).isEqualTo(40 - i % 10);
    }
    assertThat(cluster.rounds() - before).isEqualTo(1);
  }

  @Test
  void unreachableBrokerFailsWithinTheDeadlineAndLeaksNoThread() throws Exception {
    int port = EmbeddedKafka.freePort(); // nothing listens there
    long adminThreadsBefore = adminThreads();
    AdapterContext ctx = new AdapterContext(Clock.systemUTC());
    KafkaLagAdapter a;
    try {
      a =
          factory.create(
              Map.of("bootstrapServers", "127.0.0.1:" + port, "consumerGroup", "g", "topic", "t"),
              Map.of("sasl", "plaintext", "username", "u", "password", "s3cr3t-pw"),
              ctx);
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> a.collect(Duration.ofMillis(1500)).join())
          .cause()
          .isInstanceOfSatisfying(
              AdapterException.class,
              e -> {
                assertThat(e.kind())
                    .isIn(AdapterException.Kind.TIMEOUT, AdapterException.Kind.UNREACHABLE);
                assertThat(e.getMessage()).doesNotContain("s3cr3t-pw");
              });
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
    } finally {
      ctx.close();
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> adminThreads() == adminThreadsBefore);
  }

  static long adminThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(th -> th.isAlive() && th.getName().startsWith("kafka-admin-client-thread"))
        .count();
  }

  @Test
  void saslPlainFromKedaAuthKeysAgainstTheRealBroker() throws Exception {
    String t = topic(12, 0);
    String g = unique("sasl");
    commit(g, t, 2, 0);
    Map<String, String> meta =
        Map.of("bootstrapServers", kafka.saslBootstrap(), "consumerGroup", g, "topic", t);
    Map<String, String> good =
        Map.of(
            "sasl", "plaintext",
            "username", EmbeddedKafka.SASL_USER,
            "password", EmbeddedKafka.SASL_PASSWORD);
    try (AdapterContext ctx = new AdapterContext(Clock.systemUTC())) {
      assertThat(factory.create(meta, good, ctx).collect(TIMEOUT).join().value().totalLag())
          .isEqualTo(10);
      Map<String, String> bad =
          Map.of(
              "sasl", "plaintext", "username", EmbeddedKafka.SASL_USER, "password", "wrong-pw-42");
      KafkaLagAdapter refused = factory.create(meta, bad, ctx);
      assertThatThrownBy(() -> refused.collect(Duration.ofSeconds(5)).join())
          .cause()
          .isInstanceOfSatisfying(
              AdapterException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(AdapterException.Kind.AUTH);
                assertThat(e.getMessage()).doesNotContain("wrong-pw-42");
              });
    }
  }

  @Test
  void clientPropertiesNeverPrintSecrets() {
    var p =
        KafkaClientProperties.build(
            kafka.bootstrap(),
            Map.of(
                "sasl", "scram_sha512", "username", "svc", "password", "hunter2", "tls", "enable"));
    assertThat(p.getProperty("security.protocol")).isEqualTo("SASL_SSL");
    assertThat(p.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
    assertThat(p.getProperty("sasl.jaas.config")).contains("hunter2");
    assertThat(KafkaClientProperties.describe(p)).doesNotContain("hunter2");
    assertThat(KafkaClientProperties.clusterKey(kafka.bootstrap(), Map.of("password", "hunter2")))
        .doesNotContain("hunter2");
    assertThatThrownBy(
            () ->
                KafkaClientProperties.build(
                    kafka.bootstrap(), Map.of("sasl", "gssapi", "password", "hunter2")))
        .isInstanceOf(AdapterException.class)
        .hasMessageNotContaining("hunter2");
  }
}
