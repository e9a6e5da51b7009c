package io.stoker.adapters.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stoker.adapters.spi.AdapterException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.junit.jupiter.api.Test;

/**
 * A latest-offsets answer that leaves a partition out (Azure Event Hubs does at times): KEDA (since
 * v2.19) counts it as lag 0 and reads on; the whole reading used to fail here ({@code UNAVAILABLE}
 * in the Kafka mode). A real Kafka broker never leaves a partition out (it answers every partition
 * asked, with an error code if need be), so this is tested where the answer is merged, with the
 * failure kafka-clients 4.1.1 reports for a left-out partition.
 */
class KafkaPartialAnswerTest {
  private static final String T = "orders";

  /** What kafka-clients' ListOffsets handler fails a partition with when the answer lacks it. */
  private static ApiException leftOut(int partition) {
    return new ApiException(
        "The response from broker 1 did not contain a result for topic partition "
            + T
            + "-"
            + partition);
  }

  private static KafkaClusterClient client() {
    Properties p = new Properties();
    p.put("bootstrap.servers", "broker-1:9092");
    return new KafkaClusterClient(p, Clock.systemUTC()); // never connects in this test
  }

  @Test
  void aPartitionLeftOutOfTheAnswerHasNoLogEndAndIsNotAnError() {
    try (KafkaClusterClient c = client()) {
      TopicPartition p1 = new TopicPartition(T, 1);
      assertThat(c.logEnd(new TopicPartition(T, 0), 25L)).isEqualTo(25L);
      assertThat(c.logEnd(p1, leftOut(1))).isNull();
      assertThat(c.missingPartitions()).containsExactly(p1);
      // back in the answer: no longer reported missing
      assertThat(c.logEnd(p1, 30L)).isEqualTo(30L);
      assertThat(c.missingPartitions()).isEmpty();
    }
  }

  @Test
  void anyOtherPartitionErrorStillFailsTheReadingNamingThePartition() {
    try (KafkaClusterClient c = client()) {
      assertThatThrownBy(
              () -> c.logEnd(new TopicPartition(T, 2), new UnknownServerException("boom")))
          .isInstanceOfSatisfying(
              AdapterException.class,
              e -> assertThat(e.kind()).isEqualTo(AdapterException.Kind.UNREACHABLE))
          .hasMessageContaining("broker-1:9092")
          .hasMessageContaining(T + "-2");
    }
  }

  @Test
  void theReadingKeepsTheOtherPartitionsAndCountsTheMissingOneAsKedaDoes() {
    // 100 behind on partitions 0 and 2, partition 1 left out of the latest-offsets answer.
    KafkaLagAdapter a =
        new KafkaLagAdapter(
            KafkaLagConfig.fromMap(
                Map.of("bootstrapServers", "broker-1:9092", "consumerGroup", "g", "topic", T)),
            client());
    KafkaClusterClient.GroupOffsets offsets =
        new KafkaClusterClient.GroupOffsets(
            "g",
            Instant.parse("2026-01-01T00:00:00Z"),
            List.of(
                new KafkaLagCalculator.PartitionOffsets(T, 0, 0, 100L),
                new KafkaLagCalculator.PartitionOffsets(T, 1, 0, null),
                new KafkaLagCalculator.PartitionOffsets(T, 2, 0, 100L)));

    KafkaLag lag = a.evaluate(offsets).value();

    assertThat(lag.totalLag()).isEqualTo(200);
    assertThat(lag.active()).isTrue();
    // KEDA walks the partitions of the latest-offsets answer: 2 count toward the cap (2 × 10).
    assertThat(lag.totalTopicPartitions()).isEqualTo(2);
    assertThat(lag.metricValue()).isEqualTo(20);
    assertThat(lag.partitions())
        .extracting(KafkaLag.PartitionLag::partition, KafkaLag.PartitionLag::lag)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, 100L),
            org.assertj.core.groups.Tuple.tuple(1, 0L),
            org.assertj.core.groups.Tuple.tuple(2, 100L));
  }

  @Test
  void aNeverCommittedPartitionLeftOutCountsNothingEither() {
    // KEDA never looks at a partition the answer left out: not even the 1 of an invalid offset.
    KafkaLagAdapter a =
        new KafkaLagAdapter(
            KafkaLagConfig.fromMap(
                Map.of("bootstrapServers", "broker-1:9092", "consumerGroup", "g", "topic", T)),
            client());
    KafkaLag lag =
        a.evaluate(
                new KafkaClusterClient.GroupOffsets(
                    "g",
                    Instant.parse("2026-01-01T00:00:00Z"),
                    List.of(
                        new KafkaLagCalculator.PartitionOffsets(T, 0, 3, 5L),
                        new KafkaLagCalculator.PartitionOffsets(T, 1, -1, null))))
            .value();
    assertThat(lag.metricValue()).isEqualTo(2);
  }
}
