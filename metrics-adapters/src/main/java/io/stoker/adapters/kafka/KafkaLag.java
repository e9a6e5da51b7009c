package io.stoker.adapters.kafka;

import java.time.Duration;
import java.util.List;

/**
 * One lag reading of one consumer group, with KEDA's metric value and activity and Stoker's rates.
 *
 * @param metricName KEDA's metric name ({@code kafka-<topic>} or {@code kafka-<group>-topics})
 * @param metricValue the value KEDA would report: total lag after the partition cap and
 *     even-distribution rounding
 * @param totalLag total lag before capping (persistent lag excluded if configured)
 * @param totalLagWithPersistent total lag including persistent lag (drives activity)
 * @param active KEDA's activity: totalLagWithPersistent &gt; activationLagThreshold
 * @param lagThreshold the configured target per replica
 * @param totalTopicPartitions partitions counted
 * @param partitionsWithLag partitions whose lag &gt; 0 (after persistent-lag exclusion)
 * @param partitions per-partition detail
 * @param arrivalRate smoothed Δ(log-end offsets)/Δt, records/s; NaN until two readings exist
 * @param consumeRate smoothed Δ(committed offsets)/Δt, records/s; NaN until two readings exist
 * @param rateInterval time between the last two readings (ZERO on the first)
 */
public record KafkaLag(
    String metricName,
    long metricValue,
    long totalLag,
    long totalLagWithPersistent,
    boolean active,
    long lagThreshold,
    int totalTopicPartitions,
    int partitionsWithLag,
    List<PartitionLag> partitions,
    double arrivalRate,
    double consumeRate,
    Duration rateInterval) {

  public KafkaLag {
    partitions = List.copyOf(partitions);
  }

  /**
   * Lag of one partition.
   *
   * @param committedOffset the group's committed offset, -1 if none
   * @param logEndOffset the partition's log-end offset; -1 when the broker's answer left the
   *     partition out (it then counts as lag 0 and not toward the partition cap, as in KEDA)
   * @param lag counted lag (0 when excluded as persistent)
   * @param lagWithPersistent lag including persistent lag
   */
  public record PartitionLag(
      String topic,
      int partition,
      long committedOffset,
      long logEndOffset,
      long lag,
      long lagWithPersistent) {}
}
