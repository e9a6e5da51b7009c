package io.stoker.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.spark.sql.streaming.SourceProgress;
import org.junit.jupiter.api.Test;

class KafkaOffsetsTest {

  private static SourceProgress source(
      String desc, String end, String latest, Map<String, String> m) {
    return new SourceProgress(desc, "{}", end, latest, 10, 1.0, 1.0, m);
  }

  @Test
  void parsesSparksKafkaOffsetJson() {
    assertThat(KafkaOffsets.parse("{\"t\":{\"0\":5,\"1\":7},\"u\":{\"0\":1}}"))
        .hasValue(
            Map.of(
                new KafkaOffsets.Partition("t", 0), 5L,
                new KafkaOffsets.Partition("t", 1), 7L,
                new KafkaOffsets.Partition("u", 0), 1L));
    assertThat(KafkaOffsets.parse("42")).isEmpty();
    assertThat(KafkaOffsets.parse("{\"t\":3}")).isEmpty();
    assertThat(KafkaOffsets.parse(null)).isEmpty();
    assertThat(KafkaOffsets.parse("not json")).isEmpty();
  }

  @Test
  void lagIsLatestMinusEndPerPartition() {
    SourceProgress s =
        source(
            "KafkaV2[Subscribe[t]]",
            "{\"t\":{\"0\":100,\"1\":250,\"2\":300}}",
            "{\"t\":{\"0\":400,\"1\":250,\"2\":310,\"3\":20}}",
            Map.of());
    assertThat(KafkaOffsets.isKafka(s)).isTrue();
    // 300 + 0 + 10 + 20 (partition 3 not consumed yet counts from 0)
    assertThat(KafkaOffsets.lag(s)).hasValue(new KafkaOffsets.Lag(330, 300, 4));
  }

  @Test
  void fallsBackToTheSourceMetrics() {
    SourceProgress s =
        source(
            "KafkaV2[Subscribe[t]]",
            "{\"t\":{\"0\":100,\"1\":250}}",
            null,
            Map.of(
                "avgOffsetsBehindLatest", "15.5",
                "maxOffsetsBehindLatest", "30",
                "minOffsetsBehindLatest", "1"));
    assertThat(KafkaOffsets.lag(s)).hasValue(new KafkaOffsets.Lag(31, 30, 2));
    assertThat(KafkaOffsets.lag(source("KafkaV2[x]", "{}", null, Map.of()))).isEmpty();
    assertThat(KafkaOffsets.isKafka(source("RateStreamV2[rowsPerSecond=1]", "1", "2", Map.of())))
        .isFalse();
  }
}
