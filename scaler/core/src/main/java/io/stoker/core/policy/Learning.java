package io.stoker.core.policy;

import io.stoker.core.model.Observation;
import io.stoker.core.model.ScalingOptions;
import io.stoker.core.policy.ScalerState.Burst;
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

  /** Below this busy fraction a measurement says more about idleness than about capacity. */
  static final double MIN_BUSY = 0.1;

  /**
   * A backlog worth more than this many seconds of processing means the executors are saturated.
   */
  static final double SATURATION_SECONDS = 2.0;

  /** A backlog worth more than this share of the latency objective blocks scale-down. */
  static final double DRAINING_SHARE = 0.1;

  /** Weight of a new provisioning-delay measurement. */
  static final double DELAY_WEIGHT = 0.5;

  /** The cold delay fades this many times slower than the burst memory. */
  static final int COLD_MEMORY_FACTOR = 8;

  private Learning() {}

  /**
   * What the sizing step works with.
   *
   * @param state the state after learning from this observation
   * @param executorRate records/s one executor sustains, NaN if unknown
   * @param forecastRate arrival rate forecast at the end of the provisioning delay
   * @param nodeForecastRate arrival rate forecast at the end of the learned cold (new-node) delay,
   *     or of the provisioning delay while that is unknown
   * @param provisioningSeconds learned (or configured) warm request-to-ready delay
   * @param coldSeconds learned delay of a scale-up beyond the warm capacity (NaN: unknown)
   * @param warmExecutors executors that come back after the warm delay (recent peak)
   * @param reactionSeconds provisioning plus the time a change can go unseen (one tick)
   * @param burstRate the arrival rate a burst would reach, as observed recently
   * @param excessBacklog the backlog beyond the standing backlog of micro-batches ({@link
   *     Batches#standingBacklog}); the whole backlog with continuous processing
   * @param saturated true if the backlog shows the executors cannot keep up
   * @param draining true while the excess backlog is worth more than a tenth of the latency
   *     objective, or while records wait and executors asked for are still on their way (cancelling
   *     them then would only ask for them again): no scale-down then
   * @param ineffective a sentence if this observation showed the last scale-up was ineffective
   */
  record Learned(
      ScalerState state,
      double executorRate,
      double forecastRate,
      double nodeForecastRate,
      double provisioningSeconds,
      double coldSeconds,
      int warmExecutors,
      double reactionSeconds,
      double burstRate,
      double excessBacklog,
      boolean saturated,
      boolean draining,
      String ineffective) {}

  static Learned learn(
      Observation obs, ScalerState s, ScalingOptions o, int current, int cap, Instant now) {
    double arrival = obs.arrivalRate().getAsDouble();
    long backlog = obs.backlogRecords().getAsLong();
    double dt =
        s.lastObservationAt() == null ? 0 : Recommender.seconds(s.lastObservationAt(), obs.at());
    int ready = obs.readyExecutors().orElse(current);
    double processing = obs.processingRate().orElse(Double.NaN);
    double latencySeconds = o.targetLatency().toMillis() / 1000.0;
    // with micro-batches, the records waiting for the next trigger and the batch in flight are no
    // backlog to drain (rule "standing backlog")
    double excess =
        Math.max(
            0,
            backlog
                - Batches.standingBacklog(
                    obs.lastBatch(), arrival, latencySeconds, o.targetUtilization()));
    boolean saturated =
        !Double.isNaN(processing) && excess > Math.max(1, processing * SATURATION_SECONDS);

    // A backlog shows what the executors can do only once the averaged processing rate had time to
    // follow them: saturated with the same executors for the settle time.
    Instant saturatedSince =
        !saturated
            ? null
            : ready == s.lastReady() && s.saturatedSince() != null ? s.saturatedSince() : obs.at();
    boolean settled =
        saturatedSince != null
            && Recommender.seconds(saturatedSince, obs.at())
                >= o.rateSettleTime().toMillis() / 1000.0;
    double[] rate = executorRate(obs, s, ready, processing, settled, cap);
    Provisioning prov = provisioning(s.provisioning(), o, obs.at(), ready, current);
    double provisioningSeconds =
        Double.isNaN(prov.warmSeconds()) ? o.executorStartup().toSeconds() : prov.warmSeconds();
    double reaction = provisioningSeconds + dt;
    List<Sample> recent = recent(s.recentArrivals(), obs.at(), arrival, reaction);
    Burst burst = burst(s.burst(), o, obs.at(), arrival, recent);
    double burstRate = Math.min(arrival + burst.maxExcess(), burst.maxPeak());
    double forecast = forecast(arrival, s.recentArrivals(), obs.at(), reaction);
    double nodeHorizon = Double.isNaN(prov.coldSeconds()) ? reaction : prov.coldSeconds() + dt;
    double nodeForecast =
        forecast(arrival, s.recentArrivals(), obs.at(), Math.max(reaction, nodeHorizon));

    Judged judged = judge(s.lastScaleUp(), o, obs.at(), ready, processing, saturated, reaction);
    Instant blockedUntil =
        judged.ineffective() == null ? s.ineffectiveUntil() : now.plus(o.ineffectiveHold());
    String ineffective = judged.ineffective();
    ScaleUp up = judged.pending();

    ScalerState next =
        new ScalerState(
            obs.at(),
            ready,
            rate[0],
            (int) rate[1],
            rateFloor(s, ready, processing),
            recent,
            burst,
            prov,
            s.recommendations(),
            up,
            blockedUntil,
            saturatedSince);
    double mu = Double.isNaN(rate[0]) ? o.initialExecutorRate().orElse(Double.NaN) : rate[0];
    int pending = obs.pendingExecutors().orElse(0);
    // rule "needed on their way": executors asked for are not cancelled while records wait beyond
    // the standing backlog, nor while the ready ones cannot even process the arrivals (with
    // micro-batches the records of a burst first hide in the batch in flight)
    boolean draining =
        excess > DRAINING_SHARE * latencySeconds * Math.max(arrival, 1)
            || (pending > 0
                && (excess > Math.max(1, arrival * SATURATION_SECONDS)
                    || (obs.lastBatch().isPresent() && arrival > Math.min(ready, cap) * mu)));
    return new Learned(
        next,
        mu,
        forecast,
        nodeForecast,
        provisioningSeconds,
        prov.coldSeconds(),
        prov.warmExecutors(),
        reaction,
        burstRate,
        excess,
        saturated,
        draining,
        ineffective);
  }

  /**
   * The last scale-up still to be judged (or null), and a sentence if this observation showed it
   * was ineffective.
   */
  private record Judged(ScaleUp pending, String ineffective) {}

  /**
   * Step 2b: judge the last scale-up. Its executors must all be ready first (a scale-up whose
   * executors never arrive is forgotten after four reaction times). From then on, it is effective
   * as soon as throughput has risen by the threshold's share of the gain expected from the
   * executors now ready; it is forgotten once the backlog no longer saturates the executors (it was
   * absorbed: there is nothing to judge); and it is ineffective only if the executors stayed
   * saturated for the whole {@code rateSettleTime} without that rise. The rates are averages that
   * reach a new fleet's throughput only after a while; judged on the first tick, scale-ups that
   * drained a burst in half a minute were called ineffective.
   */
  private static Judged judge(
      ScaleUp up,
      ScalingOptions o,
      Instant at,
      int ready,
      double processing,
      boolean saturated,
      double reaction) {
    if (up == null) {
      return new Judged(null, null);
    }
    if (up.readyAt() == null && ready < up.to()) {
      boolean lost = Recommender.seconds(up.at(), at) > 4 * reaction;
      return new Judged(lost ? null : up, null);
    }
    double expected = up.expectedProcessing(ready);
    if (!saturated || o.ineffectiveThreshold() <= 0 || !(expected > up.processingBefore())) {
      return new Judged(null, null);
    }
    double gain = (processing - up.processingBefore()) / (expected - up.processingBefore());
    if (gain >= o.ineffectiveThreshold()) {
      return new Judged(null, null);
    }
    Instant readyAt = up.readyAt() == null ? at : up.readyAt();
    double judged = Recommender.seconds(readyAt, at);
    if (judged < o.rateSettleTime().toMillis() / 1000.0) {
      return new Judged(up.withReadyAt(readyAt), null);
    }
    return new Judged(
        null,
        "the scale-up from "
            + up.fromReady()
            + " to "
            + ready
            + " executors (throughput "
            + Recommender.fmt(up.processingBefore())
            + "/s → "
            + Recommender.fmt(processing)
            + "/s after "
            + Math.round(judged)
            + " s with a backlog, "
            + Math.round(gain * 100)
            + "% of the expected gain)");
  }

  /**
   * The highest rate per executor seen so far: what was processed over this interval cannot have
   * needed fewer executors than the larger of the ready counts at its two ends, so it is a lower
   * bound of the executor rate at any load, idle or not.
   */
  private static double rateFloor(ScalerState s, int ready, double processing) {
    double floor = s.executorRateFloor();
    int most = Math.max(ready, s.lastReady());
    if (!(processing > 0) || most <= 0) {
      return floor;
    }
    double sample = processing / most;
    return Double.isNaN(floor) ? sample : Math.max(floor, sample);
  }

  /**
   * DS2's true processing rate per executor, smoothed: {rate, samples}. Measured on the last
   * micro-batch where Spark says how long its tasks ran ({@link Batches#executorRateSample}), else
   * from the busy fraction where there is one, else from a backlog that has kept the same executors
   * saturated for the settle time ({@code settled}).
   */
  private static double[] executorRate(
      Observation obs, ScalerState s, int ready, double processing, boolean settled, int cap) {
    double rate = s.executorRate();
    int samples = s.rateSamples();
    boolean unchanged = ready > 0 && (s.lastReady() < 0 || ready == s.lastReady());
    boolean stable = unchanged && processing > 0;
    // rule "batch rate": measured on the batch's own records and task time when Spark says them
    double sample =
        unchanged
            ? Batches.executorRateSample(
                obs.lastBatch(), ready, cap, obs.coresPerExecutor().orElse(0))
            : Double.NaN;
    if (!Double.isNaN(sample)) {
      stable = false;
    }
    if (stable && obs.busyFraction().isPresent()) {
      double busy = obs.busyFraction().getAsDouble();
      if (busy >= MIN_BUSY && busy <= 1.0) {
        sample = processing / (busy * ready);
      }
    } else if (stable && settled) {
      sample = processing / Math.min(ready, cap);
    }
    if (!Double.isNaN(sample) && sample > 0 && !Double.isInfinite(sample)) {
      rate = samples == 0 ? sample : rate + RATE_WEIGHT * (sample - rate);
      samples++;
    }
    return new double[] {rate, samples};
  }

  /** A rise is a trend only if no single interval carries more than this share of it. */
  static final double GRADUAL_SHARE = 0.5;

  /** Samples before the latest needed to fit a trend. */
  static final int TREND_SAMPLES = 3;

  /**
   * The arrival rate expected once new executors arrive: the least-squares slope of the samples
   * before the latest one, extrapolated over the reaction delay while the rate still rises. The
   * latest interval is left out of the fit: a step or a burst is not a trend, and extrapolating the
   * jump would ask for executors the workload never needs.
   */
  static double forecast(double arrival, List<Sample> before, Instant now, double horizon) {
    if (before.size() < TREND_SAMPLES || arrival < before.get(before.size() - 1).value()) {
      return arrival;
    }
    double first = before.get(0).value();
    double largestStep = arrival - before.get(before.size() - 1).value();
    for (int i = 1; i < before.size(); i++) {
      largestStep = Math.max(largestStep, before.get(i).value() - before.get(i - 1).value());
    }
    if (largestStep > GRADUAL_SHARE * (arrival - first)) {
      return arrival;
    }
    double n = before.size();
    double sx = 0;
    double sy = 0;
    for (Sample p : before) {
      sx -= Recommender.seconds(p.at(), now);
      sy += p.value();
    }
    double mx = sx / n;
    double my = sy / n;
    double sxy = 0;
    double sxx = 0;
    for (Sample p : before) {
      double x = -Recommender.seconds(p.at(), now) - mx;
      sxy += x * (p.value() - my);
      sxx += x * x;
    }
    double slope = sxx > 0 ? sxy / sxx : 0;
    return slope > 0 ? arrival + slope * horizon : arrival;
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

  private static Burst burst(Burst b, ScalingOptions o, Instant at, double x, List<Sample> recent) {
    double low = x;
    for (Sample sample : recent) {
      low = Math.min(low, sample.value());
    }
    double memory = o.burstMemory().toMillis() / 1000.0;
    return new Burst(
        slidingMax(b.excess(), at, x - low, memory), slidingMax(b.peak(), at, x, memory));
  }

  /** Adds a sample to a monotonic queue and drops what left the window. */
  static List<Sample> slidingMax(List<Sample> queue, Instant at, double value, double window) {
    List<Sample> out = new ArrayList<>(queue.size() + 1);
    for (Sample sample : queue) {
      if (Recommender.seconds(sample.at(), at) <= window && sample.value() > value) {
        out.add(sample);
      }
    }
    out.add(new Sample(at, value));
    return out;
  }

  /**
   * Times scale-ups from request to ready, separately for warm ones (within the recent peak of
   * ready executors) and cold ones (beyond it, waiting for new nodes). The warm delay is a moving
   * average of its measurements. The cold delay is the slowest measurement, fading only slowly
   * ({@value #COLD_MEMORY_FACTOR} burst memories per half-life): a scale-up beyond the recent peak
   * may still find free slots on nodes that are there, and such a fast sample says nothing about
   * how long a new node takes.
   */
  private static Provisioning provisioning(
      Provisioning p, ScalingOptions o, Instant at, int ready, int current) {
    double floor = o.executorStartup().toSeconds();
    double warm = p.warmSeconds();
    double cold = p.coldSeconds();
    if (!Double.isNaN(cold)) {
      double w = Double.isNaN(warm) ? floor : warm;
      cold =
          w
              + Recommender.decay(
                  cold - w, p.learnedAt(), at, o.burstMemory().multipliedBy(COLD_MEMORY_FACTOR));
    }
    Instant requestedAt = p.requestedAt();
    if (requestedAt != null && ready >= p.requestedTarget()) {
      double sample = Math.max(floor, Recommender.seconds(requestedAt, at));
      if (p.requestedCold()) {
        cold = Double.isNaN(cold) ? sample : Math.max(cold, sample);
      } else {
        warm = average(warm, sample);
      }
      requestedAt = null;
    } else if (requestedAt != null && current < p.requestedTarget()) {
      requestedAt = null;
    }
    List<Sample> history = new ArrayList<>(p.readyHistory().size() + 1);
    double retention = o.capacityRetention().toMillis() / 1000.0;
    Sample before = null;
    for (Sample sample : p.readyHistory()) {
      if (Recommender.seconds(sample.at(), at) <= retention) {
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
    return new Provisioning(
        warm, cold, at, requestedAt, p.requestedTarget(), p.requestedCold(), history);
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
    return new Provisioning(
        p.warmSeconds(),
        p.coldSeconds(),
        p.learnedAt(),
        p.requestedAt(),
        p.requestedTarget(),
        p.requestedCold(),
        history);
  }

  private static ScalerState withProvisioning(ScalerState s, Provisioning p) {
    return new ScalerState(
        s.lastObservationAt(),
        s.lastReady(),
        s.executorRate(),
        s.rateSamples(),
        s.executorRateFloor(),
        s.recentArrivals(),
        s.burst(),
        p,
        s.recommendations(),
        s.lastScaleUp(),
        s.ineffectiveUntil(),
        s.saturatedSince());
  }

  /** Book-keeping after the decision: time a scale-up, and remember it to judge its effect. */
  static ScalerState afterDecision(
      ScalerState s,
      Observation obs,
      Learned l,
      Stabiliser.Result result,
      int demand,
      Instant now) {
    int from = result.decision().from();
    int to = result.decision().target();
    Provisioning p =
        withWarmSample(s.provisioning(), now, obs.readyExecutors().orElse(from), demand);
    if (to <= from) {
      return withProvisioning(s, p);
    }
    boolean fresh = p.requestedAt() == null;
    Instant requestedAt = fresh ? now : p.requestedAt();
    boolean cold = (!fresh && p.requestedCold()) || to > p.warmExecutors();
    Provisioning timed =
        new Provisioning(
            p.warmSeconds(),
            p.coldSeconds(),
            p.learnedAt(),
            requestedAt,
            to,
            cold,
            p.readyHistory());
    ScaleUp up = s.lastScaleUp();
    double processing = obs.processingRate().orElse(Double.NaN);
    int ready = obs.readyExecutors().orElse(from);
    if (up == null && l.saturated() && ready > 0 && processing > 0) {
      // each added executor is expected to add the lower of two per-executor rates (the learned
      // one, and this throughput per ready executor): the check errs towards not blocking
      double each = processing / ready;
      if (l.executorRate() > 0) {
        each = Math.min(each, l.executorRate());
      }
      up = new ScaleUp(now, ready, to, processing, each, null);
    }
    return new ScalerState(
        s.lastObservationAt(),
        s.lastReady(),
        s.executorRate(),
        s.rateSamples(),
        s.executorRateFloor(),
        s.recentArrivals(),
        s.burst(),
        timed,
        s.recommendations(),
        up,
        s.ineffectiveUntil(),
        s.saturatedSince());
  }
}
