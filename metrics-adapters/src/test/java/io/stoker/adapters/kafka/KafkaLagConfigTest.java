package io.stoker.adapters.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.adapters.spi.AdapterException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** KEDA's parameter defaults and validation errors, one row per rule. */
class KafkaLagConfigTest {
  static Map<String, String> base(String... kv) {
    Map<String, String> m = new HashMap<>();
    m.put("bootstrapServers", "127.0.0.1:9092");
    m.put("consumerGroup", "g");
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void kedaDefaults() {
    KafkaLagConfig c = KafkaLagConfig.fromMap(base());
    assertThat(c.topics()).isEmpty();
    assertThat(c.lagThreshold()).isEqualTo(10);
    assertThat(c.activationLagThreshold()).isZero();
    assertThat(c.offsetResetPolicy()).isEqualTo(KafkaLagConfig.OffsetResetPolicy.LATEST);
    assertThat(c.allowIdleConsumers()).isFalse();
    assertThat(c.excludePersistentLag()).isFalse();
    assertThat(c.scaleToZeroOnInvalidOffset()).isFalse();
    assertThat(c.limitToPartitionsWithLag()).isFalse();
    assertThat(c.ensureEvenDistributionOfPartitions()).isFalse();
    assertThat(c.partitionLimitation()).isNull();
    assertThat(c.rateTimeConstant()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.metricName()).isEqualTo("kafka-g-topics");
  }

  static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of(base("consumerGroup", "a.b/c:d"), "metricName", "kafka-a-b-c-d-topics"),
        Arguments.of(
            base("topic", "t", "partitionLimitation", "1,2,10-12, 31"),
            "partitionLimitation",
            Set.of(1, 2, 10, 11, 12, 31)),
        Arguments.of(
            base("partitionLimitation", "1,2"),
            "partitionLimitation",
            null), // ignored without topic
        Arguments.of(
            base("offsetResetPolicy", "earliest"),
            "offsetResetPolicy",
            KafkaLagConfig.OffsetResetPolicy.EARLIEST),
        Arguments.of(base("lagThreshold", "1000"), "lagThreshold", 1000L),
        Arguments.of(base("activationLagThreshold", "0"), "activationLagThreshold", 0L),
        Arguments.of(base("allowIdleConsumers", "TRUE"), "allowIdleConsumers", true),
        Arguments.of(base("excludePersistentLag", "1"), "excludePersistentLag", true),
        Arguments.of(base("scaleToZeroOnInvalidOffset", "t"), "scaleToZeroOnInvalidOffset", true),
        Arguments.of(
            base("topic", "t", "limitToPartitionsWithLag", "true"),
            "limitToPartitionsWithLag",
            true),
        Arguments.of(
            base("topic", "t", "ensureEvenDistributionOfPartitions", "true"),
            "ensureEvenDistributionOfPartitions",
            true),
        Arguments.of(base("version", "1.0.0", "unsafeSsl", "false"), "lagThreshold", 10L),
        // KEDA's edge cases (parsePartitionLimitation): a reversed range lists nothing
        Arguments.of(
            base("topic", "t", "partitionLimitation", "5-1"), "partitionLimitation", Set.of()),
        Arguments.of(
            base("topic", "t", "partitionLimitation", "2147483647-2147483647"),
            "partitionLimitation",
            Set.of(Integer.MAX_VALUE)),
        Arguments.of(
            base("topic", "t", "partitionLimitation", "0-9999"),
            "partitionLimitation",
            java.util.stream.IntStream.range(0, 10_000)
                .boxed()
                .collect(java.util.stream.Collectors.toSet())),
        Arguments.of(
            base("version", "0.11.0.2", "fullMetadata", "false", "topic", "t"),
            "topics",
            List.of("t")),
        Arguments.of(base("version", "3.9.1", "fullMetadata", "true"), "topics", List.of()),
        Arguments.of(base("topic", "orders_v2.eu-1"), "topics", List.of("orders_v2.eu-1")));
  }

  @ParameterizedTest
  @MethodSource("valid")
  void parses(Map<String, String> meta, String field, Object expected) throws Exception {
    KafkaLagConfig c = KafkaLagConfig.fromMap(meta);
    Object actual =
        field.equals("metricName")
            ? c.metricName()
            : KafkaLagConfig.class.getMethod(field).invoke(c);
    assertThat(actual).isEqualTo(expected);
  }

  /** The controller's typed path: what a spec's {@code signals.kafka} builds. */
  static Stream<Arguments> typed() {
    return Stream.of(
        Arguments.of(
            KafkaLagConfig.builder("b:9092", "g").topics(List.of("a", "b")),
            "metricName",
            "kafka-g-topics"),
        Arguments.of(
            KafkaLagConfig.builder("b:9092", "g").topics(List.of("a.b")),
            "metricName",
            "kafka-a-b"),
        Arguments.of(
            KafkaLagConfig.builder("b:9092", "g").topics(List.of("a", "b")),
            "topics",
            List.of("a", "b")),
        Arguments.of(
            KafkaLagConfig.builder(" b:9092, c:9093 ", "g"), "bootstrapServers", "b:9092,c:9093"),
        Arguments.of(KafkaLagConfig.builder("b:9092", "g").lagThreshold(null), "lagThreshold", 10L),
        Arguments.of(
            KafkaLagConfig.builder("b:9092", "g").activationLagThreshold(7L),
            "activationLagThreshold",
            7L),
        Arguments.of(
            KafkaLagConfig.builder("b:9092", "g")
                .offsetResetPolicy(KafkaLagConfig.OffsetResetPolicy.EARLIEST),
            "offsetResetPolicy",
            KafkaLagConfig.OffsetResetPolicy.EARLIEST),
        Arguments.of(
            KafkaLagConfig.builder("b:9092", "g").rateTimeConstant(Duration.ofMillis(500)),
            "rateTimeConstant",
            Duration.ofMillis(500)));
  }

  @ParameterizedTest
  @MethodSource("typed")
  void builds(KafkaLagConfig.Builder b, String field, Object expected) throws Exception {
    KafkaLagConfig c = b.build();
    Object actual =
        field.equals("metricName")
            ? c.metricName()
            : KafkaLagConfig.class.getMethod(field).invoke(c);
    assertThat(actual).isEqualTo(expected);
  }

  static Stream<Arguments> typedInvalid() {
    return Stream.of(
        Arguments.of(KafkaLagConfig.builder(null, "g"), "parameter 'bootstrapServers' is required"),
        Arguments.of(
            KafkaLagConfig.builder("b:9092", " "), "parameter 'consumerGroup' is required"),
        Arguments.of(KafkaLagConfig.builder("kafka", "g"), "parameter 'bootstrapServers'"),
        Arguments.of(
            KafkaLagConfig.builder("b:9092", "g").lagThreshold(0L),
            "parameter 'lagThreshold' must be a positive number"),
        Arguments.of(
            KafkaLagConfig.builder("b:9092", "g").activationLagThreshold(-1L),
            "parameter 'activationLagThreshold' must be a positive number"),
        Arguments.of(
            KafkaLagConfig.builder("b:9092", "g").limitToPartitionsWithLag(true),
            "parameter 'topic' must be specified when using limitToPartitionsWithLag"),
        Arguments.of(
            KafkaLagConfig.builder("b:9092", "g")
                .topics(List.of("t"))
                .allowIdleConsumers(true)
                .limitToPartitionsWithLag(true),
            "cannot be set simultaneously"),
        Arguments.of(
            KafkaLagConfig.builder("b:9092", "g").topics(List.of("bad topic!")),
            "parameter 'topic': invalid value 'bad topic!'"),
        Arguments.of(
            KafkaLagConfig.builder("b:9092", "g").topics(List.of("a", "a")),
            "parameter 'topic' names a topic twice"),
        Arguments.of(
            KafkaLagConfig.builder("b:9092", "g").rateTimeConstant(Duration.ofSeconds(-1)),
            "parameter 'rateTimeConstant' must not be negative"));
  }

  @ParameterizedTest
  @MethodSource("typedInvalid")
  void rejectsTyped(KafkaLagConfig.Builder b, String message) {
    assertThatThrownBy(b::build)
        .isInstanceOfSatisfying(
            AdapterException.class,
            e -> assertThat(e.kind()).isEqualTo(AdapterException.Kind.INVALID_CONFIG))
        .hasMessageContaining(message);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(Map.of("consumerGroup", "g"), "'bootstrapServers' is required"),
        Arguments.of(Map.of("bootstrapServers", "b:9092"), "'consumerGroup' is required"),
        Arguments.of(base("lagThreshold", "0"), "'lagThreshold' must be a positive number"),
        Arguments.of(base("lagThreshold", "-5"), "'lagThreshold' must be a positive number"),
        Arguments.of(base("lagThreshold", "ten"), "'lagThreshold': invalid value 'ten'"),
        Arguments.of(
            base("activationLagThreshold", "-1"),
            "'activationLagThreshold' must be a positive number"),
        Arguments.of(base("offsetResetPolicy", "middle"), "must be one of latest|earliest"),
        Arguments.of(base("allowIdleConsumers", "yes"), "'allowIdleConsumers': invalid value"),
        Arguments.of(
            base("topic", "t", "allowIdleConsumers", "true", "limitToPartitionsWithLag", "true"),
            "cannot be set simultaneously"),
        Arguments.of(
            base("limitToPartitionsWithLag", "true"),
            "'topic' must be specified when using limitToPartitionsWithLag"),
        Arguments.of(
            base("ensureEvenDistributionOfPartitions", "true"),
            "'topic' must be specified when using ensureEvenDistributionOfPartitions"),
        Arguments.of(
            base(
                "topic",
                "t",
                "limitToPartitionsWithLag",
                "true",
                "ensureEvenDistributionOfPartitions",
                "true"),
            "'limitToPartitionsWithLag' and 'ensureEvenDistributionOfPartitions'"),
        Arguments.of(base("topic", "t", "partitionLimitation", "1,x"), "'partitionLimitation'"),
        Arguments.of(base("topic", "t", "partitionLimitation", "1,,2"), "'partitionLimitation'"),
        Arguments.of(base("topic", "t", "partitionLimitation", "1,2,"), "'partitionLimitation'"),
        Arguments.of(base("topic", "t", "partitionLimitation", "-1"), "'partitionLimitation'"),
        Arguments.of(base("topic", "t", "partitionLimitation", "1-2-3"), "'partitionLimitation'"),
        Arguments.of(base("topic", "t", "partitionLimitation", "2147483648"), "out of range"),
        // Issue 17 item 4: refused by counting, before any set is built
        Arguments.of(
            base("topic", "t", "partitionLimitation", "0-5000000"),
            "'partitionLimitation': invalid value '0-5000000': lists more than 10000 partitions"),
        Arguments.of(
            base("topic", "t", "partitionLimitation", "0-2147483647"),
            "more than 10000 partitions"),
        Arguments.of(
            base("topic", "t", "partitionLimitation", "0-6000,0-6000"),
            "more than 10000 partitions"),
        Arguments.of(base("topic", "bad topic!"), "parameter 'topic': invalid value 'bad topic!'"),
        Arguments.of(base("topic", ".."), "'topic'"),
        Arguments.of(base("topic", "x".repeat(250)), "'topic'"),
        Arguments.of(base("version", "1.0"), "parameter 'version'"),
        Arguments.of(base("version", "latest"), "parameter 'version'"),
        Arguments.of(base("fullMetadata", "maybe"), "parameter 'fullMetadata'"),
        Arguments.of(
            base("fullMetadata", "false"), "'topic' must be specified when fullMetadata is false"),
        Arguments.of(base("unsafeSsl", "nope"), "parameter 'unsafeSsl'"),
        Arguments.of(base("bootstrapServers", "kafka"), "parameter 'bootstrapServers'"),
        Arguments.of(base("bootstrapServers", "kafka:99999"), "parameter 'bootstrapServers'"),
        Arguments.of(
            base("bootstrapServers", "a:1,".repeat(40) + "a:1"), "names more than 32 brokers"),
        Arguments.of(base("lagTreshold", "5"), "unknown parameter(s) [lagTreshold]"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void rejects(Map<String, String> meta, String message) {
    assertThatThrownBy(() -> KafkaLagConfig.fromMap(meta))
        .isInstanceOfSatisfying(
            AdapterException.class,
            e -> assertThat(e.kind()).isEqualTo(AdapterException.Kind.INVALID_CONFIG))
        .hasMessageContaining(message);
  }
}
