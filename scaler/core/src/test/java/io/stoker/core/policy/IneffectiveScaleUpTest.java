package io.stoker.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.core.model.Decision;
import io.stoker.core.model.Reason;
import io.stoker.core.model.ScalingOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** When a scale-up counts as ineffective, and what that blocks. */
class IneffectiveScaleUpTest {

  private static final ScalingOptions DEFAULTS = ScalingOptions.defaults();

  /** 4 executors saturated at 4000/s, then a scale-up whose executors add no throughput. */
  private static int saturateAndScaleUp(Drive d) {
    d.tick(10, b -> Drive.steady(10_000, 4, 1.0).apply(b).processingRate(4000).backlog(200_000));
    int raised = d.target();
    assertThat(raised).isGreaterThan(4);
    return raised;
  }

  @Test
  void blocksFurtherScaleUpsOnceTheExecutorsStayedSaturatedForTheWindowWithoutMoreThroughput() {
    Drive d = new Drive(DEFAULTS, 4);
    int raised = saturateAndScaleUp(d);
    // the executors asked for are ready on the next tick, but throughput stays at 4000/s (a
    // bottleneck elsewhere) and the backlog grows. Within the window the scale-up is not judged:
    // the rate reported may still be catching up with the new executors.
    long backlog = 200_000;
    Instant readyAt = null;
    Decision decision;
    do {
      backlog += 60_000;
      long lag = backlog;
      int ready = d.target();
      decision =
          d.tick(
              10, b -> Drive.steady(10_000, ready, 0.4).apply(b).processingRate(4000).backlog(lag));
      readyAt = readyAt == null ? d.now() : readyAt;
    } while (decision.reasonCode() != Reason.INEFFECTIVE_SCALE_UP
        && d.now().isBefore(readyAt.plusSeconds(300)));
    // judged once the executors had been ready and saturated for the whole window
    assertThat(Duration.between(readyAt, d.now())).isEqualTo(DEFAULTS.ineffectiveWindow());
    assertThat(decision.reasonCode()).isEqualTo(Reason.INEFFECTIVE_SCALE_UP);
    assertThat(decision.reason())
        .contains(
            "the scale-up from 4 to",
            "(throughput 4000/s → 4000/s after 60 s with a backlog, 0% of the expected gain) was"
                + " ineffective");
    int held = decision.target();
    // arrivals rise further: the recommendation is higher, but scaling up again is blocked for the
    // hold time
    long lag = backlog + 60_000;
    Decision blocked =
        d.tick(10, b -> Drive.steady(30_000, held, 0.4).apply(b).processingRate(4000).backlog(lag));
    assertThat(blocked.target()).isEqualTo(held);
    assertThat(blocked.reasonCode()).isEqualTo(Reason.INEFFECTIVE_SCALE_UP);
    assertThat(d.state().ineffectiveUntil())
        .isEqualTo(d.now().minusSeconds(10).plus(DEFAULTS.ineffectiveHold()));
  }

  @Test
  void anEffectiveScaleUpDoesNotBlock() {
    Drive d = new Drive(DEFAULTS, 4);
    int raised = saturateAndScaleUp(d);
    d.tick(
        10,
        b ->
            Drive.steady(10_000, raised, 1.0)
                .apply(b)
                .processingRate(raised * 1000.0)
                .backlog(150_000));
    Decision next =
        d.tick(
            10,
            b ->
                Drive.steady(30_000, raised, 1.0)
                    .apply(b)
                    .processingRate(raised * 1000.0)
                    .backlog(150_000));
    assertThat(next.reasonCode()).isNotEqualTo(Reason.INEFFECTIVE_SCALE_UP);
    assertThat(next.target()).isGreaterThan(raised);
    assertThat(d.state().ineffectiveUntil()).isNull();
  }

  @Test
  void aScaleUpWhoseBacklogIsAbsorbedWithinTheWindowIsForgotten() {
    Drive d = new Drive(DEFAULTS, 4);
    int raised = saturateAndScaleUp(d);
    d.tick(
        10, b -> Drive.steady(10_000, raised, 0.4).apply(b).processingRate(4000).backlog(200_000));
    assertThat(d.state().lastScaleUp()).isNotNull();
    // the arrivals fall back and the backlog is gone: nothing left to judge the scale-up by
    d.tick(10, b -> Drive.steady(3000, raised, 0.4).apply(b).processingRate(3000).backlog(0));
    assertThat(d.state().lastScaleUp()).isNull();
    for (int i = 0; i < 8; i++) {
      d.tick(10, b -> Drive.steady(3000, raised, 0.4).apply(b).processingRate(3000).backlog(0));
    }
    assertThat(d.state().ineffectiveUntil()).isNull();
  }

  /**
   * ReactionLatencyBench's bursts: no records arrive between bursts; a burst puts 120,000 records
   * on four partitions at once, as soon as the fleet is back to one executor with no lag; each
   * executor drains 1000/s and the executors asked for are ready on the next tick (1 s). The Kafka
   * adapter's rates are exponential averages (time constant 30 s): four executors drain a burst in
   * about 30 s, during which the averaged consume rate climbs only part of the way to their 4000/s.
   */
  static Stream<Arguments> burstsDrainedWhileTheAveragedRateStillClimbs() {
    return Stream.of(
        // judged over the default window: every burst gets its scale-up
        Arguments.of(Duration.ofSeconds(60), false),
        // judged on the first tick the executors are ready (as before): a scale-up is called
        // ineffective and a later burst is blocked
        Arguments.of(Duration.ZERO, true));
  }

  @ParameterizedTest
  @MethodSource("burstsDrainedWhileTheAveragedRateStillClimbs")
  void burstsDrainedWhileTheAveragedRateStillClimbs(Duration window, boolean blocked) {
    ScalingOptions o =
        DEFAULTS.toBuilder()
            .bounds(1, 40)
            .targetLatency(Duration.ofSeconds(90))
            .scaleDown(ScalingOptions.Behavior.unlimited().withWindow(Duration.ZERO))
            .ineffectiveWindow(window)
            .build();
    Drive d = new Drive(o, 1);
    double alpha = 1 - Math.exp(-1 / 30.0);
    double arrivalAverage = 0;
    double consumeAverage = 0;
    long backlog = 0;
    int ready = 1;
    int bursts = 0;
    int quiet = 0;
    List<Integer> answers = new ArrayList<>();
    List<Reason> reasons = new ArrayList<>();
    for (int second = 1; second <= 3600 && bursts < 8; second++) {
      long arrived = 0;
      quiet = ready == 1 && backlog == 0 && d.target() == 1 ? quiet + 1 : 0;
      if (quiet == 3) {
        arrived = 120_000;
        bursts++;
        answers.add(1);
      }
      long consumed = Math.min(backlog + arrived, ready * 1000L);
      backlog += arrived - consumed;
      arrivalAverage += alpha * (arrived - arrivalAverage);
      consumeAverage += alpha * (consumed - consumeAverage);
      double a = arrivalAverage;
      double c = consumeAverage;
      long lag = backlog;
      int r = ready;
      Decision decision =
          d.tick(
              1,
              b ->
                  b.backlog(lag)
                      .arrivalRate(a)
                      .processingRate(c)
                      .readyExecutors(r)
                      .pendingExecutors(0)
                      .coresPerExecutor(1)
                      .partitions(4));
      reasons.add(decision.reasonCode());
      ready = decision.target();
      if (!answers.isEmpty()) {
        answers.set(answers.size() - 1, Math.max(answers.get(answers.size() - 1), ready));
      }
    }
    if (blocked) {
      assertThat(reasons).contains(Reason.INEFFECTIVE_SCALE_UP);
      assertThat(answers).contains(1);
    } else {
      assertThat(bursts).isEqualTo(8);
      assertThat(reasons).doesNotContain(Reason.INEFFECTIVE_SCALE_UP);
      assertThat(answers).allSatisfy(p -> assertThat(p).isEqualTo(4));
    }
  }
}
