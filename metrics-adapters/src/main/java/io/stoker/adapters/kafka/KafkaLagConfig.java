package io.stoker.adapters.kafka;

import io.stoker.adapters.spi.Param;
import io.stoker.adapters.spi.ParamSet;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Configuration of the Kafka lag adapter, with KEDA's Kafka-scaler parameter names, defaults and
 * validation rules (kedacore/keda {@code pkg/scalers/kafka_scaler.go}).
 *
 * @param bootstrapServers comma-separated broker list
 * @param consumerGroup the consumer group
 * @param topic the topic, or null for all topics the group has committed offsets on
 * @param partitionLimitation partitions to count (null = all); ignored without a topic, as in KEDA
 * @param lagThreshold target lag per replica, &gt; 0
 * @param activationLagThreshold active iff lag (with persistent lag) &gt; this, &gt;= 0
 * @param offsetResetPolicy what an uncommitted partition means
 * @param allowIdleConsumers when false, the metric is capped at partitions × lagThreshold
 * @param excludePersistentLag exclude the lag of partitions whose committed offset did not move
 * @param scaleToZeroOnInvalidOffset count uncommitted partitions as 0 rather than 1 / log end
 * @param limitToPartitionsWithLag cap at partitions-with-lag × lagThreshold
 * @param ensureEvenDistributionOfPartitions round the metric up to a factor of the partition count
 * @param rateTimeConstant time constant of the exponential smoothing of the rates (not in KEDA)
 */
public record KafkaLagConfig(
    String bootstrapServers,
    String consumerGroup,
    String topic,
    Set<Integer> partitionLimitation,
    long lagThreshold,
    long activationLagThreshold,
    OffsetResetPolicy offsetResetPolicy,
    boolean allowIdleConsumers,
    boolean excludePersistentLag,
    boolean scaleToZeroOnInvalidOffset,
    boolean limitToPartitionsWithLag,
    boolean ensureEvenDistributionOfPartitions,
    Duration rateTimeConstant) {

  /** KEDA's {@code offsetResetPolicy}. */
  public enum OffsetResetPolicy {
    LATEST,
    EARLIEST
  }

  public static final Param<String> BOOTSTRAP_SERVERS =
      Param.string("bootstrapServers", "comma-separated Kafka brokers").asRequired();
  public static final Param<String> CONSUMER_GROUP =
      Param.string("consumerGroup", "consumer group whose lag is measured").asRequired();
  public static final Param<String> TOPIC =
      Param.string("topic", "topic; empty = all topics the group has committed offsets on");
  public static final Param<Set<Integer>> PARTITION_LIMITATION =
      Param.custom(
          "partitionLimitation",
          "list",
          "partitions to count, e.g. 1,2,10-20,31 (only with topic)",
          KafkaLagConfig::parsePartitions);
  public static final Param<Long> LAG_THRESHOLD =
      Param.int64("lagThreshold", "target lag per replica").withDefault(10L);
  public static final Param<Long> ACTIVATION_LAG_THRESHOLD =
      Param.int64("activationLagThreshold", "active iff lag > this").withDefault(0L);
  public static final Param<OffsetResetPolicy> OFFSET_RESET_POLICY =
      Param.oneOf(
              "offsetResetPolicy", OffsetResetPolicy.class, "meaning of an uncommitted partition")
          .withDefault(OffsetResetPolicy.LATEST);
  public static final Param<Boolean> ALLOW_IDLE_CONSUMERS =
      Param.bool("allowIdleConsumers", "allow more replicas than partitions");
  public static final Param<Boolean> EXCLUDE_PERSISTENT_LAG =
      Param.bool("excludePersistentLag", "ignore lag of partitions whose offset does not move");
  public static final Param<Boolean> SCALE_TO_ZERO_ON_INVALID_OFFSET =
      Param.bool("scaleToZeroOnInvalidOffset", "uncommitted partitions count as 0");
  public static final Param<Boolean> LIMIT_TO_PARTITIONS_WITH_LAG =
      Param.bool("limitToPartitionsWithLag", "cap at the number of partitions with lag");
  public static final Param<Boolean> ENSURE_EVEN_DISTRIBUTION =
      Param.bool("ensureEvenDistributionOfPartitions", "round up to a factor of the partitions");
  public static final Param<Duration> RATE_TIME_CONSTANT =
      Param.duration("rateTimeConstant", "smoothing time constant of arrival and consume rates")
          .withDefault(Duration.ofSeconds(30));

  public static final ParamSet PARAMS =
      ParamSet.of(
          BOOTSTRAP_SERVERS,
          CONSUMER_GROUP,
          TOPIC,
          PARTITION_LIMITATION,
          LAG_THRESHOLD,
          ACTIVATION_LAG_THRESHOLD,
          OFFSET_RESET_POLICY,
          ALLOW_IDLE_CONSUMERS,
          EXCLUDE_PERSISTENT_LAG,
          SCALE_TO_ZERO_ON_INVALID_OFFSET,
          LIMIT_TO_PARTITIONS_WITH_LAG,
          ENSURE_EVEN_DISTRIBUTION,
          RATE_TIME_CONSTANT);

  public KafkaLagConfig {
    partitionLimitation =
        partitionLimitation == null
            ? null
            : Collections.unmodifiableSet(new TreeSet<>(partitionLimitation));
  }

  /**
   * Parses and validates KEDA trigger metadata. Keys this adapter does not know are rejected,
   * except KEDA's connection keys that have no meaning here ({@code version}, {@code fullMetadata},
   * {@code unsafeSsl}), which are accepted and ignored.
   */
  public static KafkaLagConfig fromMap(Map<String, String> metadata) {
    Map<String, String> m = new java.util.HashMap<>(metadata);
    m.keySet().removeAll(Set.of("version", "fullMetadata", "unsafeSsl", "metricType"));
    ParamSet.Values v = PARAMS.parse(m, true);
    String topic = v.get(TOPIC);
    boolean noTopic = topic == null || topic.isEmpty();
    long lag = v.get(LAG_THRESHOLD);
    long activation = v.get(ACTIVATION_LAG_THRESHOLD);
    boolean idle = v.get(ALLOW_IDLE_CONSUMERS);
    boolean limit = v.get(LIMIT_TO_PARTITIONS_WITH_LAG);
    boolean even = v.get(ENSURE_EVEN_DISTRIBUTION);
    ParamSet.reject(lag <= 0, "parameter 'lagThreshold' must be a positive number");
    ParamSet.reject(activation < 0, "parameter 'activationLagThreshold' must be a positive number");
    ParamSet.reject(
        idle && limit,
        "parameters 'allowIdleConsumers' and 'limitToPartitionsWithLag' cannot be set simultaneously");
    ParamSet.reject(
        noTopic && limit,
        "parameter 'topic' must be specified when using limitToPartitionsWithLag");
    ParamSet.reject(
        noTopic && even,
        "parameter 'topic' must be specified when using ensureEvenDistributionOfPartitions");
    ParamSet.reject(
        limit && even,
        "parameters 'limitToPartitionsWithLag' and 'ensureEvenDistributionOfPartitions'"
            + " cannot be set simultaneously");
    Duration tau = v.get(RATE_TIME_CONSTANT);
    ParamSet.reject(tau.isNegative(), "parameter 'rateTimeConstant' must not be negative");
    return new KafkaLagConfig(
        v.get(BOOTSTRAP_SERVERS),
        v.get(CONSUMER_GROUP),
        noTopic ? null : topic,
        noTopic ? null : v.get(PARTITION_LIMITATION),
        lag,
        activation,
        v.get(OFFSET_RESET_POLICY),
        idle,
        v.get(EXCLUDE_PERSISTENT_LAG),
        v.get(SCALE_TO_ZERO_ON_INVALID_OFFSET),
        limit,
        even,
        tau);
  }

  /** KEDA's metric name, normalised as by {@code kedautil.NormalizeString}. */
  public String metricName() {
    String raw = topic != null ? "kafka-" + topic : "kafka-" + consumerGroup + "-topics";
    return normalizeKeda(raw);
  }

  static String normalizeKeda(String s) {
    return s.replace('/', '-')
        .replace('.', '-')
        .replace(':', '-')
        .replace('%', '-')
        .replace('(', '-')
        .replace(')', '-');
  }

  /** KEDA's partitionLimitation syntax: comma-separated ids and inclusive ranges. */
  static Set<Integer> parsePartitions(String raw) {
    Set<Integer> out = new TreeSet<>();
    for (String part : raw.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int dash = p.indexOf('-', 1);
      try {
        if (dash > 0) {
          int from = Integer.parseInt(p.substring(0, dash).trim());
          int to = Integer.parseInt(p.substring(dash + 1).trim());
          if (from > to) {
            throw new IllegalArgumentException("range " + p + " is reversed");
          }
          for (int i = from; i <= to; i++) {
            out.add(i);
          }
        } else {
          out.add(Integer.parseInt(p));
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + p + "' is not a partition or a range", e);
      }
    }
    return out;
  }
}
