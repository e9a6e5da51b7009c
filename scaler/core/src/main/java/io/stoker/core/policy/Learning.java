package io.stoker.core.policy;

import io.stoker.core.model.Observation;
import io.stoker.core.model.ScalingOptions;
import io.stoker.core.policy.ScalerState.Burst;
import io.stoker.core.policy.ScalerState.Provisioning;
import io.stoker.core.policy.ScalerState.Sample;
import io.stoker.core.policy.ScalerState.ScaleUp;
import java.time.Instant;
import java.util.List;

/**
 * Step 2: what the recommender learns from each observation. Every estimate is smoothed and only
 * learned from observations that carry information (never from idle periods). Each learning has its
 * own class:
 *
 * <ul>
 *   <li>{@link ExecutorRateLearning}: records/s one executor sustains, and the floor of it seen
 *   <li>{@link TrendLearning}: the recent arrival rates and the rate they point to
 *   <li>{@link BurstLearning}: the largest rise and the highest rate over the burst memory
 *   <li>{@link DelayLearning}: the warm and cold provisioning delays and the recent peak
 *   <li>{@link EffectLearning}: whether the last scale-up raised the throughput
 * </ul>
 *
 * <p>This class composes them, and judges from the backlog whether the executors are saturated and
 * whether it is still draining.
 */
final class Learning {
  /**
   * A backlog worth more than this many seconds of processing means the executors are saturated.
   */
  static final double SATURATION_SECONDS = 2.0;

  /** A backlog worth more than this share of the latency objective blocks scale-down. */
  static final double DRAINING_SHARE = 0.1;

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
   * @param pendingSeconds how much longer the executors on their way are expected to take: the
   *     delay of the scale-up that asked for them (cold if it went beyond the warm capacity and the
   *     cold delay is known) less the time since; 0 when none are on their way or they are late
   * @param burstRate the arrival rate a burst would reach, as observed recently
   * @param excessBacklog the backlog beyond the standing backlog of micro-batches ({@link
   *     Batches#standingBacklog}); the whole backlog with continuous processing
   * @param readCapRows the records the source hands a batch at most, when its read limit, not the
   *     executors, sets the throughput (rule <em>read cap</em>, {@link Batches#readCapped}; 0: no
   *     cap seen): the executors are then neither saturated nor draining, whatever the lag
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
      double pendingSeconds,
      double burstRate,
      double excessBacklog,
      long readCapRows,
      boolean saturated,
      boolean draining,
      String ineffective) {}

  static Learned learn(
      Observation obs, ScalerState s, ScalingOptions o, int current, int cap, Instant now) {
    double arrival = obs.arrivalRate().getAsDouble();
    long backlog = obs.backlogRecords().getAsLong();
    double dt =
        s.lastObservationAt() == null ? 0 : Numbers.seconds(s.lastObservationAt(), obs.at());
    int ready = obs.readyExecutors().orElse(current);
    double processing = obs.processingRate().orElse(Double.NaN);
    double latencySeconds = o.targetLatency().toMillis() / 1000.0;
    // with micro-batches, what waits for the next trigger and the batch in flight is no backlog to
    // drain; the batch in flight runs on the ready executors at the rate learned so far
    double excess =
        Batches.excessBacklog(
            obs.lastBatch(),
            backlog,
            arrival,
            latencySeconds,
            o.targetUtilization(),
            Math.min(ready, cap) * s.executorRate());
    ScalerState.ReadCap readCap =
        Batches.readCap(
            s.readCap(),
            obs.lastBatch(),
            excess,
            arrival,
            Math.min(ready, cap) * s.executorRate(),
            obs.at());
    boolean readCapped = Batches.readCapped(readCap, obs.at());
    boolean saturated =
        !readCapped
            && !Double.isNaN(processing)
            && excess > Math.max(1, processing * SATURATION_SECONDS);

    // A backlog shows what the executors can do only once the averaged processing rate had time to
    // follow them: saturated with the same executors for the settle time.
    Instant saturatedSince =
        !saturated
            ? null
            : ready == s.lastReady() && s.saturatedSince() != null ? s.saturatedSince() : obs.at();
    boolean settled =
        saturatedSince != null
            && Numbers.seconds(saturatedSince, obs.at()) >= o.rateSettleTime().toMillis() / 1000.0;
    ExecutorRateLearning.Rate rate =
        ExecutorRateLearning.learn(
            obs,
            new ExecutorRateLearning.Rate(s.executorRate(), s.rateSamples(), s.rateBatch()),
            s.lastReady(),
            ready,
            processing,
            settled,
            cap);
    double rateFloor =
        ExecutorRateLearning.floor(s.executorRateFloor(), s.lastReady(), ready, processing);
    Provisioning prov = DelayLearning.learn(s.provisioning(), o, obs.at(), ready, current);
    double provisioningSeconds =
        Double.isNaN(prov.warmSeconds()) ? o.executorStartup().toSeconds() : prov.warmSeconds();
    double reaction = provisioningSeconds + dt;
    List<Sample> recent = TrendLearning.recent(s.recentArrivals(), obs.at(), arrival, reaction);
    Burst burst = BurstLearning.learn(s.burst(), o, obs.at(), arrival, recent);
    double burstRate = Math.min(arrival + burst.maxExcess(), burst.maxPeak());
    double forecast = TrendLearning.forecast(arrival, s.recentArrivals(), obs.at(), reaction);
    double nodeHorizon = Double.isNaN(prov.coldSeconds()) ? reaction : prov.coldSeconds() + dt;
    double nodeForecast =
        TrendLearning.forecast(
            arrival, s.recentArrivals(), obs.at(), Math.max(reaction, nodeHorizon));

    EffectLearning.Judged judged =
        EffectLearning.judge(s.lastScaleUp(), o, obs.at(), ready, processing, saturated, reaction);
    Instant blockedUntil =
        judged.ineffective() == null ? s.ineffectiveUntil() : now.plus(o.ineffectiveHold());

    ScalerState next =
        s.toBuilder()
            .lastObservationAt(obs.at())
            .lastReady(ready)
            .executorRate(rate.rate())
            .rateSamples(rate.samples())
            .rateBatch(rate.batch())
            .executorRateFloor(rateFloor)
            .recentArrivals(recent)
            .burst(burst)
            .provisioning(prov)
            .lastScaleUp(judged.pending())
            .ineffectiveUntil(blockedUntil)
            .saturatedSince(saturatedSince)
            .readCap(readCap)
            .build();
    double mu =
        Double.isNaN(rate.rate()) ? o.initialExecutorRate().orElse(Double.NaN) : rate.rate();
    int pending = obs.pendingExecutors().orElse(0);
    boolean draining =
        !readCapped && draining(obs, o, excess, Math.min(ready, cap) * mu, pending, latencySeconds);
    return new Learned(
        next,
        mu,
        forecast,
        nodeForecast,
        provisioningSeconds,
        prov.coldSeconds(),
        prov.warmExecutors(),
        reaction,
        pending > 0 ? DelayLearning.remaining(prov, provisioningSeconds, obs.at()) : 0,
        burstRate,
        excess,
        readCapped ? readCap.rows() : 0,
        saturated,
        draining,
        judged.ineffective());
  }

  /**
   * No scale-down while a backlog beyond the standing one is worth draining, while the lag holds
   * more than an objective of arrivals (rule "beyond the objective": records that old wait,
   * whatever a long trigger's standing backlog allows), or while the last micro-batch still worked
   * one off (rule "catching up": the lag itself rises and falls with each commit). Rule "needed on
   * their way": executors asked for are not cancelled while records wait beyond the standing
   * backlog, nor while the ready ones cannot carry the arrivals as sizing does (λ·f: at the target
   * utilisation, batches fitting the objective); the backlog grows until they come, and with
   * micro-batches a burst first hides in the batch in flight.
   *
   * @param readyCapacity the ready executors (at most the partition cap) at the executor rate
   */
  private static boolean draining(
      Observation obs,
      ScalingOptions o,
      double excess,
      double readyCapacity,
      int pending,
      double latencySeconds) {
    double arrival = obs.arrivalRate().getAsDouble();
    double worthDraining = DRAINING_SHARE * latencySeconds * Math.max(arrival, 1);
    return excess > worthDraining
        || obs.backlogRecords().getAsLong() > arrival * latencySeconds
        || Batches.catchingUp(
                obs.lastBatch(), arrival, latencySeconds, o.targetUtilization(), readyCapacity)
            > worthDraining
        || (pending > 0
            && (excess > Math.max(1, arrival * SATURATION_SECONDS)
                || arrival
                        * Batches.capacityFactor(
                            obs.lastBatch(), latencySeconds, o.targetUtilization())
                    > readyCapacity));
  }

  /**
   * Book-keeping after the decision from {@code from} to {@code to} executors: time a scale-up, and
   * remember it to judge its effect.
   *
   * @param s the state after learning and stabilising
   * @param demand the executors the demand alone called for
   */
  static ScalerState afterDecision(
      ScalerState s, Observation obs, Learned l, int from, int to, int demand, Instant now) {
    int ready = obs.readyExecutors().orElse(from);
    Provisioning p = DelayLearning.afterDecision(s.provisioning(), now, ready, demand, from, to);
    if (to <= from) {
      return s.toBuilder().provisioning(p).build();
    }
    ScaleUp up =
        EffectLearning.afterScaleUp(
            s.lastScaleUp(),
            now,
            ready,
            to,
            obs.processingRate().orElse(Double.NaN),
            l.saturated(),
            l.executorRate());
    return s.toBuilder().provisioning(p).lastScaleUp(up).build();
  }
}
