package io.stoker.app.signals;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.adapters.spi.Reading;
import io.stoker.core.model.Observation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignalsTest {
  private static final Instant T = Instant.parse("2026-12-07T11:18:10Z");

  /**
   * Seen in SparkBatchScalingE2E: a burst of 36,000 records, still being read by a batch that runs
   * for a minute. The Kafka group's lag shows it at once; the driver plugin's backlog and rates
   * describe the last completed batch (nothing behind, 60 records/s). With the driver's reading
   * first (the collector's order came from an immutable Map, different in every controller JVM),
   * the decision saw no backlog and kept one executor for the whole batch.
   */
  @Test
  void theKafkaLagDecidesWhateverOrderTheReadingsArriveIn() {
    Reading kafka =
        Reading.empty("kafka", T).withBacklog(36_480).withArrivalRate(1_222).withPartitions(3);
    Reading spark =
        Reading.empty("spark", T)
            .withBacklog(0)
            .withArrivalRate(60)
            .withProcessingRate(190)
            .withBusyFraction(1.0);

    Observation obs = new Signals(List.of(spark, kafka), Map.of()).observation(T).build();

    assertThat(obs.backlogRecords().getAsLong()).isEqualTo(36_480);
    assertThat(obs.arrivalRate().getAsDouble()).isEqualTo(1_222);
    assertThat(obs.busyFraction().getAsDouble()).as("what only the driver says").isEqualTo(1.0);
    assertThat(new Signals(List.of(spark, kafka), Map.of()).backlog().getAsLong())
        .as("the lag the status shows")
        .isEqualTo(36_480);
  }

  @Test
  void prometheusComesAfterTheDriverAndUnknownSourcesLast() {
    Reading prometheus = Reading.empty("prometheus", T).withArrivalRate(5);
    Reading spark = Reading.empty("spark", T).withArrivalRate(7);
    Reading other = Reading.empty("other", T).withArrivalRate(9);

    Signals s = new Signals(List.of(other, prometheus, spark), Map.of());

    assertThat(s.readings())
        .extracting(Reading::signal)
        .containsExactly("spark", "prometheus", "other");
    assertThat(s.observation(T).build().arrivalRate().getAsDouble()).isEqualTo(7);
  }
}
