package io.stoker.core.policy;

import io.stoker.core.model.Observation;
import io.stoker.core.model.ScalingOptions;
import io.stoker.core.policy.ScalerState.Burst;
import io.stoker.core.policy.ScalerState.Holt;
import io.stoker.core.policy.ScalerState.Provisioning;
import io.stoker.core.policy.ScalerState.Sample;
import io.stoker.core.policy.ScalerState.ScaleUp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Step 2: what the recommender learns from each observation. Every estimate is smoothed and only
 * learned from observations that carry information (never from idle periods).
 */
final class Learning {
  /** Weight of a new executor-rate measurement. */
  static final double RATE_WEIGHT = 0.3;

  /** Holt smoothing weights of the level and of the trend. */
  static final double LEVEL_WEIGHT = 0.5;

  static final double TREND_WEIGHT = 0.2;

  /** Below this busy fraction a measurement says more about idleness than about capacity. */
  static final double MIN_BUSY = 0.1;

  /** A backlog worth more than this many seconds of processing means the executors are saturated. */
  static final double SATURATION_SECONDS = 2.0;

  private Learning() {}

  /**
   * What the sizing step works with.
   *
   * @param state the state after learning from this observation
   * @param executorRate records/s one executor sustains, NaN if unknown
   * @param forecastRate arrival rate forecast at the end of the provisioning delay
   * @param provisioningSeconds learned (or configured) request-to-ready delay
   * @param reactionSeconds provisioning plus the time a change can go unseen (one tick)
   * @param burstRate the arrival rate a burst would reach, as observed recently
   * @param saturated true if the backlog shows the executors cannot keep up
   * @param ineffective a sentence if this observation showed the last scale-up was ineffective
   */
  record Learned(
      ScalerState state,
      double executorRate,
      double forecastRate,
      double provisioningSeconds,
      double reactionSeconds,
      double burstRate,
      boolean saturated,
      String ineffective) {}

  static Learned learn(
      Observation obs, ScalerState s, ScalingOptions o, int current, int cap, Instant now) {
    double arrival = obs.arrivalRate().getAsDouble();
    long backlog = obs.backlogRecords().getAsLong();
    double dt = s.lastObservationAt() == null ? 0 : Recommender.seconds(s.lastObservationAt(), obs.at());
    int ready = obs.readyExecutors().orElse(current);
    double processing = obs.processingRate().orElse(Double.NaN);
    boolean saturated =
        !Double.isNaN(processing) && backlog > Math.max(1, processing * SATURATION_SECONDS);

    double[] rate = executorRate(obs, s, ready, processing, saturated, cap, dt);
    Holt holt = holt(s.arrival(), arrival, dt);
    Provisioning prov = provisioning(s.provisioning(), o, obs.at(), ready, current);
    double provisioningSeconds =
        Double.isNaN(prov.seconds()) ? o.executorStartup().toSeconds() : prov.seconds();
    double reaction = provisioningSeconds + dt;
    List<Sample> recent = recent(s.recentArrivals(), obs.at(), arrival, reaction);
    Burst burst = burst(s.burst(), o, obs.at(), arrival, recent);
    double burstRate = Math.min(arrival + burst.excess(), burst.peak());
    double forecast = Math.max(arrival, holt.level() + Math.max(0, holt.trend()) * reaction);

    String ineffective = null;
    Instant blockedUntil = s.ineffectiveUntil();
    ScaleUp up = s.lastScaleUp();
    if (up != null && ready >= up.to() && s.lastReady() >= up.to()) {
      if (saturated && o.ineffectiveThreshold() > 0 && up.expectedProcessing() > up.processingBefore()) {
        double gain =
            (processing - up.processingBefore()) / (up.expectedProcessing() - up.processingBefore());
        if (gain < o.ineffectiveThreshold()) {
          blockedUntil = now.plus(o.ineffectiveHold());
          ineffective =
              "the scale-up from "
                  + up.fromReady()
                  + " to "
                  + up.to()
                  + " executors raised throughput from "
                  + Recommender.fmt(up.processingBefore())
                  + "/s to "
                  + Recommender.fmt(processing)
                  + "/s, "
                  + Math.round(gain * 100)
                  + "% of the gain expected";
        }
      }
      up = null;
    } else if (up != null && Recommender.seconds(up.at(), obs.at()) > 4 * reaction) {
      up = null;
    }

    ScalerState next =
        new ScalerState(
            obs.at(),
            ready,
            rate[0],
            (int) rate[1],
            holt,
            recent,
            burst,
            prov,
            s.recommendations(),
            up,
            blockedUntil);
    double mu = Double.isNaN(rate[0]) ? o.initialExecutorRate().orElse(Double.NaN) : rate[0];
    return new Learned(
        next, mu, forecast, provisioningSeconds, reaction, burstRate, saturated, ineffective);
  }

  /** DS2's true processing rate per executor, smoothed: {rate, samples}. */
  private static double[] executorRate(
      Observation obs,
      ScalerState s,
      int ready,
      double processing,
      boolean saturated,
      int cap,
      double dt) {
    double rate = s.executorRate();
    int samples = s.rateSamples();
    boolean stable = dt > 0 && ready > 0 && ready == s.lastReady() && processing > 0;
    double sample = Double.NaN;
    if (stable && obs.busyFraction().isPresent()) {
      double busy = obs.busyFraction().getAsDouble();
      if (busy >= MIN_BUSY && busy <= 1.0) {
        sample = processing / (busy * ready);
      }
    } else if (stable && saturated) {
      sample = processing / Math.min(ready, cap);
    }
    if (!Double.isNaN(sample) && sample > 0 && !Double.isInfinite(sample)) {
      rate = samples == 0 ? sample : rate + RATE_WEIGHT * (sample - rate);
      samples++;
    }
    return new double[] {rate, samples};
  }

  private static Holt holt(Holt h, double x, double dt) {
    if (Double.isNaN(h.level()) || dt <= 0) {
      return Double.isNaN(h.level()) ? new Holt(x, 0) : h;
    }
    double predicted = h.level() + h.trend() * dt;
    double level = LEVEL_WEIGHT * x + (1 - LEVEL_WEIGHT) * predicted;
    double trend = TREND_WEIGHT * (level - h.level()) / dt + (1 - TREND_WEIGHT) * h.trend();
    return new Holt(level, trend);
  }

  private static List<Sample> recent(List<Sample> old, Instant at, double x, double window) {
    List<Sample> out = new ArrayList<>(old.size() + 1);
    for (Sample sample : old) {
      if (Recommender.seconds(sample.at(), at) <= window) {
        out.add(sample);
      }
    }
    out.add(new Sample(at, x));
    return out;
  }

  private static Burst burst(
      Burst b, ScalingOptions o, Instant at, double x, List<Sample> recent) {
    double low = x;
    for (Sample sample : recent) {
      low = Math.min(low, sample.value());
    }
    double excess = Math.max(Recommender.decay(b.excess(), b.at(), at, o.burstMemory()), x - low);
    double peak = Math.max(Recommender.decay(b.peak(), b.at(), at, o.burstMemory()), x);
    return new Burst(excess, peak, at);
  }

  /**
   * Times scale-ups from request to ready. The learned delay is the slowest recent one, decaying
   * back towards the configured start-up time with the burst memory: a scale-up that once had to
   * wait for new nodes may have to again.
   */
  private static Provisioning provisioning(
      Provisioning p, ScalingOptions o, Instant at, int ready, int current) {
    double floor = o.executorStartup().toSeconds();
    double learned = p.seconds();
    if (!Double.isNaN(learned)) {
      learned = floor + Recommender.decay(learned - floor, p.learnedAt(), at, o.burstMemory());
    }
    Instant requestedAt = p.requestedAt();
    int requested = p.requestedTarget();
    if (requestedAt != null && ready >= requested) {
      double sample = Recommender.seconds(requestedAt, at);
      learned = Double.isNaN(learned) ? Math.max(floor, sample) : Math.max(learned, sample);
      requestedAt = null;
    } else if (requestedAt != null && current < requested) {
      requestedAt = null;
    }
    return new Provisioning(learned, at, requestedAt, requested);
  }

  /** Book-keeping after the decision: time a scale-up, and remember it to judge its effect. */
  static ScalerState afterDecision(
      ScalerState s, Observation obs, Learned l, Stabiliser.Result result, Instant now) {
    int from = result.decision().from();
    int to = result.decision().target();
    if (to <= from) {
      return s;
    }
    Provisioning p = s.provisioning();
    Instant requestedAt = p.requestedAt() == null ? now : p.requestedAt();
    Provisioning timed = new Provisioning(p.seconds(), p.learnedAt(), requestedAt, to);
    ScaleUp up = s.lastScaleUp();
    double processing = obs.processingRate().orElse(Double.NaN);
    int ready = obs.readyExecutors().orElse(from);
    if (l.saturated() && ready > 0 && processing > 0) {
      up = new ScaleUp(now, ready, to, processing, processing * to / ready);
    }
    return new ScalerState(
        s.lastObservationAt(),
        s.lastReady(),
        s.executorRate(),
        s.rateSamples(),
        s.arrival(),
        s.recentArrivals(),
        s.burst(),
        timed,
        s.recommendations(),
        up,
        s.ineffectiveUntil());
  }
}
