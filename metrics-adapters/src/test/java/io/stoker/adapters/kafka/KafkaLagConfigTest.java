package io.stoker.adapters.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.adapters.spi.AdapterException;
import java.time.Duration;
import java.util.HashMap;
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
    assertThat(c.topic()).isNull();
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
        Arguments.of(base("topic", "a.b/c:d"), "metricName", "kafka-a-b-c-d"),
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
        Arguments.of(base("version", "1.0.0", "unsafeSsl", "false"), "lagThreshold", 10L));
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

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(Map.of("consumerGroup", "g"), "'bootstrapServers' is required"),
        Arguments.of(Map.of("bootstrapServers", "b"), "'consumerGroup' is required"),
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
        Arguments.of(base("topic", "t", "partitionLimitation", "5-2"), "reversed"),
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
