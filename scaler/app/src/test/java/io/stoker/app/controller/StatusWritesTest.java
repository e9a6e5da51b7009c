package io.stoker.app.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stoker.app.controller.StatusWrites.Verdict;
import io.stoker.app.k8s.model.ExecutorAutoscalerStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status-write rule on its own: what counts as a change, and when numbers are refreshed. */
class StatusWritesTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration REFRESH = Duration.ofSeconds(60);

  private static ExecutorAutoscalerStatus status() {
    ExecutorAutoscalerStatus s = new ExecutorAutoscalerStatus();
    s.observedGeneration = 1L;
    s.target = "pod/a-driver";
    s.currentExecutors = 4;
    s.desiredExecutors = 6;
    s.recommendedExecutors = 6;
    s.lagRecords = 100_000L;
    s.arrivalRate = 4000.0;
    s.processingRate = 3900.0;
    s.executorRate = 650.0;
    ExecutorAutoscalerStatus.Condition ready = new ExecutorAutoscalerStatus.Condition();
    ready.type = Conditions.READY;
    ready.status = "True";
    ready.reason = "Reconciled";
    ready.lastTransitionTime = T0.toString();
    s.conditions = List.of(ready);
    return s;
  }

  private static Verdict decide(ExecutorAutoscalerStatus next, Instant now) {
    return StatusWrites.decide(
        StatusWrites.tree(status()), T0, StatusWrites.tree(next), now, REFRESH);
  }

  @Test
  void sameStatusIsNotWritten() {
    assertThat(decide(status(), T0.plusSeconds(3600))).isEqualTo(Verdict.NONE);
  }

  @Test
  void observedNumbersWithinTheToleranceAreNeverWritten() {
    ExecutorAutoscalerStatus s = status();
    s.lagRecords = 109_000L;
    s.arrivalRate = 4300.0;
    s.processingRate = 3600.0;
    s.executorRate = 600.0;
    assertThat(decide(s, T0.plusSeconds(3600))).isEqualTo(Verdict.NONE);
  }

  @Test
  void observedNumbersBeyondTheToleranceAreWrittenOncePerRefresh() {
    ExecutorAutoscalerStatus s = status();
    s.lagRecords = 150_000L;
    assertThat(decide(s, T0.plusSeconds(59))).isEqualTo(Verdict.NONE);
    assertThat(decide(s, T0.plusSeconds(60))).isEqualTo(Verdict.REFRESH);
  }

  @Test
  void anObservedNumberAppearingOrDisappearingCountsAsMoved() {
    ExecutorAutoscalerStatus s = status();
    s.processingRate = null;
    assertThat(decide(s, T0.plusSeconds(60))).isEqualTo(Verdict.REFRESH);
    ExecutorAutoscalerStatus zero = status();
    zero.lagRecords = 0L;
    assertThat(decide(zero, T0.plusSeconds(60))).isEqualTo(Verdict.REFRESH);
  }

  @Test
  void anUnknownLastWriteAllowsARefreshAtOnce() {
    ExecutorAutoscalerStatus s = status();
    s.lagRecords = 150_000L;
    assertThat(
            StatusWrites.decide(
                StatusWrites.tree(status()), null, StatusWrites.tree(s), T0, REFRESH))
        .isEqualTo(Verdict.REFRESH);
  }

  @Test
  void decisionsCountsAndConditionsAreWrittenAtOnce() {
    ExecutorAutoscalerStatus desired = status();
    desired.desiredExecutors = 7;
    ExecutorAutoscalerStatus current = status();
    current.currentExecutors = 5;
    ExecutorAutoscalerStatus condition = status();
    condition.conditions.get(0).status = "False";
    ExecutorAutoscalerStatus generation = status();
    generation.observedGeneration = 2L;
    for (ExecutorAutoscalerStatus s : List.of(desired, current, condition, generation)) {
      assertThat(decide(s, T0)).isEqualTo(Verdict.CHANGED);
    }
  }

  @Test
  void aFieldTheRuleDoesNotKnowIsWrittenAtOnce() {
    // A field added to the status later (e.g. capacity) is compared like any other.
    ObjectNode next = StatusWrites.tree(status());
    next.putObject("capacity").put("placeholders", 2);
    assertThat(StatusWrites.decide(StatusWrites.tree(status()), T0, next, T0, REFRESH))
        .isEqualTo(Verdict.CHANGED);
    // ... and so is a field that went away.
    assertThat(StatusWrites.decide(next, T0, StatusWrites.tree(status()), T0, REFRESH))
        .isEqualTo(Verdict.CHANGED);
  }

  @Test
  void refreshesOfAutoscalersWrittenOnOneTickSpreadOverTheFollowingTicks() {
    // 2,000 autoscalers written on one tick (a controller start), then their lag moved: each 10 s
    // tick refreshes about an even share, never all of them at once, and none before the interval.
    ObjectNode last = StatusWrites.tree(status());
    ExecutorAutoscalerStatus moved = status();
    moved.lagRecords = 150_000L;
    ObjectNode next = StatusWrites.tree(moved);
    int keys = 2000;
    boolean[] refreshed = new boolean[keys];
    int most = 0;
    int total = 0;
    for (int t = 10; t <= 130; t += 10) {
      int now = 0;
      for (int i = 0; i < keys; i++) {
        Duration interval = StatusWrites.refreshFor("streaming/app-" + i, REFRESH);
        assertThat(interval).isBetween(REFRESH, REFRESH.multipliedBy(2));
        if (!refreshed[i]
            && StatusWrites.decide(last, T0, next, T0.plusSeconds(t), interval)
                == Verdict.REFRESH) {
          refreshed[i] = true;
          now++;
        }
      }
      assertThat(t >= 60 || now == 0).as("refreshed before the interval at %d s", t).isTrue();
      most = Math.max(most, now);
      total += now;
    }
    assertThat(total).isEqualTo(keys);
    // An even share is 2,000 over the six ticks from 60 s to 120 s: about 333.
    assertThat(most).isLessThan(keys / 4);
  }

  @Test
  void aNewBatchOrBurstMemoryAloneIsWrittenOnTheRefreshNotEveryTick() {
    ExecutorAutoscalerStatus next = status();
    next.lastBatch = new ExecutorAutoscalerStatus.LastBatch();
    next.lastBatch.inputRows = 30_000L;
    next.lastBatch.seconds = 6.0;
    assertThat(decide(next, T0.plusSeconds(10))).isEqualTo(Verdict.NONE);
    assertThat(decide(next, T0.plus(REFRESH))).isEqualTo(Verdict.REFRESH);

    ExecutorAutoscalerStatus burst = status();
    burst.burstMemory = new ExecutorAutoscalerStatus.BurstMemory();
    ExecutorAutoscalerStatus.RateEntry e = new ExecutorAutoscalerStatus.RateEntry();
    e.rate = 12_000.0;
    e.time = "2026-01-01T01:00:00Z";
    burst.burstMemory.peaks = List.of(e);
    assertThat(decide(burst, T0.plusSeconds(10))).isEqualTo(Verdict.NONE);
    assertThat(decide(burst, T0.plus(REFRESH))).isEqualTo(Verdict.REFRESH);
  }
}
