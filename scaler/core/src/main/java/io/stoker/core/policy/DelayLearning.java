package io.stoker.core.policy;

import io.stoker.core.model.ScalingOptions;
import io.stoker.core.policy.ScalerState.Provisioning;
import io.stoker.core.policy.ScalerState.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Learns the provisioning delays: how long scale-ups take from request to ready, separately for
 * warm ones (within the recent peak of ready executors) and cold ones (beyond it, waiting for new
 * nodes), and the recent peak itself.
 */
final class DelayLearning {
  /** Weight of a new provisioning-delay measurement. */
  static final double DELAY_WEIGHT = 0.5;

  /** The cold delay fades this many times slower than the burst memory. */
  static final int COLD_MEMORY_FACTOR = 8;

  private DelayLearning() {}

  /**
   * The delays after an observation at {@code at}: the scale-up being timed ends once its executors
   * are ready, or once its target is lowered: then it is timed by the executors that did become
   * ready, if they reach the lower target. The warm delay is a moving average of its measurements.
   * The cold delay is the slowest measurement, fading only slowly ({@value #COLD_MEMORY_FACTOR}
   * burst memories per half-life): a scale-up beyond the recent peak may still find free slots on
   * nodes that are there, and such a fast sample says nothing about how long a new node takes.
   */
  static Provisioning learn(Provisioning p, ScalingOptions o, Instant at, int ready, int current) {
    double floor = o.executorStartup().toSeconds();
    double warm = p.warmSeconds();
    double cold = p.coldSeconds();
    if (!Double.isNaN(cold)) {
      double w = Double.isNaN(warm) ? floor : warm;
      cold =
          w
              + Numbers.decay(
                  cold - w, p.learnedAt(), at, o.burstMemory().multipliedBy(COLD_MEMORY_FACTOR));
    }
    Instant requestedAt = p.requestedAt();
    int reached = p.reached();
    Instant reachedAt = p.reachedAt();
    if (requestedAt != null && ready > reached) {
      reached = ready;
      reachedAt = at;
    }
    double delay = Double.NaN;
    if (requestedAt != null && ready >= p.requestedTarget()) {
      delay = Numbers.seconds(requestedAt, at);
      requestedAt = null;
    } else if (requestedAt != null && current < p.requestedTarget()) {
      // The target fell before all the executors asked for were ready (the backlog drained
      // first): those that did arrive still time the scale-up, if they reach the lower target.
      if (reachedAt != null && reached >= current) {
        delay = Numbers.seconds(requestedAt, reachedAt);
      }
      requestedAt = null;
    }
    if (!Double.isNaN(delay)) {
      delay = Math.max(floor, delay);
      if (p.requestedCold()) {
        cold = Double.isNaN(cold) ? delay : Math.max(cold, delay);
      } else {
        warm = average(warm, delay);
      }
    }
    List<Sample> history = new ArrayList<>(p.readyHistory().size() + 1);
    double retention = o.capacityRetention().toMillis() / 1000.0;
    Sample before = null;
    for (Sample sample : p.readyHistory()) {
      if (Numbers.seconds(sample.at(), at) <= retention) {
        history.add(sample);
      } else {
        before = sample;
      }
    }
    if (before != null) {
      // That level held until the first sample inside the window: its capacity was freed less
      // than one retention ago, so it is still warm.
      history.add(0, before);
    }
    return p.withWarmSeconds(warm)
        .withColdSeconds(cold)
        .withLearnedAt(at)
        .withRequest(requestedAt, p.requestedTarget(), p.requestedCold())
        .withReached(reached, reachedAt)
        .withReadyHistory(history);
  }

  /**
   * The delays after a decision from {@code from} to {@code to} executors: records how many ready
   * executors the demand itself used, and starts timing a scale-up (a scale-up decided while
   * another is timed extends that one).
   */
  static Provisioning afterDecision(
      Provisioning p, Instant now, int ready, int demand, int from, int to) {
    Provisioning sampled = withWarmSample(p, now, ready, demand);
    if (to <= from) {
      return sampled;
    }
    boolean fresh = sampled.requestedAt() == null;
    Instant requestedAt = fresh ? now : sampled.requestedAt();
    boolean cold = (!fresh && sampled.requestedCold()) || to > sampled.warmExecutors();
    Provisioning timed = sampled.withRequest(requestedAt, to, cold);
    return fresh ? timed.withReached(ready, null) : timed;
  }

  /**
   * How much longer the scale-up being timed is expected to take: its delay (cold if it went beyond
   * the warm capacity and the cold delay is known, else {@code warmSeconds}) less the time since it
   * was asked for; 0 when none is timed or it is late.
   */
  static double remaining(Provisioning p, double warmSeconds, Instant at) {
    if (p.requestedAt() == null) {
      return 0;
    }
    double expected =
        p.requestedCold() && !Double.isNaN(p.coldSeconds()) ? p.coldSeconds() : warmSeconds;
    return Math.max(0, expected - Numbers.seconds(p.requestedAt(), at));
  }

  private static double average(double learned, double sample) {
    return Double.isNaN(learned) ? sample : learned + DELAY_WEIGHT * (sample - learned);
  }

  /**
   * Records how many ready executors the demand itself used. Executors held only as burst headroom
   * are left out: counting them as warm capacity would shrink the very headroom that keeps them,
   * and the target would swing with the retention window.
   */
  private static Provisioning withWarmSample(Provisioning p, Instant at, int ready, int demand) {
    List<Sample> history = new ArrayList<>(p.readyHistory());
    history.add(new Sample(at, Math.min(ready, demand)));
    return p.withReadyHistory(history);
  }
}
