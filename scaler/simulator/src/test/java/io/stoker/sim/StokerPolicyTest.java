package io.stoker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StokerPolicyTest {

  @Test
  void readsTheLastBatchsProcessedRowsPerSecondWithMicroBatches() {
    Scenario sc = Fixtures.exact("triggerIntervalSeconds", 10, "batchOverheadSeconds", 1);
    TestingSimView v = new TestingSimView(sc).batch(0, 4, 400).batch(10, 5, 1000).at(20);

    // The batch that ended at 15 s: 1000 rows over its 5 s, overhead included.
    assertThat(StokerPolicy.processingRate(v, 10, Double.NaN)).isEqualTo(200);
    // No batch ended since 16 s: the gauge keeps the last value.
    assertThat(StokerPolicy.processingRate(v, 16, 200)).isEqualTo(200);
    assertThat(StokerPolicy.processingRate(v, 16, Double.NaN)).isNaN();
  }

  @Test
  void readsTheCommittedOffsetsDeltaWithContinuousProcessing() {
    Scenario sc = Fixtures.exact();
    TestingSimView v = new TestingSimView(sc).batch(0, 4, 400).at(10);

    assertThat(StokerPolicy.processingRate(v, 0, 123)).isZero();
  }
}
