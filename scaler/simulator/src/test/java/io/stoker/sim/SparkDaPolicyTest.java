package io.stoker.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SparkDaPolicyTest {

  @Test
  void rampsByDoublingStepsAfterTheOneSecondBacklogTimeoutUpToMaxNeeded() {
    // 128 partitions / 4 cores: maxNeeded = 32.
    List<Integer> targets = ramp(Scenario.defaults(), 2, 8);

    assertThat(targets).containsExactly(2, 3, 5, 9, 17, 32, 32, 32);
  }

  @ParameterizedTest(name = "{0} partitions, {1} cores, max {2}: {3}")
  @CsvSource(
      delimiter = ';',
      value = {
        "128; 4; 10; 2 3 5 9 10 10",
        "8; 4; 40; 2 2 2 2 2 2",
        "9; 4; 40; 2 3 3 3 3 3",
        "40; 2; 40; 2 3 5 9 17 20",
      })
  void boundsTheRampByMaxNeededAndMaxExecutors(
      int partitions, int cores, int max, String expected) {
    Scenario sc =
        Fixtures.exact("partitions", partitions, "coresPerExecutor", cores, "maxExecutors", max);

    assertThat(ramp(sc, 2, 6))
        .containsExactlyElementsOf(
            java.util.Arrays.stream(expected.split(" ")).map(Integer::valueOf).toList());
  }

  @Test
  void waitsForTheBacklogTimeoutAndRestartsTheRampWhenTheQueueDrains() {
    SparkDaPolicy p = new SparkDaPolicy(60, true);
    TestingSimView v = busyView(2);

    assertThat(p.decide(v.at(0).behind(false))).hasValue(2);
    assertThat(p.decide(v.at(10).behind(true))).as("backlogged since 10 s").hasValue(2);
    assertThat(p.decide(v.at(11))).as("timeout passed: +1").hasValue(3);
    assertThat(p.decide(follow(v, 3).at(12))).as("+2").hasValue(5);
    assertThat(p.decide(follow(v, 5).at(13).behind(false))).as("queue drained").hasValue(5);
    assertThat(p.decide(v.at(14).behind(true))).hasValue(5);
    assertThat(p.decide(v.at(15))).as("ramp starts again at +1").hasValue(6);
  }

  @Test
  void dropsTheTargetToMaxNeededAtOnceButKeepsBusyExecutorsUntilIdle() {
    // 40 executors, 32 useful: the target drops to 32 at once; the 8 extra are released only when
    // idle for the timeout (the fake view reports all ready executors idle or none).
    SparkDaPolicy p = new SparkDaPolicy(60, true);
    TestingSimView v = busyView(40);

    assertThat(p.decide(v)).as("busy executors are kept").hasValue(40);
    v.at(100).idleSince(41);
    assertThat(p.decide(v)).as("idle 59 s").hasValue(40);
    v.at(101);
    assertThat(p.decide(v)).as("idle 60 s: down to maxNeeded").hasValue(32);
  }

  @ParameterizedTest(name = "idle timeout {0} s")
  @CsvSource({"30", "60", "120"})
  void releasesReadyExecutorsOnlyAfterTheIdleTimeoutOnceNoWorkIsLeft(int timeout) {
    SparkDaPolicy p = new SparkDaPolicy(timeout, timeout == 60);
    TestingSimView v = busyView(12).backlog(0).behind(false);

    assertThat(p.decide(v)).as("no work: target 1 but executors busy until now").hasValue(12);
    v.idleSince(0).at(timeout - 1);
    assertThat(p.decide(v)).hasValue(12);
    v.at(timeout);
    assertThat(p.decide(v)).hasValue(1);
  }

  @Test
  void staysAtMinExecutorsWhenIdle() {
    Scenario sc = Fixtures.exact("minExecutors", 3, "maxExecutors", 10);
    SparkDaPolicy p = new SparkDaPolicy(60, true);
    TestingSimView v = new TestingSimView(sc).target(8).ready(8).idleSince(0).at(100);

    assertThat(p.decide(v)).hasValue(3);
  }

  @Test
  void countsArrivalsInTheLastSecondAsWork() {
    SparkDaPolicy p = new SparkDaPolicy(60, true);
    TestingSimView v =
        new TestingSimView(Scenario.defaults()).target(12).ready(12).idleSince(0).at(200);

    v.arrivedLastSecond(500).backlog(0);
    assertThat(p.decide(v)).as("records arrived: maxNeeded stays 32, idle kept").hasValue(12);
  }

  @ParameterizedTest(name = "{0} tasks, {1} per executor, ratio {2} -> {3}")
  @CsvSource({
    "128, 4, 1, 32",
    "128, 4, 0.5, 16",
    "128, 4, 0.25, 8",
    "10, 4, 0.5, 2",
    "1, 4, 0.25, 1"
  })
  void scalesTheTaskDemandByTheAllocationRatio(int tasks, int perExecutor, double ratio, int n) {
    assertThat(SparkDaPolicy.maxNeeded(tasks, perExecutor, ratio)).isEqualTo(n);
  }

  @Test
  void seesNoTasksBetweenMicroBatchesAndDropsTheTargetThenButKeepsExecutorsUntilIdle() {
    SparkDaPolicy p = new SparkDaPolicy(60, true);
    Scenario batches = Fixtures.exact("triggerIntervalSeconds", 30, "partitions", 128);
    TestingSimView v = new TestingSimView(batches).target(12).ready(12).idleSince(0).at(10);
    v.arrivedLastSecond(500).backlog(5000);

    assertThat(p.decide(v)).as("records wait, no batch runs: no tasks").hasValue(12);
    assertThat(p.decide(v.at(61))).as("idle past the timeout: released").hasValue(1);
  }

  @Test
  void namesItselfAfterItsIdleTimeoutAndRatio() {
    assertThat(new SparkDaPolicy(60, true).name())
        .isEqualTo("spark-da[executorIdleTimeout=60s,executorAllocationRatio=1]");
    assertThat(new SparkDaPolicy(30, false, 0.5).setting())
        .isEqualTo("executorIdleTimeout=30s, executorAllocationRatio=0.5");
    assertThat(new SparkDaPolicy(60, true).setting())
        .isEqualTo("executorIdleTimeout=60s, executorAllocationRatio=1 (Spark defaults)");
    assertThatThrownBy(() -> new SparkDaPolicy(60, false, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Runs {@code seconds} seconds of sustained backlog; pods requested are pending, none ready. */
  private static List<Integer> ramp(Scenario sc, int initial, int seconds) {
    SparkDaPolicy p = new SparkDaPolicy(60, true);
    TestingSimView v = new TestingSimView(sc).target(initial).ready(initial);
    v.arrivedLastSecond(1000).backlog(5000).behind(true);
    List<Integer> targets = new ArrayList<>();
    for (int t = 0; t < seconds; t++) {
      OptionalInt d = p.decide(v.at(t));
      assertThat(d).isPresent();
      targets.add(d.getAsInt());
      follow(v, d.getAsInt());
    }
    return targets;
  }

  /** The view after the simulator applied target {@code n}: the new executors are pending. */
  private static TestingSimView follow(TestingSimView v, int n) {
    return v.target(n).pending(Math.max(0, n - v.readyExecutors()));
  }

  private static TestingSimView busyView(int ready) {
    return new TestingSimView(Scenario.defaults())
        .target(ready)
        .ready(ready)
        .arrivedLastSecond(1000)
        .backlog(1000)
        .behind(true);
  }
}
