package io.stoker.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoker.core.model.Decision;
import io.stoker.core.model.Observation;
import io.stoker.core.model.Reason;
import io.stoker.core.model.ScalingOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The core fed rates averaged as the Kafka adapter averages them (exponentially, time constant 30
 * s), at a 1 s tick: right after a backlog appears or the fleet changes, such a rate still carries
 * the time before. Each case also runs with {@code rateSettleTime} 0, which reads the averages as
 * if they were current, to show what the settle time prevents.
 */
class AveragedRatesTest {

  private static final ScalingOptions DEFAULTS = ScalingOptions.defaults();
  private static final double ALPHA = 1 - Math.exp(-1 / 30.0);

  /** What a Kafka-only signal reports: no busy fraction; one core per executor. */
  private static UnaryOperator<Observation.Builder> kafkaOnly(
      long lag, double arrival, double consume, int ready, int partitions) {
    return Drive.signals(lag, arrival, consume, ready, 1, partitions);
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
            .rateSettleTime(window)
            .build();
    Drive d = new Drive(o, 1);
    double arrivalAverage = 0;
    double consumeAverage = 0;
    long backlog = 0;
    int ready = 1;
    int bursts = 0;
    int quiet = 0;
    List<Integer> answers = new ArrayList<>();
    List<Reason> reasons = new ArrayList<>();
    for (int second = 1; second <= 3600 && (bursts < 8 || backlog > 0); second++) {
      long arrived = 0;
      quiet = ready == 1 && backlog == 0 && d.target() == 1 ? quiet + 1 : 0;
      if (quiet == 3) {
        arrived = 120_000;
        bursts++;
        answers.add(1);
      }
      long consumed = Math.min(backlog + arrived, ready * 1000L);
      backlog += arrived - consumed;
      arrivalAverage += ALPHA * (arrived - arrivalAverage);
      consumeAverage += ALPHA * (consumed - consumeAverage);
      Decision decision = d.tick(1, kafkaOnly(backlog, arrivalAverage, consumeAverage, ready, 4));
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

  static Stream<Arguments> aSustainedBacklog() {
    return Stream.of(
        // learned once the executor has been saturated for 60 s: within 15 % of 1000/s
        Arguments.of(Duration.ofSeconds(60), 850.0),
        // learned on the first saturated tick: the average still carries the idle time before
        Arguments.of(Duration.ZERO, 300.0));
  }

  /**
   * One executor (maxExecutors 1) that drains 1000/s was processing 200/s; arrivals rise to 1500/s
   * for five minutes. The backlog saturates it, and what it can do is learned from the averaged
   * consume rate.
   */
  @ParameterizedTest
  @MethodSource("aSustainedBacklog")
  void theExecutorRateIsLearnedFromABacklogOnlyOnceTheAverageFollowedIt(
      Duration settle, double lowestLearned) {
    ScalingOptions o = DEFAULTS.toBuilder().bounds(1, 1).rateSettleTime(settle).build();
    Drive d = new Drive(o, 1);
    double consumeAverage = 200;
    long backlog = 0;
    double lowest = Double.NaN;
    double last = Double.NaN;
    for (int second = 1; second <= 300; second++) {
      long consumed = Math.min(backlog + 1500, 1000);
      backlog += 1500 - consumed;
      consumeAverage += ALPHA * (consumed - consumeAverage);
      Decision decision = d.tick(1, kafkaOnly(backlog, 1500, consumeAverage, 1, 16));
      double mu = decision.inputs().executorRate();
      if (!Double.isNaN(mu)) {
        lowest = Double.isNaN(lowest) ? mu : Math.min(lowest, mu);
        last = mu;
      }
    }
    assertThat(last).isBetween(950.0, 1000.0);
    if (settle.isZero()) {
      assertThat(lowest).isLessThan(lowestLearned);
    } else {
      assertThat(lowest).isGreaterThanOrEqualTo(lowestLearned);
    }
  }
}
