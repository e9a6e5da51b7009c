package io.stoker.adapters.kafka;

import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Deadlines;
import io.stoker.adapters.spi.Sample;
import io.stoker.adapters.spi.SignalAdapter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Lag of one consumer group with KEDA's Kafka-scaler semantics, plus arrival and consume rates.
 * Offsets come from the cluster's shared {@link KafkaClusterClient}, batched with every other group
 * of that cluster collected at the same time.
 */
public final class KafkaLagAdapter implements SignalAdapter<KafkaLag> {
  public static final String TYPE = "kafka";

  private final KafkaLagConfig config;
  private final KafkaClusterClient cluster;
  private final KafkaLagCalculator.PersistentLagMemory memory =
      new KafkaLagCalculator.PersistentLagMemory();
  private final RateEstimator arrival;
  private final RateEstimator consume;

  public KafkaLagAdapter(KafkaLagConfig config, KafkaClusterClient cluster) {
    this.config = config;
    this.cluster = cluster;
    this.arrival = new RateEstimator(config.rateTimeConstant());
    this.consume = new RateEstimator(config.rateTimeConstant());
  }

  @Override
  public String type() {
    return TYPE;
  }

  public KafkaLagConfig config() {
    return config;
  }

  /** The request this adapter makes of its cluster client (for batched collection). */
  public KafkaClusterClient.Request request() {
    return new KafkaClusterClient.Request(config.consumerGroup(), config.topic());
  }

  @Override
  public CompletableFuture<Sample<KafkaLag>> collect(Duration timeout) {
    return Deadlines.within(cluster.read(request(), timeout), timeout, "Kafka lag")
        .thenApply(this::evaluate);
  }

  /** Turns raw offsets into a sample; also used by batched collection. Not thread-safe. */
  public synchronized Sample<KafkaLag> evaluate(KafkaClusterClient.GroupOffsets offsets) {
    List<KafkaLagCalculator.PartitionOffsets> parts = offsets.partitions();
    if (config.partitionLimitation() != null) {
      parts =
          parts.stream().filter(p -> config.partitionLimitation().contains(p.partition())).toList();
    }
    if (parts.isEmpty()) {
      throw new AdapterException(
          AdapterException.Kind.NOT_FOUND,
          "no active partitions for consumer group '"
              + config.consumerGroup()
              + "'"
              + (config.topic() == null ? "" : " on topic '" + config.topic() + "'"));
    }
    KafkaLagCalculator.Totals t = KafkaLagCalculator.compute(config, parts, memory);
    Map<String, Long> ends = new HashMap<>();
    Map<String, Long> commits = new HashMap<>();
    for (KafkaLagCalculator.PartitionOffsets p : parts) {
      String key = p.topic() + "/" + p.partition();
      if (p.logEnd() != null) {
        ends.put(key, p.logEnd());
      }
      if (p.committed() >= 0) {
        commits.put(key, p.committed());
      }
    }
    double in = arrival.update(ends, offsets.at());
    double out = consume.update(commits, offsets.at());
    KafkaLag lag =
        new KafkaLag(
            config.metricName(),
            t.metricValue(),
            t.totalLag(),
            t.totalLagWithPersistent(),
            t.active(),
            config.lagThreshold(),
            t.totalTopicPartitions(),
            t.partitionsWithLag(),
            t.partitions(),
            in,
            out,
            arrival.interval());
    return new Sample<>(lag, offsets.at());
  }

  @Override
  public void close() {
    // The cluster client is shared through the AdapterContext and closed with it.
  }
}
