package io.stoker.adapters.kafka;

import io.stoker.adapters.spi.AdapterException;
import io.stoker.adapters.spi.Param;
import io.stoker.adapters.spi.ParamSet;
import io.stoker.adapters.spi.SignalConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Configuration of the Kafka lag adapter, with KEDA's Kafka-scaler parameter names, defaults and
 * validation rules (kedacore/keda {@code pkg/scalers/kafka_scaler.go}). The controller builds it
 * from its typed spec with {@link #builder}; KEDA trigger metadata are parsed by {@link #fromMap}.
 * Either way the record's constructor checks the rules between fields, with KEDA's messages.
 *
 * @param bootstrapServers comma-separated broker list
 * @param consumerGroup the consumer group
 * @param topics the topics, each read on its own and summed (as KEDA's scaler sums the lag of the
 *     topics it reads); empty for all topics the group has committed offsets on
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
    List<String> topics,
    Set<Integer> partitionLimitation,
    long lagThreshold,
    long activationLagThreshold,
    OffsetResetPolicy offsetResetPolicy,
    boolean allowIdleConsumers,
    boolean excludePersistentLag,
    boolean scaleToZeroOnInvalidOffset,
    boolean limitToPartitionsWithLag,
    boolean ensureEvenDistributionOfPartitions,
    Duration rateTimeConstant)
    implements SignalConfig {

  /** KEDA's {@code offsetResetPolicy}. */
  public enum OffsetResetPolicy {
    LATEST,
    EARLIEST
  }

  public static final Param<String> BOOTSTRAP_SERVERS =
      Param.custom(
              "bootstrapServers",
              "list",
              "comma-separated Kafka brokers (host:port)",
              KafkaLagConfig::bootstrapList)
          .asRequired();
  public static final Param<String> CONSUMER_GROUP =
      Param.string("consumerGroup", "consumer group whose lag is measured").asRequired();
  public static final Param<String> TOPIC =
      Param.custom(
          "topic",
          "string",
          "topic; empty = all topics the group has committed offsets on",
          KafkaLagConfig::topicName);
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

  /** KEDA's {@code version}: validated as KEDA does, unused (the client negotiates). */
  public static final Param<String> VERSION =
      Param.custom(
          "version", "version", "Kafka version (validated, unused)", KafkaLagConfig::kafkaVersion);

  /** KEDA's {@code fullMetadata}: validated as KEDA does, unused. */
  public static final Param<Boolean> FULL_METADATA =
      Param.bool("fullMetadata", "KEDA's metadata mode (validated, unused)").withDefault(true);

  /** KEDA's {@code unsafeSsl}: validated as KEDA does, unused. */
  public static final Param<Boolean> UNSAFE_SSL =
      Param.bool("unsafeSsl", "skip TLS verification (validated, unused)");

  private static final ParamSet KEDA_IGNORED = ParamSet.of(VERSION, FULL_METADATA, UNSAFE_SSL);

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

  /**
   * Checks the rules between fields (KEDA's, in KEDA's order, each message naming the parameter).
   *
   * @throws AdapterException of kind INVALID_CONFIG
   */
  public KafkaLagConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(consumerGroup, "consumerGroup");
    Objects.requireNonNull(offsetResetPolicy, "offsetResetPolicy");
    Objects.requireNonNull(rateTimeConstant, "rateTimeConstant");
    topics = topics == null ? List.of() : topics.stream().map(TOPIC::parse).toList();
    ParamSet.reject(
        topics.size() != new HashSet<>(topics).size(), "parameter 'topic' names a topic twice");
    boolean noTopic = topics.isEmpty();
    if (noTopic) {
      partitionLimitation = null; // ignored without a topic, as in KEDA
    } else if (partitionLimitation != null && !(partitionLimitation instanceof PartitionSet)) {
      partitionLimitation =
          new PartitionSet(partitionLimitation.stream().mapToInt(Integer::intValue).toArray());
    }
    ParamSet.reject(lagThreshold <= 0, "parameter 'lagThreshold' must be a positive number");
    ParamSet.reject(
        activationLagThreshold < 0, "parameter 'activationLagThreshold' must be a positive number");
    ParamSet.reject(
        allowIdleConsumers && limitToPartitionsWithLag,
        "parameters 'allowIdleConsumers' and 'limitToPartitionsWithLag' cannot be set simultaneously");
    ParamSet.reject(
        noTopic && limitToPartitionsWithLag,
        "parameter 'topic' must be specified when using limitToPartitionsWithLag");
    ParamSet.reject(
        noTopic && ensureEvenDistributionOfPartitions,
        "parameter 'topic' must be specified when using ensureEvenDistributionOfPartitions");
    ParamSet.reject(
        limitToPartitionsWithLag && ensureEvenDistributionOfPartitions,
        "parameters 'limitToPartitionsWithLag' and 'ensureEvenDistributionOfPartitions'"
            + " cannot be set simultaneously");
    ParamSet.reject(
        rateTimeConstant.isNegative(), "parameter 'rateTimeConstant' must not be negative");
  }

  @Override
  public String type() {
    return KafkaLagAdapter.TYPE;
  }

  /**
   * Parses and validates KEDA trigger metadata (one {@code topic}, as KEDA's Kafka scaler takes).
   * Keys this adapter does not know are rejected, except KEDA's connection keys that have no
   * meaning here ({@code version}, {@code fullMetadata}, {@code unsafeSsl}, {@code metricType}),
   * which are validated as KEDA does and then ignored.
   */
  public static KafkaLagConfig fromMap(Map<String, String> metadata) {
    Map<String, String> m = new java.util.HashMap<>(metadata);
    Map<String, String> ignored = new java.util.HashMap<>();
    for (var p : KEDA_IGNORED.params()) {
      String raw = m.remove(p.name());
      if (raw != null) {
        ignored.put(p.name(), raw);
      }
    }
    m.remove("metricType");
    ParamSet.Values v = PARAMS.parse(m, true);
    ParamSet.Values keda = KEDA_IGNORED.parse(ignored, true);
    String topic = v.get(TOPIC);
    boolean noTopic = topic == null || topic.isEmpty();
    ParamSet.reject(
        noTopic && !keda.get(FULL_METADATA),
        "parameter 'topic' must be specified when fullMetadata is false");
    return new KafkaLagConfig(
        v.get(BOOTSTRAP_SERVERS),
        v.get(CONSUMER_GROUP),
        noTopic ? List.of() : List.of(topic),
        v.get(PARTITION_LIMITATION),
        v.get(LAG_THRESHOLD),
        v.get(ACTIVATION_LAG_THRESHOLD),
        v.get(OFFSET_RESET_POLICY),
        v.get(ALLOW_IDLE_CONSUMERS),
        v.get(EXCLUDE_PERSISTENT_LAG),
        v.get(SCALE_TO_ZERO_ON_INVALID_OFFSET),
        v.get(LIMIT_TO_PARTITIONS_WITH_LAG),
        v.get(ENSURE_EVEN_DISTRIBUTION),
        v.get(RATE_TIME_CONSTANT));
  }

  /**
   * A config from typed values, KEDA's defaults for what is not set. The broker list and the group
   * are checked as the parameters {@code bootstrapServers} and {@code consumerGroup} are.
   */
  public static Builder builder(String bootstrapServers, String consumerGroup) {
    return new Builder(bootstrapServers, consumerGroup);
  }

  /** This config reading the lag of {@code group} instead. */
  public KafkaLagConfig withConsumerGroup(String group) {
    return new KafkaLagConfig(
        bootstrapServers,
        group,
        topics,
        partitionLimitation,
        lagThreshold,
        activationLagThreshold,
        offsetResetPolicy,
        allowIdleConsumers,
        excludePersistentLag,
        scaleToZeroOnInvalidOffset,
        limitToPartitionsWithLag,
        ensureEvenDistributionOfPartitions,
        rateTimeConstant);
  }

  /** This config reading only {@code topic}. */
  public KafkaLagConfig withTopic(String topic) {
    return new KafkaLagConfig(
        bootstrapServers,
        consumerGroup,
        List.of(topic),
        partitionLimitation,
        lagThreshold,
        activationLagThreshold,
        offsetResetPolicy,
        allowIdleConsumers,
        excludePersistentLag,
        scaleToZeroOnInvalidOffset,
        limitToPartitionsWithLag,
        ensureEvenDistributionOfPartitions,
        rateTimeConstant);
  }

  /** This config with the rates smoothed over {@code tau}. */
  public KafkaLagConfig withRateTimeConstant(Duration tau) {
    return new KafkaLagConfig(
        bootstrapServers,
        consumerGroup,
        topics,
        partitionLimitation,
        lagThreshold,
        activationLagThreshold,
        offsetResetPolicy,
        allowIdleConsumers,
        excludePersistentLag,
        scaleToZeroOnInvalidOffset,
        limitToPartitionsWithLag,
        ensureEvenDistributionOfPartitions,
        tau);
  }

  /** Typed values for {@link #builder}; a null argument leaves KEDA's default. */
  public static final class Builder {
    private final String bootstrapServers;
    private final String consumerGroup;
    private List<String> topics = List.of();
    private long lagThreshold = LAG_THRESHOLD.defaultValue();
    private long activationLagThreshold = ACTIVATION_LAG_THRESHOLD.defaultValue();
    private OffsetResetPolicy offsetResetPolicy = OFFSET_RESET_POLICY.defaultValue();
    private boolean allowIdleConsumers;
    private boolean excludePersistentLag;
    private boolean limitToPartitionsWithLag;
    private Duration rateTimeConstant = RATE_TIME_CONSTANT.defaultValue();

    private Builder(String bootstrapServers, String consumerGroup) {
      this.bootstrapServers = bootstrapServers;
      this.consumerGroup = consumerGroup;
    }

    public Builder topics(List<String> v) {
      topics = v == null ? List.of() : v;
      return this;
    }

    public Builder lagThreshold(Long v) {
      lagThreshold = v == null ? lagThreshold : v;
      return this;
    }

    public Builder activationLagThreshold(Long v) {
      activationLagThreshold = v == null ? activationLagThreshold : v;
      return this;
    }

    public Builder offsetResetPolicy(OffsetResetPolicy v) {
      offsetResetPolicy = v == null ? offsetResetPolicy : v;
      return this;
    }

    public Builder allowIdleConsumers(Boolean v) {
      allowIdleConsumers = v == null ? allowIdleConsumers : v;
      return this;
    }

    public Builder excludePersistentLag(Boolean v) {
      excludePersistentLag = v == null ? excludePersistentLag : v;
      return this;
    }

    public Builder limitToPartitionsWithLag(Boolean v) {
      limitToPartitionsWithLag = v == null ? limitToPartitionsWithLag : v;
      return this;
    }

    public Builder rateTimeConstant(Duration v) {
      rateTimeConstant = v == null ? rateTimeConstant : v;
      return this;
    }

    /**
     * The validated config.
     *
     * @throws AdapterException of kind INVALID_CONFIG naming the parameter
     */
    public KafkaLagConfig build() {
      return new KafkaLagConfig(
          BOOTSTRAP_SERVERS.parseOrDefault(bootstrapServers),
          CONSUMER_GROUP.parseOrDefault(consumerGroup),
          topics,
          null,
          lagThreshold,
          activationLagThreshold,
          offsetResetPolicy,
          allowIdleConsumers,
          excludePersistentLag,
          false,
          limitToPartitionsWithLag,
          false,
          rateTimeConstant);
    }
  }

  /** KEDA's metric name, normalised as by {@code kedautil.NormalizeString}. */
  public String metricName() {
    String raw =
        topics.size() == 1 ? "kafka-" + topics.get(0) : "kafka-" + consumerGroup + "-topics";
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

  /** The most partitions a {@code partitionLimitation} may list (KEDA has no limit). */
  public static final int MAX_LIMITED_PARTITIONS = 10_000;

  /** The most brokers a {@code bootstrapServers} list may name. */
  public static final int MAX_BOOTSTRAP_SERVERS = 32;

  private static final Pattern DIGITS = Pattern.compile("\\+?[0-9]{1,10}");
  private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[a-zA-Z0-9._-]+):([0-9]{1,5})");
  private static final Pattern KAFKA_VERSION =
      Pattern.compile("0\\.[0-9]+\\.[0-9]+\\.[0-9]+|[0-9]+\\.[0-9]+\\.[0-9]+");

  /**
   * KEDA's partitionLimitation syntax ({@code parsePartitionLimitation} of {@code
   * kafka_scaler.go}): comma-separated ids and inclusive ranges {@code a-b}, each term trimmed. An
   * empty term ({@code 1,,2}), a negative id ({@code -1}) or a term with two dashes is rejected; a
   * reversed range ({@code 5-1}) lists nothing, as in KEDA (a reading then finds no active
   * partition). At most {@link #MAX_LIMITED_PARTITIONS} partitions, counted before any set is
   * built, so that a huge range is refused without work.
   */
  static Set<Integer> parsePartitions(String raw) {
    String[] terms = raw.split(",", -1);
    long[][] ranges = new long[terms.length][];
    long count = 0;
    for (int i = 0; i < terms.length; i++) {
      String p = terms[i].trim();
      String[] ends = p.split("-", -1);
      if (ends.length > 2) {
        throw new IllegalArgumentException("'" + p + "' is not a partition or a range a-b");
      }
      long from = partitionId(ends[0], p);
      long to = ends.length == 2 ? partitionId(ends[1], p) : from;
      ranges[i] = new long[] {from, to};
      count += Math.max(0, to - from + 1);
      if (count > MAX_LIMITED_PARTITIONS) {
        throw new IllegalArgumentException(
            "lists more than " + MAX_LIMITED_PARTITIONS + " partitions");
      }
    }
    int[] ids = new int[(int) count];
    int n = 0;
    for (long[] r : ranges) {
      for (long id = r[0]; id <= r[1]; id++) {
        ids[n++] = (int) id;
      }
    }
    return new PartitionSet(ids);
  }

  private static long partitionId(String s, String term) {
    String v = s.trim();
    if (!DIGITS.matcher(v).matches()) {
      throw new IllegalArgumentException("'" + term + "' is not a partition or a range a-b");
    }
    long id = Long.parseLong(v);
    if (id > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("partition " + v + " is out of range");
    }
    return id;
  }

  /** A Kafka topic name: 1 to 249 of {@code [a-zA-Z0-9._-]}, not {@code .} or {@code ..}. */
  static String topicName(String raw) {
    String t = raw.trim();
    if (!TOPIC_NAME.matcher(t).matches() || t.equals(".") || t.equals("..")) {
      throw new IllegalArgumentException(
          "not a Kafka topic name (1 to 249 characters of a-z, A-Z, 0-9, '.', '_', '-')");
    }
    return t;
  }

  /** A comma-separated list of {@code host:port}, at most {@link #MAX_BOOTSTRAP_SERVERS}. */
  static String bootstrapList(String raw) {
    String[] parts = raw.split(",", -1);
    if (parts.length > MAX_BOOTSTRAP_SERVERS) {
      throw new IllegalArgumentException("names more than " + MAX_BOOTSTRAP_SERVERS + " brokers");
    }
    StringBuilder out = new StringBuilder();
    for (String part : parts) {
      String hp = part.trim();
      Matcher m = HOST_PORT.matcher(hp);
      if (!m.matches()
          || Integer.parseInt(m.group(2)) < 1
          || Integer.parseInt(m.group(2)) > 65535) {
        throw new IllegalArgumentException("each broker must be host:port");
      }
      out.append(out.length() == 0 ? "" : ",").append(hp);
    }
    return out.toString();
  }

  /** sarama's {@code ParseKafkaVersion} syntax, which KEDA applies to {@code version}. */
  static String kafkaVersion(String raw) {
    String v = raw.trim();
    if (!KAFKA_VERSION.matcher(v).matches()) {
      throw new IllegalArgumentException("not a Kafka version such as 1.0.0 or 0.11.0.2");
    }
    return v;
  }
}
