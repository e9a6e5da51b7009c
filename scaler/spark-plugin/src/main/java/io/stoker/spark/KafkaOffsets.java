package io.stoker.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.streaming.SourceProgress;

/** Reads the Kafka source's offsets from a {@link SourceProgress}. */
final class KafkaOffsets {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Offsets behind latest over the partitions of one or more Kafka sources. */
  record Lag(long sum, long max, int partitions) {
    Lag plus(Lag other) {
      return new Lag(sum + other.sum, Math.max(max, other.max), partitions + other.partitions);
    }

    static final Lag NONE = new Lag(0, 0, 0);
  }

  /** A topic partition as {@code topic} and partition number, without kafka-clients. */
  record Partition(String topic, int partition) {}

  private KafkaOffsets() {}

  /** Whether the source is Spark's Kafka source (micro-batch V2 or the V1 source). */
  static boolean isKafka(SourceProgress source) {
    String d = source.description();
    return d != null && (d.startsWith("KafkaV2[") || d.startsWith("KafkaSourceV1["));
  }

  /**
   * Parses Spark's Kafka offset JSON, {@code {"topic":{"0":12,"1":40}}}. Returns empty for anything
   * else (null, other sources' formats).
   */
  static Optional<Map<Partition, Long>> parse(String json) {
    if (json == null || json.isBlank()) {
      return Optional.empty();
    }
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null || !root.isObject()) {
        return Optional.empty();
      }
      Map<Partition, Long> out = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> topic : root.properties()) {
        if (!topic.getValue().isObject()) {
          return Optional.empty();
        }
        for (Map.Entry<String, JsonNode> part : topic.getValue().properties()) {
          if (!part.getValue().canConvertToLong()) {
            return Optional.empty();
          }
          out.put(
              new Partition(topic.getKey(), Integer.parseInt(part.getKey())),
              part.getValue().asLong());
        }
      }
      return Optional.of(out);
    } catch (JsonProcessingException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Offsets behind latest of one Kafka source after its batch: per partition {@code latestOffset -
   * endOffset} (a partition missing from the end offsets counts from 0, as in Spark's {@code
   * KafkaMicroBatchStream.metrics}); when the latest offsets are not reported, the source's own
   * {@code avgOffsetsBehindLatest}/{@code maxOffsetsBehindLatest} metrics are used.
   */
  static Optional<Lag> lag(SourceProgress source) {
    Optional<Map<Partition, Long>> end = parse(source.endOffset());
    Optional<Map<Partition, Long>> latest = parse(source.latestOffset());
    if (latest.isPresent() && !latest.get().isEmpty()) {
      long sum = 0;
      long max = 0;
      for (Map.Entry<Partition, Long> e : latest.get().entrySet()) {
        long consumed = end.map(m -> m.getOrDefault(e.getKey(), 0L)).orElse(0L);
        long behind = Math.max(0, e.getValue() - consumed);
        sum += behind;
        max = Math.max(max, behind);
      }
      return Optional.of(new Lag(sum, max, latest.get().size()));
    }
    Map<String, String> metrics = source.metrics();
    if (metrics == null
        || !metrics.containsKey("avgOffsetsBehindLatest")
        || !metrics.containsKey("maxOffsetsBehindLatest")) {
      return Optional.empty();
    }
    try {
      int partitions = end.map(Map::size).orElse(0);
      double avg = Double.parseDouble(metrics.get("avgOffsetsBehindLatest"));
      long max = Long.parseLong(metrics.get("maxOffsetsBehindLatest"));
      return Optional.of(new Lag(Math.round(avg * partitions), max, partitions));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
