package io.stoker.adapters.kafka;

import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Deadlines;
import io.stoker.adapters.spi.Reading;
import io.stoker.adapters.spi.Sample;
import io.stoker.adapters.spi.SignalAdapter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Lag of one consumer group with KEDA's Kafka-scaler semantics, plus arrival and consume rates.
 * Offsets come from the cluster's shared {@link KafkaClusterClient}, batched with every other group
 * of that cluster collected at the same time. With several topics, each topic is read and evaluated
 * on its own (its own cap, persistent-lag memory and rates) and the topics are summed.
 */
public final class KafkaLagAdapter implements SignalAdapter<KafkaLag> {
  public static final String TYPE = "kafka";

  private final KafkaLagConfig config;
  private final KafkaClusterClient cluster;
  private final List<TopicLag> topics;

  public KafkaLagAdapter(KafkaLagConfig config, KafkaClusterClient cluster) {
    this.config = config;
    this.cluster = cluster;
    this.topics =
        config.topics().size() <= 1
            ? List.of(new TopicLag(config))
            : config.topics().stream().map(t -> new TopicLag(config.withTopic(t))).toList();
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
    return single().request();
  }

  @Override
  public CompletableFuture<Sample<KafkaLag>> collect(Duration timeout) {
    if (topics.size() == 1) {
      return read(topics.get(0), timeout);
    }
    List<CompletableFuture<Sample<KafkaLag>>> parts = new ArrayList<>();
    for (TopicLag t : topics) {
      parts.add(read(t, timeout));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .handle((x, e) -> sum(parts, timeout));
  }

  private CompletableFuture<Sample<KafkaLag>> read(TopicLag t, Duration timeout) {
    return Deadlines.within(cluster.read(t.request(), timeout), timeout, "Kafka lag")
        .thenApply(t::evaluate);
  }

  /**
   * The topics' samples as one: lags, partitions and rates summed (a rate is unknown unless every
   * topic knows it), taken at the oldest topic's time; or, if a topic failed, an error naming each
   * failed topic.
   */
  private Sample<KafkaLag> sum(List<CompletableFuture<Sample<KafkaLag>>> parts, Duration timeout) {
    List<String> failures = new ArrayList<>();
    AdapterException.Kind kind = null;
    for (int i = 0; i < parts.size(); i++) {
      try {
        parts.get(i).join();
      } catch (RuntimeException e) {
        AdapterException ae = Deadlines.toAdapterException(e, timeout, "Kafka lag");
        kind = kind == null ? ae.kind() : kind;
        failures.add("topic " + config.topics().get(i) + ": " + ae.getMessage());
      }
    }
    if (kind != null) {
      throw new AdapterException(kind, String.join("; ", failures));
    }
    Instant at = null;
    long metric = 0;
    long lag = 0;
    long withPersistent = 0;
    int partitions = 0;
    int withLag = 0;
    double in = 0;
    double out = 0;
    Duration interval = Duration.ZERO;
    List<KafkaLag.PartitionLag> detail = new ArrayList<>();
    for (CompletableFuture<Sample<KafkaLag>> f : parts) {
      Sample<KafkaLag> s = f.join();
      KafkaLag l = s.value();
      at = at == null || s.at().isBefore(at) ? s.at() : at;
      metric += l.metricValue();
      lag += l.totalLag();
      withPersistent += l.totalLagWithPersistent();
      partitions += l.totalTopicPartitions();
      withLag += l.partitionsWithLag();
      detail.addAll(l.partitions());
      in += l.arrivalRate();
      out += l.consumeRate();
      interval = l.rateInterval().compareTo(interval) > 0 ? l.rateInterval() : interval;
    }
    return new Sample<>(
        new KafkaLag(
            config.metricName(),
            metric,
            lag,
            withPersistent,
            withPersistent > config.activationLagThreshold(),
            config.lagThreshold(),
            partitions,
            withLag,
            detail,
            in,
            out,
            interval),
        at);
  }

  /** Turns raw offsets into a sample; also used by batched collection (one topic or none). */
  public Sample<KafkaLag> evaluate(KafkaClusterClient.GroupOffsets offsets) {
    return single().evaluate(offsets);
  }

  private TopicLag single() {
    if (topics.size() != 1) {
      throw new IllegalStateException("an adapter of several topics reads them one by one");
    }
    return topics.get(0);
  }

  /** Lag and the arrival and consume rates: the input's backlog and flow. */
  @Override
  public Reading toReading(Sample<KafkaLag> sample) {
    KafkaLag lag = sample.value();
    return Reading.empty(TYPE, sample.at())
        .withBacklog(lag.totalLag())
        .withArrivalRate(lag.arrivalRate())
        .withProcessingRate(lag.consumeRate())
        .withPartitions(lag.totalTopicPartitions());
  }

  @Override
  public void close() {
    // The cluster client is shared through the AdapterContext and closed with it.
  }

  /** One topic (or every topic of the group): its lag and the memory that spans readings. */
  private static final class TopicLag {
    private final KafkaLagConfig config;
    private final KafkaLagCalculator.PersistentLagMemory memory =
        new KafkaLagCalculator.PersistentLagMemory();
    private final RateEstimator arrival;
    private final RateEstimator consume;

    TopicLag(KafkaLagConfig config) {
      this.config = config;
      this.arrival = new RateEstimator(config.rateTimeConstant());
      this.consume = new RateEstimator(config.rateTimeConstant());
    }

    KafkaClusterClient.Request request() {
      return new KafkaClusterClient.Request(config.consumerGroup(), topic());
    }

    private String topic() {
      return config.topics().isEmpty() ? null : config.topics().get(0);
    }

    synchronized Sample<KafkaLag> evaluate(KafkaClusterClient.GroupOffsets offsets) {
      List<KafkaLagCalculator.PartitionOffsets> parts = offsets.partitions();
      if (config.partitionLimitation() != null) {
        parts =
            parts.stream()
                .filter(p -> config.partitionLimitation().contains(p.partition()))
                .toList();
      }
      if (parts.isEmpty()) {
        throw new AdapterException(
            AdapterException.Kind.NOT_FOUND,
            "no active partitions for consumer group '"
                + config.consumerGroup()
                + "'"
                + (topic() == null ? "" : " on topic '" + topic() + "'"));
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
  }
}
