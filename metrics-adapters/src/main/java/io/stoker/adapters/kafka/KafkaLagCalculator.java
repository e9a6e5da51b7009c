package io.stoker.adapters.kafka;

import io.stoker.adapters.kafka.KafkaLag.PartitionLag;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * KEDA's Kafka-scaler arithmetic (getLagForPartition, getTotalLag, GetMetricsAndActivity), pure.
 * The only state is the per-partition memory of {@code excludePersistentLag}, owned by the caller.
 */
public final class KafkaLagCalculator {
  static final long INVALID_OFFSET = -1;

  private KafkaLagCalculator() {}

  /**
   * Offsets of one partition as read from the cluster.
   *
   * @param committed the group's committed offset, {@value #INVALID_OFFSET} if none
   * @param logEnd the log-end offset, null when the broker's answer left the partition out
   */
  public record PartitionOffsets(String topic, int partition, long committed, Long logEnd) {}

  /** KEDA's {@code previousOffsets[topic][partition]}. */
  public static final class PersistentLagMemory {
    private final Map<String, Map<Integer, Long>> previous = new HashMap<>();

    Long get(String topic, int partition) {
      Map<Integer, Long> m = previous.get(topic);
      return m == null ? null : m.get(partition);
    }

    void put(String topic, int partition, long offset) {
      previous.computeIfAbsent(topic, t -> new HashMap<>()).put(partition, offset);
    }
  }

  /** The metric value, totals and activity for one group. */
  public record Totals(
      long metricValue,
      long totalLag,
      long totalLagWithPersistent,
      boolean active,
      int totalTopicPartitions,
      int partitionsWithLag,
      List<PartitionLag> partitions) {}

  /** Per-partition lag, KEDA's rules in KEDA's order. Returns {lag, lagWithPersistent}. */
  static long[] lagForPartition(KafkaLagConfig c, PartitionOffsets p, PersistentLagMemory memory) {
    long consumer = p.committed();
    if (consumer == INVALID_OFFSET) {
      if (c.offsetResetPolicy() == KafkaLagConfig.OffsetResetPolicy.LATEST) {
        long v = c.scaleToZeroOnInvalidOffset() ? 0 : 1;
        return new long[] {v, v};
      }
      if (c.scaleToZeroOnInvalidOffset()) {
        return new long[] {0, 0};
      }
    }
    if (p.logEnd() == null) {
      return new long[] {0, 0};
    }
    long latest = p.logEnd();
    if (consumer == INVALID_OFFSET) {
      return new long[] {latest, latest};
    }
    if (c.excludePersistentLag()) {
      Long prev = memory.get(p.topic(), p.partition());
      if (prev != null && prev == consumer) {
        return new long[] {0, latest - consumer};
      }
      memory.put(p.topic(), p.partition(), consumer);
    }
    return new long[] {latest - consumer, latest - consumer};
  }

  /**
   * Totals over all partitions, the partition cap with KEDA's integer-division comparison, the
   * even-distribution rounding, and activity.
   *
   * <p>A partition the latest-offsets answer left out ({@code logEnd == null}) counts as lag 0 and
   * is not one of the partitions the cap counts, as in KEDA, whose {@code getTotalLag} walks the
   * partitions of that answer: it stays in the detail, with log-end offset -1 and lag 0.
   */
  public static Totals compute(
      KafkaLagConfig c, List<PartitionOffsets> offsets, PersistentLagMemory memory) {
    long totalLag = 0;
    long totalWithPersistent = 0;
    int withLag = 0;
    long totalTopicPartitions = 0;
    List<PartitionLag> detail = new ArrayList<>(offsets.size());
    for (PartitionOffsets p : offsets) {
      if (p.logEnd() == null) {
        detail.add(new PartitionLag(p.topic(), p.partition(), p.committed(), -1, 0, 0));
        continue;
      }
      totalTopicPartitions++;
      long[] l = lagForPartition(c, p, memory);
      totalLag += l[0];
      totalWithPersistent += l[1];
      if (l[0] > 0) {
        withLag++;
      }
      detail.add(new PartitionLag(p.topic(), p.partition(), p.committed(), p.logEnd(), l[0], l[1]));
    }
    long metric = totalLag;
    if (!c.allowIdleConsumers()
        || c.limitToPartitionsWithLag()
        || c.ensureEvenDistributionOfPartitions()) {
      long upperBound = totalTopicPartitions;
      if (c.ensureEvenDistributionOfPartitions()) {
        metric = nextFactor(totalTopicPartitions, c.lagThreshold(), metric) * c.lagThreshold();
      }
      if (c.limitToPartitionsWithLag()) {
        upperBound = withLag;
      }
      if (metric / c.lagThreshold() > upperBound) { // int64 integer division, as in KEDA
        metric = upperBound * c.lagThreshold();
      }
    }
    return new Totals(
        metric,
        totalLag,
        totalWithPersistent,
        totalWithPersistent > c.activationLagThreshold(),
        (int) totalTopicPartitions,
        withLag,
        detail);
  }

  /** Smallest factor f of n (ascending) with f × threshold ≥ lag, else n. */
  static long nextFactor(long n, long threshold, long lag) {
    for (long f = 1; f <= n; f++) {
      if (n % f == 0 && f * threshold >= lag) {
        return f;
      }
    }
    return n;
  }
}
