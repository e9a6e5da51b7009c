package io.stoker.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KedaHpaPolicyTest {

  // ---- KEDA's Kafka metric (pkg/scalers/kafka_scaler.go) ----

  @ParameterizedTest(name = "lag {0}, threshold {1}, {2} partitions -> metric {3}")
  @CsvSource({
    // integer-division cap: floor(lag / threshold) > partitions
    "35, 10, 3, 35",
    "39, 10, 3, 39",
    "30, 10, 3, 30",
    "40, 10, 3, 30",
    "45, 10, 3, 30",
    "0, 10, 3, 0",
    "5000, 10, 128, 1280",
    "1289, 10, 128, 1289",
    "1290, 10, 128, 1280",
    "7680000, 60000, 128, 7680000",
    "7739999, 60000, 128, 7739999",
    "7740000, 60000, 128, 7680000",
  })
  void capsTheLagWithKedasIntegerDivisionTest(
      long lag, long threshold, int partitions, long expected) {
    assertThat(KedaHpaPolicy.kedaMetric(lag, threshold, partitions)).isEqualTo(expected);
  }

  // ---- HPA, External metric with an AverageValue target ----

  @ParameterizedTest(name = "usage {0}, target {1}/pod, {2} replicas -> {3}")
  @CsvSource({
    "100, 10, 10, 10",
    "109, 10, 10, 10",
    "110, 10, 10, 10",
    "111, 10, 10, 12",
    "91, 10, 10, 10",
    "90, 10, 10, 10",
    "89, 10, 10, 9",
    "200, 10, 10, 20",
    "35, 10, 3, 4",
    "0, 10, 5, 0",
    "50, 10, 0, 5",
    "1, 10000, 1, 1",
    "1280, 10, 2, 128",
  })
  void keepsTheReplicasWithinToleranceElseCeilOfUsageOverTarget(
      long usage, long target, int status, int expected) {
    assertThat(KedaHpaPolicy.hpaReplicas(usage, target, status)).isEqualTo(expected);
  }

  @Test
  void scalesThreePartitionsToFourReplicasWhenTheLagIsJustUnderTheCapTest() {
    // The documented quirk: 3 partitions, threshold 10, lag 35 -> metric 35 -> ceil(3.5) = 4.
    long metric = KedaHpaPolicy.kedaMetric(35, 10, 3);

    assertThat(KedaHpaPolicy.hpaReplicas(metric, 10, 3)).isEqualTo(4);
  }

  // ---- the policy: cadence, step limit, stabilisation ----

  @Test
  void readsTheLagAtEveryHpaSyncEvery15Seconds() {
    KedaHpaPolicy p = new KedaHpaPolicy(10, false);
    TestingSimView v = view().target(2).backlog(30);

    assertThat(p.decide(v)).as("t=0: 30 / 10 -> 3").hasValue(3);
    v.target(3);
    for (int t = 1; t < 15; t++) {
      assertThat(p.decide(v.at(t))).as("no HPA sync at %d s", t).isEmpty();
    }
    assertThat(p.decide(v.at(15).backlog(60))).as("t=15: 60 / 10 -> 6").hasValue(6);
  }

  @Test
  void checksTheToleranceAgainstThePodsThatExistNotTheTarget() {
    // Target 10, 5 pods exist (4 ready, 1 starting); lag 52 over 5 x 10 is within 10 %.
    KedaHpaPolicy p = new KedaHpaPolicy(10, false);
    TestingSimView v = view().target(10).ready(4).pending(1).backlog(52);

    assertThat(p.decide(v)).hasValue(5);
  }

  @ParameterizedTest(name = "{0} replicas -> at most {1}")
  @CsvSource({"1, 4", "2, 4", "3, 6", "4, 8", "8, 16", "16, 32", "32, 40"})
  void scalesUpAtMostToTwiceTheReplicasOrFourAndNeverAboveMax(int current, int expected) {
    KedaHpaPolicy p = new KedaHpaPolicy(10, false);

    assertThat(p.decide(view().target(current).backlog(1_000_000))).hasValue(expected);
  }

  @ParameterizedTest(name = "behavior set: {0} replicas -> at most {1}")
  @CsvSource({"1, 5", "2, 6", "3, 7", "4, 8", "5, 10", "8, 16", "16, 32", "32, 40"})
  void scalesUpAtMostByTheDefaultPoliciesOfBehaviorWhenAWindowIsSet(int current, int expected) {
    KedaHpaPolicy p = new KedaHpaPolicy(10, false, 60);

    assertThat(p.decide(view().target(current).backlog(1_000_000))).hasValue(expected);
  }

  @ParameterizedTest(name = "window {0} s: last 20 at {1} s, first 1 at {2} s")
  @CsvSource({"300, 315, 330", "120, 120, 135", "60, 60, 75", "0, 15, 30"})
  void scalesDownOnlyToTheHighestRecommendationOfTheWindow(int window, int lastHigh, int low) {
    KedaHpaPolicy p = new KedaHpaPolicy(10, false, window);
    TestingSimView v = view().target(20).backlog(200);
    assertThat(p.decide(v)).hasValue(20);
    assertThat(p.decide(v.at(15))).as("metric of 0 s still in force").hasValue(20);

    v.at(30).backlog(0);
    int lastHighSeen = 15;
    int firstLow = -1;
    for (int t = 30; t <= 400; t += 15) {
      OptionalInt d = p.decide(v.at(t));
      assertThat(d).isPresent();
      if (d.getAsInt() == 20) {
        lastHighSeen = t;
      } else if (firstLow < 0) {
        firstLow = t;
        assertThat(d).as("min replicas").hasValue(1);
      }
    }
    // The last recommendation of 20 was made at 15 s. Without behavior (300 s) it counts while it
    // is 300 s old or less; with behavior while it is younger than the window.
    assertThat(lastHighSeen).isEqualTo(lastHigh);
    assertThat(firstLow).isEqualTo(low);
  }

  @Test
  void scalesUpAtOnceAfterAScaleDownWindow() {
    KedaHpaPolicy p = new KedaHpaPolicy(10, false);
    TestingSimView v = view().target(4).backlog(0);
    assertThat(p.decide(v)).hasValue(1);
    v.target(1);

    assertThat(p.decide(v.at(30).backlog(500))).as("no up-stabilisation").hasValue(4);
  }

  @Test
  void neverGoesBelowOneReplicaOrMinExecutors() {
    assertThat(new KedaHpaPolicy(10, false).decide(view().target(5).backlog(0))).hasValue(1);
    TestingSimView withMin = new TestingSimView(Fixtures.exact("minExecutors", 3)).target(5);

    assertThat(new KedaHpaPolicy(10, false).decide(withMin)).hasValue(3);
  }

  @Test
  void capsReplicasAtThePartitionsThroughTheMetric() {
    // 8 partitions, lag far above 8 x threshold: metric capped at 80 -> 8 replicas.
    KedaHpaPolicy p = new KedaHpaPolicy(10, false);
    TestingSimView v =
        new TestingSimView(Fixtures.exact("partitions", 8, "maxExecutors", 40))
            .target(8)
            .backlog(100_000);

    assertThat(p.decide(v)).hasValue(8);
  }

  @Test
  void changesTheTargetOnlyAtHpaSyncsInTheSimulator() {
    Trace t = Fixtures.trace(0, 2000, 100, 8000, 400, 1000, 900, 1000);
    SimResult r = new Simulator(Scenario.defaults()).run(t, new KedaHpaPolicy(15_000, false));

    int[] target = r.series().target();
    int changes = 0;
    for (int s = 1; s < target.length; s++) {
      if (target[s] != target[s - 1]) {
        changes++;
        assertThat(s % 15).as("target changed at %d s", s).isZero();
      }
    }
    assertThat(changes).isPositive();
  }

  @Test
  void namesItselfAfterItsLagThresholdAndWindow() {
    assertThat(new KedaHpaPolicy(15_000, false).name())
        .isEqualTo("keda-hpa[lagThreshold=15000,scaleDownWindow=300]");
    assertThat(new KedaHpaPolicy(15_000, false, 0).setting())
        .isEqualTo("lagThreshold=15000, scaleDownWindow=0s");
    assertThat(new KedaHpaPolicy(10, true).setting())
        .isEqualTo("lagThreshold=10, scaleDownWindow=300s (KEDA and HPA defaults)");
    assertThatThrownBy(() -> new KedaHpaPolicy(0, false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static TestingSimView view() {
    return new TestingSimView(Scenario.defaults());
  }
}
