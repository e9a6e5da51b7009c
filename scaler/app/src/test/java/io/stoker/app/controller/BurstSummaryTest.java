package io.stoker.app.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus.BurstMemory;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus.RateEntry;
import io.stoker.core.policy.ScalerState.Burst;
import io.stoker.core.policy.ScalerState.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code status.burstMemory}: the summary is bounded, never lower, and read back defensively. */
class BurstSummaryTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** A falling rate, one sample per minute for {@code minutes}: the core keeps every one. */
  private static List<Sample> falling(int minutes) {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < minutes; i++) {
      out.add(new Sample(T0.plus(Duration.ofMinutes(i)), 100_000 - i));
    }
    return out;
  }

  @Test
  void aDayOfTicksBecomesHourlyMaximaStampedWithTheEndOfTheirHour() {
    Burst b = new Burst(falling(24 * 60), falling(24 * 60));
    BurstMemory m = BurstSummary.write(b);
    assertThat(m.peaks).hasSize(24);
    assertThat(m.peaks.get(0).rate).isEqualTo(100_000.0);
    assertThat(m.peaks.get(0).time).isEqualTo("2026-01-01T01:00:00Z");
    assertThat(m.peaks.get(23).rate).isEqualTo(100_000.0 - 23 * 60);

    ExecutorAutoscalerStatus s = new ExecutorAutoscalerStatus();
    s.burstMemory = m;
    Burst back = BurstSummary.read(s, T0.plus(Duration.ofDays(1)));
    assertThat(back.maxPeak()).isEqualTo(100_000.0);
    assertThat(back.maxExcess()).isEqualTo(100_000.0);
    // every sample is remembered at least as long as the core would, never lower
    for (Sample original : falling(24 * 60)) {
      double held =
          back.peak().stream()
              .filter(x -> !x.at().isBefore(original.at()))
              .mapToDouble(Sample::value)
              .max()
              .orElse(0);
      assertThat(held).isGreaterThanOrEqualTo(original.value());
    }
  }

  @Test
  void aLongerMemoryIsMergedIntoAtMostTheBound() {
    BurstMemory m = BurstSummary.write(new Burst(List.of(), falling(7 * 24 * 60)));
    assertThat(m.peaks).hasSize(BurstMemory.MAX_ENTRIES);
    assertThat(m.peaks.get(0).rate).isEqualTo(100_000.0);
    assertThat(m.rises).isEmpty();
  }

  @Test
  void badEntriesAreLeftOutAndFutureTimesCountAsNow() {
    ExecutorAutoscalerStatus s = new ExecutorAutoscalerStatus();
    s.burstMemory = new BurstMemory();
    List<RateEntry> peaks = new ArrayList<>();
    peaks.add(entry(Double.NaN, "2026-01-01T00:00:00Z"));
    peaks.add(entry(-5.0, "2026-01-01T00:00:00Z"));
    peaks.add(entry(1e13, "2026-01-01T00:00:00Z"));
    peaks.add(entry(900.0, "yesterday"));
    peaks.add(entry(800.0, null));
    peaks.add(null);
    peaks.add(entry(700.0, "2030-01-01T00:00:00Z"));
    while (peaks.size() < BurstMemory.MAX_ENTRIES) {
      peaks.add(entry(Double.POSITIVE_INFINITY, "2026-01-01T00:00:00Z"));
    }
    for (int i = 0; i < 40; i++) {
      peaks.add(entry(1e6, "2026-01-01T00:00:00Z")); // beyond the bound: never read
    }
    s.burstMemory.peaks = peaks;
    Instant now = T0.plusSeconds(60);
    Burst b = BurstSummary.read(s, now);
    assertThat(b.peak()).containsExactly(new Sample(now, 700.0));
    assertThat(b.excess()).isEmpty();
  }

  private static RateEntry entry(Double rate, String time) {
    RateEntry e = new RateEntry();
    e.rate = rate;
    e.time = time;
    return e;
  }
}
