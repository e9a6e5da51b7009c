package io.stoker.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.core.model.Decision;
import io.stoker.core.model.Reason;
import io.stoker.core.model.ScalingOptions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

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
    } while (d.state().ineffectiveUntil() == null && d.now().isBefore(readyAt.plusSeconds(300)));
    // judged once the executors had been ready and saturated for the whole window, and said so
    // whether or not this decision wanted more executors
    assertThat(Duration.between(readyAt, d.now())).isEqualTo(DEFAULTS.rateSettleTime());
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
}
