package io.stoker.adapters;

import io.stoker.adapters.kafka.EmbeddedKafka;
import io.stoker.adapters.kafka.KafkaClientProperties;
import io.stoker.adapters.kafka.KafkaClusterClient;
import io.stoker.adapters.kafka.KafkaLagAdapter;
import io.stoker.adapters.kafka.KafkaLagConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One lag-collection cycle for 100 consumer groups × 100 partitions each on a real in-JVM KRaft
 * broker: 10 topics of 100 partitions, group i reads topic i % 10, every partition has records and
 * a committed offset. One cycle = one batched round (listConsumerGroupOffsets for 100 groups,
 * describeTopics for 10 topics, listOffsets for 1000 partitions) plus KEDA's arithmetic per group.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class KafkaLagBenchmark {
  static final int TOPICS = 10;
  static final int PARTITIONS = 100;
  static final int GROUPS = 100;

  EmbeddedKafka kafka;
  KafkaClusterClient cluster;
  List<KafkaLagAdapter> adapters;
  List<KafkaClusterClient.Request> requests;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    kafka = new EmbeddedKafka();
    for (int t = 0; t < TOPICS; t++) {
      kafka.createTopic("bench-" + t, PARTITIONS);
      for (int p = 0; p < PARTITIONS; p++) {
        kafka.produce("bench-" + t, p, 3);
      }
    }
    cluster =
        new KafkaClusterClient(
            KafkaClientProperties.build(kafka.bootstrap(), Map.of()), Clock.systemUTC());
    adapters = new ArrayList<>();
    for (int g = 0; g < GROUPS; g++) {
      String topic = "bench-" + (g % TOPICS);
      Map<TopicPartition, Long> offsets = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        offsets.put(new TopicPartition(topic, p), (long) (g % 3));
      }
      kafka.commit("bench-group-" + g, offsets);
      adapters.add(
          new KafkaLagAdapter(
              KafkaLagConfig.fromMap(
                  Map.of(
                      "bootstrapServers", kafka.bootstrap(),
                      "consumerGroup", "bench-group-" + g,
                      "topic", topic)),
              cluster));
    }
    requests = adapters.stream().map(KafkaLagAdapter::request).toList();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    cluster.close();
    kafka.close();
  }

  @Benchmark
  public long collectAllGroups() {
    List<CompletableFuture<KafkaClusterClient.GroupOffsets>> fs =
        cluster.readAll(requests, Duration.ofSeconds(10));
    long total = 0;
    for (int i = 0; i < fs.size(); i++) {
      total += adapters.get(i).evaluate(fs.get(i).join()).value().totalLag();
    }
    if (total != (long) GROUPS * PARTITIONS * 3 - sumOfCommitted()) {
      throw new IllegalStateException("unexpected total lag " + total);
    }
    return total;
  }

  static long sumOfCommitted() {
    long s = 0;
    for (int g = 0; g < GROUPS; g++) {
      s += (long) (g % 3) * PARTITIONS;
    }
    return s;
  }
}
