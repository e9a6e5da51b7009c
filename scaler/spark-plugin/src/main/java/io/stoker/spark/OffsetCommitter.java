package io.stoker.spark;

import java.util.Map;

/** Receives each finished batch's Kafka end offsets. */
interface OffsetCommitter extends AutoCloseable {

  /** Commits asynchronously, in call order; never throws. */
  void commit(String query, Map<KafkaOffsets.Partition, Long> endOffsets);

  @Override
  void close();
}
