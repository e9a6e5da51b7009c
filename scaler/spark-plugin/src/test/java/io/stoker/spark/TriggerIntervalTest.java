package io.stoker.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The trigger interval inferred from batch starts and durations, on the start patterns Spark's
 * {@code ProcessingTimeExecutor} produces (slots on multiples of the interval since the epoch,
 * overruns followed at once, idle triggers skipped).
 */
class TriggerIntervalTest {
  /** A slot boundary of a 1 s interval (epoch ms). */
  private static final long T0 = 1_796_600_000_000L;

  @Test
  void batchesThatFitTheirIntervalShowIt() {
    TriggerInterval t = new TriggerInterval();
    t.batch(0, T0, 400);
    assertThat(t.intervalMs()).as("one batch says nothing").isEqualTo(-1);
    t.batch(1, T0 + 1000, 300);
    t.batch(2, T0 + 2001, 350); // a wake-up 1 ms late, as observed
    t.batch(3, T0 + 3000, 320);
    assertThat(t.intervalMs()).as("three starts after a wait are not enough").isEqualTo(-1);
    t.batch(4, T0 + 4000, 310);
    assertThat(t.intervalMs()).isEqualTo(1000);
  }

  @Test
  void overrunsAndIdleTriggersDoNotChangeIt() {
    TriggerInterval t = new TriggerInterval();
    // a 10.3 s first batch, then catch-up batches run at once, then batches fit again
    t.batch(0, T0, 10_300);
    t.batch(1, T0 + 10_300, 4_100);
    t.batch(2, T0 + 14_400, 2_400);
    t.batch(3, T0 + 16_800, 1_100);
    assertThat(t.intervalMs()).as("back to back so far").isZero();
    t.batch(4, T0 + 18_000, 500);
    t.batch(5, T0 + 19_000, 500);
    t.batch(6, T0 + 20_000, 500);
    // no data for a while: no batch (ids do not advance), the next starts on a later slot
    t.batch(7, T0 + 45_000, 500);
    assertThat(t.intervalMs()).isEqualTo(1000);
    t.batch(8, T0 + 46_000, 2_500); // overruns
    t.batch(9, T0 + 48_500, 400); // follows at once
    t.batch(10, T0 + 49_137, 400); // a very late wake-up on a busy host
    assertThat(t.intervalMs()).as("a run's trigger never changes").isEqualTo(1000);
  }

  @Test
  void theDefaultTriggerRunsBackToBack() {
    TriggerInterval t = new TriggerInterval();
    long start = T0 + 123;
    for (int id = 0; id < 5; id++) {
      t.batch(id, start, 700 + id);
      start += 700 + id + 3;
    }
    assertThat(t.intervalMs()).isZero();
  }

  @Test
  void sporadicDataWithTheDefaultTriggerIsNoInterval() {
    // batches start whenever data arrives after idle polling: gaps, but not on a grid
    TriggerInterval t = new TriggerInterval();
    long[] starts = {T0 + 17, T0 + 1_389, T0 + 2_911, T0 + 5_203, T0 + 6_377, T0 + 9_841};
    for (int id = 0; id < starts.length; id++) {
      t.batch(id, starts[id], 120);
    }
    assertThat(t.intervalMs()).isEqualTo(-1);
  }

  @Test
  void aBatchThatFollowedAnOverrunIsOffTheGrid() {
    // Seen on a real driver: a 12.3 s first batch, the next at once (off the grid), then batches
    // that fit: the gap from the off-grid start to the next slot (7.7 s) is not the interval.
    TriggerInterval t = new TriggerInterval();
    t.batch(0, T0, 12_300);
    t.batch(1, T0 + 12_300, 2_500);
    for (int id = 2; id < 8; id++) {
      t.batch(id, T0 + 10_000L * id, 2_500);
    }
    assertThat(t.intervalMs()).isEqualTo(1000 * 10);
  }

  @Test
  void aLateStartAfterAnOverrunDoesNotHideTheIntervalForever() {
    // Seen on a real driver on a busy host (2026-12-07): the first batch ran 8.7 s from the query's
    // start, past its slot; the next followed it 131 ms later (Spark's own work between two
    // batches), so it looks like a start after a wait but is off the grid, and the gap from it to
    // the next slot (9.0 s) is not the interval. Then every batch fits its 10 s slot.
    TriggerInterval t = new TriggerInterval();
    long start = T0 + 2_146;
    t.batch(0, start, 8_710);
    t.batch(1, start + 8_710 + 131, 7_071);
    long[] durations = {3_033, 3_193, 3_184, 3_235, 3_250, 3_208};
    for (int id = 2; id < 8; id++) {
      t.batch(id, T0 + 10_000L * id + (id % 2), durations[id - 2]);
    }
    assertThat(t.intervalMs()).isEqualTo(10_000);
  }

  @Test
  void aWakeUpOverASecondLateDoesNotTurnTheIntervalIntoANearbyOne() {
    // On a host with a load of 16 on 2 cores a start can be more than a tenth of the interval late:
    // here 1.3 s among starts on 10 s slots (and one 26 ms late). Rejecting 10 s for it kept the
    // interval unknown while the late start was among the recent ones; on a real driver a gap near
    // it that happened to fit (9,974 ms) was inferred instead.
    TriggerInterval t = new TriggerInterval();
    long[] late = {0, 0, 1_300, 0, 0, 26, 0, 0, 0, 0, 0, 0};
    for (int id = 0; id < late.length; id++) {
      t.batch(id, T0 + 10_000L * id + late[id], 3_100);
    }
    assertThat(t.intervalMs()).isEqualTo(10_000);
  }
}
