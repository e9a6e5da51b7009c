package io.stoker.core.policy;

import io.stoker.core.model.Decision;
import io.stoker.core.model.Observation;
import io.stoker.core.model.Reason;
import io.stoker.core.model.ScalingOptions;

/**
 * Step 3: how many executors the signals call for, before stabilisation.
 *
 * <pre>
 * demand   = ceil( (λ̂(t + R) / u  +  B(t + R) / L) / μ )
 * headroom = fewest n with n ≥ ceil( C(r_burst, n·μ) / μ ) only when R &gt; L
 * raw      = max(demand, headroom), capped at [min, min(max, partitions / cores)]
 * </pre>
 *
 * where μ is the executor rate, u the target utilisation, L the latency objective, R the reaction
 * delay (learned provisioning plus one tick), λ̂ the forecast arrival rate, B(t + R) the backlog
 * once new executors arrive, and r_burst the rate a burst of the size recently observed would
 * reach. The headroom keeps enough capacity that such a burst ages the oldest record by at most L
 * before reinforcements arrive: with capacity C during a burst to r, latency after R seconds is
 * R·(1 − C/r) ({@link #headroomCapacity}), the held executors being the only warm capacity ({@link
 * #heldHeadroom}). Headroom is sized at full utilisation: the latency objective is the buffer.
 *
 * <p>It also forecasts, for placeholder pods ({@link Headroom}), the executors needed before a new
 * node could arrive: {@code max(λ̂(t + R_cold) / u, C_warm) / μ}, where C_warm is the capacity a
 * burst to r_burst needs once executors on warm room have started ({@link #warmCapacityForBurst}).
 */
final class Sizing {
  private Sizing() {}

  /**
   * @param raw the bounded recommendation, backlog drain included
   * @param steady the bounded recommendation without the backlog: what scale-down windows hold
   * @param demand demand alone
   * @param headroom burst headroom alone
   * @param arrivalsNeed the executors the forecast arrivals alone call for, before rounding up
   *     ({@code λ̂·f / μ}); NaN while the executor rate is unknown
   */
  record Recommendation(
      int raw,
      int steady,
      int demand,
      int headroom,
      double arrivalsNeed,
      Reason reason,
      String why,
      boolean capped,
      Decision.Inputs inputs) {}

  static Recommendation recommend(
      Observation obs, Learning.Learned l, ScalingOptions o, int current, int cap) {
    double arrival = obs.arrivalRate().getAsDouble();
    long backlog = obs.backlogRecords().getAsLong();
    double mu = l.executorRate();
    if (Double.isNaN(mu)) {
      return learning(obs, current, cap, o, l.state().executorRateFloor(), inputs(obs, l, cap, -1));
    }
    double latency = o.targetLatency().toMillis() / 1000.0;
    // rule "batch fit": capacity per record/s so that micro-batches keep up within the objective
    double factor = Batches.capacityFactor(obs.lastBatch(), latency, o.targetUtilization());
    double excess = l.excessBacklog();
    int demand = demand(obs, l, o, current, cap, factor);

    double reaction = l.reactionSeconds();
    double tick = reaction - l.provisioningSeconds();
    double burstLatency = Batches.burstLatency(obs.lastBatch(), latency);
    double cold = Double.isNaN(l.coldSeconds()) ? reaction : l.coldSeconds() + tick;
    double coldDelay = Math.max(cold, reaction);
    // what one executor carries through a burst: batches pay their overhead, so at full
    // utilisation it is μ / f with f the batch fit at u = 1 (μ with continuous processing)
    double carried = mu / Batches.capacityFactor(obs.lastBatch(), latency, 1.0);
    int headroom = heldHeadroom(l.burstRate(), burstLatency, reaction, coldDelay, carried, cap);
    if (current != headroom
        && current
            >= heldHeadroom(
                l.burstRate(),
                burstLatency,
                reaction,
                coldDelay,
                carried * (1 + o.tolerance()),
                cap)
        && current
            <= heldHeadroom(
                l.burstRate(),
                burstLatency,
                reaction,
                coldDelay,
                carried * (1 - o.tolerance()),
                cap)) {
      // the tolerance, on capacity: the headroom moves with the executor rate's noise, and one
      // executor is more than the tolerance of a small fleet
      headroom = current;
    }
    int raw = Math.max(demand, headroom);
    int steady = Math.max(ceil(l.forecastRate() * factor / mu), headroom);
    // rule "read cap": more executors than the capped batches keep busy would not process more
    int readCap = readCapBound(obs, l, o);
    // the cap named while it holds records back, even when the demand asks for no more
    boolean capHolds = raw > readCap || (raw == readCap && l.excessBacklog() >= l.readCapRows());
    Reason reason =
        capHolds ? Reason.READ_CAPPED : headroom > demand ? Reason.BURST_HEADROOM : Reason.DEMAND;
    raw = Math.min(raw, readCap);
    int bounded = Bounds.clamp(raw, o, cap);
    steady = Bounds.clamp(Math.min(steady, readCap), o, cap);
    String why;
    if (reason == Reason.READ_CAPPED) {
      why = readCapWhy(obs, l.readCapRows(), demand, readCap, mu);
    } else if (reason == Reason.BURST_HEADROOM) {
      why =
          "headroom for a burst to "
              + Numbers.fmt(l.burstRate())
              + "/s as seen recently (executors take ~"
              + Math.round(l.provisioningSeconds())
              + "s to arrive on warm nodes, "
              + (Double.isNaN(l.coldSeconds()) ? "unknown" : Math.round(l.coldSeconds()) + "s")
              + " beyond those held, latency objective "
              + Math.round(latency)
              + "s) needs "
              + headroom
              + " executors; demand alone needs "
              + demand;
    } else {
      why =
          "arrival "
              + Numbers.fmt(arrival)
              + "/s (forecast "
              + Numbers.fmt(l.forecastRate())
              + "/s in "
              + Math.round(reaction)
              + "s) and backlog "
              + backlog
              + (excess < backlog
                  ? " (" + Math.round(excess) + " beyond what waits for the next batch)"
                  : "")
              + (obs.lastBatch().isPresent()
                  ? " with micro-batches of " + Numbers.fmt(batchSeconds(obs)) + "s"
                  : "")
              + " need "
              + demand
              + " executors at "
              + Numbers.fmt(mu)
              + "/s each";
    }
    if (bounded != raw) {
      why += limitNote(raw, bounded, o, cap);
    }
    // room already warm (executors held or wanted, capacity retained from a recent peak) needs no
    // placeholder
    double held = Math.max(Math.max(bounded, current), l.warmExecutors()) * mu;
    double burstWarm =
        Double.isNaN(l.coldSeconds())
            ? 0
            : warmCapacityForBurst(
                l.burstRate(), burstLatency, reaction, l.coldSeconds() + tick, held);
    double trend = l.nodeForecastRate() * factor;
    int forecastExecutors = Bounds.clamp(ceil(Math.max(trend, burstWarm) / mu), o, cap);
    return new Recommendation(
        bounded,
        steady,
        demand,
        headroom,
        l.forecastRate() * factor / mu,
        reason,
        why,
        bounded != raw,
        inputs(obs, l, cap, forecastExecutors));
  }

  /** Rule "read cap": the executors capped batches keep busy; unbounded without a cap. */
  private static int readCapBound(Observation obs, Learning.Learned l, ScalingOptions o) {
    return l.readCapRows() > 0 && obs.lastBatch().isPresent()
        ? Batches.readCapExecutors(
            l.readCapRows(), obs.lastBatch().get(), l.executorRate(), o.targetUtilization())
        : Integer.MAX_VALUE;
  }

  private static String readCapWhy(Observation obs, long rows, int demand, int readCap, double mu) {
    double interval = obs.lastBatch().orElseThrow().intervalSeconds();
    return "micro-batches read at most "
        + rows
        + " records each and ended within their "
        + Numbers.fmt(interval)
        + "s trigger while more waited: the source caps each batch's read (Kafka's"
        + " maxOffsetsPerTrigger), so the query processes at most "
        + Numbers.fmt(rows / interval)
        + "/s whatever the executors; "
        + readCap
        + " executors at "
        + Numbers.fmt(mu)
        + "/s each run such a batch within its trigger (demand alone needs "
        + demand
        + ")";
  }

  /**
   * The demand: the forecast arrivals at f plus the backlog there will be when new executors
   * arrive, drained within the objective (rules "first come" and, beyond the warm capacity, the
   * cold delay).
   */
  private static int demand(
      Observation obs, Learning.Learned l, ScalingOptions o, int current, int cap, double factor) {
    double mu = l.executorRate();
    double latency = o.targetLatency().toMillis() / 1000.0;
    double excess = l.excessBacklog();
    int ready = obs.readyExecutors().orElse(current);
    int coming = ready + obs.pendingExecutors().orElse(0);
    double comingCapacity = Math.min(coming, cap) * mu;
    int demand =
        demand(l.forecastRate(), excess, comingCapacity, l.provisioningSeconds(), mu, o, factor);
    // rule "first come": executors asked for now arrive after those already on their way, which
    // work the backlog off meanwhile; more are needed only for what will be left by then
    double warmDelay = Math.max(l.provisioningSeconds(), l.pendingSeconds());
    double atWarm =
        backlogLeft(
            excess,
            l.forecastRate(),
            factor,
            Math.min(ready, cap) * mu,
            comingCapacity,
            l.pendingSeconds(),
            warmDelay);
    if (demand > coming) {
      demand = Math.max(coming, ceil((l.forecastRate() * factor + atWarm / latency) / mu));
    }
    int warm = Math.min(Math.max(coming, l.warmExecutors()), cap);
    if (demand > warm && !Double.isNaN(l.coldSeconds())) {
      // beyond the warm capacity the new executors wait for new nodes, while the warm capacity
      // works from the warm delay on: the backlog they find is what is left then
      double left =
          backlogLeft(
              atWarm,
              l.forecastRate(),
              factor,
              warm * mu,
              warm * mu,
              0,
              Math.max(0, l.coldSeconds() - warmDelay));
      demand = Math.max(warm, ceil((l.forecastRate() * factor + left / latency) / mu));
    }
    return demand;
  }

  private static Decision.Inputs inputs(
      Observation obs, Learning.Learned l, int cap, int forecastExecutors) {
    return new Decision.Inputs(
        obs.backlogRecords().getAsLong(),
        obs.arrivalRate().getAsDouble(),
        l.forecastRate(),
        l.executorRate(),
        l.provisioningSeconds(),
        l.burstRate(),
        cap,
        forecastExecutors);
  }

  /**
   * The capacity that must be running once executors on warm room (placeholders) have started, so
   * that a burst to {@code rate} arriving now ages the oldest record by at most {@code latency},
   * given {@code held} capacity until then and everything needed after the cold delay: with
   * constant arrivals r the oldest record is {@code cold − (held·warm + C·(cold − warm)) / r} old
   * just before the cold capacity arrives. Zero when a new node arrives within the objective or
   * what is held already carries the burst; at most the burst rate itself.
   */
  static double warmCapacityForBurst(
      double rate, double latency, double warmDelay, double coldDelay, double held) {
    if (!(rate > 0) || coldDelay <= latency || coldDelay <= warmDelay || held >= rate) {
      return 0;
    }
    double needed = (rate * (coldDelay - latency) - held * warmDelay) / (coldDelay - warmDelay);
    return Math.min(rate, Math.max(0, needed));
  }

  /**
   * Executors for the forecast arrivals at the target utilisation, plus the backlog there will be
   * when new executors arrive after {@code delay}, drained within the latency objective.
   */
  static int demand(
      double forecast,
      double backlog,
      double comingCapacity,
      double delay,
      double mu,
      ScalingOptions o) {
    return demand(forecast, backlog, comingCapacity, delay, mu, o, 1 / o.targetUtilization());
  }

  /**
   * {@link #demand(double, double, double, double, double, ScalingOptions)} with {@code factor}
   * executors' capacity per record/s of arrivals instead of {@code 1 / u} ({@link
   * Batches#capacityFactor}).
   */
  static int demand(
      double forecast,
      double backlog,
      double comingCapacity,
      double delay,
      double mu,
      ScalingOptions o,
      double factor) {
    double latency = o.targetLatency().toMillis() / 1000.0;
    double futureBacklog = backlog + Math.max(0, forecast - comingCapacity) * delay;
    return ceil((forecast * factor + futureBacklog / latency) / mu);
  }

  /**
   * The backlog left after {@code delay} seconds: the ready capacity works until the executors on
   * their way arrive after {@code pendingSeconds}, then the coming capacity. Capacity short of the
   * arrivals lets the backlog grow; capacity beyond λ·f (what sizing keeps for the arrivals) works
   * it off.
   */
  static double backlogLeft(
      double backlog,
      double forecast,
      double factor,
      double readyCapacity,
      double comingCapacity,
      double pendingSeconds,
      double delay) {
    double first = Math.min(pendingSeconds, delay);
    double left = Math.max(0, backlog + change(forecast, factor, readyCapacity) * first);
    return Math.max(0, left + change(forecast, factor, comingCapacity) * (delay - first));
  }

  private static double change(double forecast, double factor, double capacity) {
    if (capacity < forecast) {
      return forecast - capacity;
    }
    return -Math.max(0, capacity - forecast * factor);
  }

  private static double batchSeconds(Observation obs) {
    return obs.lastBatch().map(b -> b.seconds()).orElse(Double.NaN);
  }

  /**
   * The fewest executors n whose own capacity, held as the warm capacity, covers the headroom a
   * burst to {@code rate} needs: the least n with n ≥ ⌈{@link #headroomCapacity}(rate, …, n·μ) /
   * μ⌉, at most {@code cap}. Capacity retained from a recent peak is not counted: it stays warm
   * only for the capacity retention, and dropping below this level while it lasts would only mean
   * scaling back up when it ends, onto nodes that were about to go.
   */
  static int heldHeadroom(
      double rate, double latency, double warmDelay, double coldDelay, double mu, int cap) {
    int lo = 0;
    int hi = Math.max(0, cap);
    int atCap = ceil(headroomCapacity(rate, latency, warmDelay, coldDelay, hi * mu) / mu);
    if (hi < atCap) {
      return atCap;
    }
    // n ≥ h(n) is monotone in n, h being non-increasing in the warm capacity
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (mid >= ceil(headroomCapacity(rate, latency, warmDelay, coldDelay, mid * mu) / mu)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /**
   * The least capacity C to hold so that a burst to {@code rate} arriving now ages the oldest
   * record by at most {@code latency}: C alone until the warm delay, then at least the warm
   * capacity until the cold delay, then whatever is needed. With constant arrivals r and capacity C
   * over t seconds the oldest record is t·(1 − C/r) old; the age peaks just before capacity catches
   * up, so it is checked at the warm and at the cold delay.
   */
  static double headroomCapacity(
      double rate, double latency, double warmDelay, double coldDelay, double warmCapacity) {
    if (!(rate > 0)) {
      return 0;
    }
    double atWarm = warmDelay > latency ? rate * (1 - latency / warmDelay) : 0;
    if (warmCapacity >= rate || coldDelay <= warmDelay || coldDelay <= latency) {
      return atWarm;
    }
    double backed = (rate * (coldDelay - latency) - warmCapacity * (coldDelay - warmDelay));
    double withWarm = Math.max(0, backed / warmDelay);
    double atCold = withWarm <= warmCapacity ? withWarm : rate * (1 - latency / coldDelay);
    return Math.max(atWarm, atCold);
  }

  /**
   * Sizing while the executor rate is unknown. Records waiting for longer than {@link
   * Learning#SATURATION_SECONDS} of processing mean the executors cannot keep up: double them while
   * records arrive (the saturated throughput measures the rate), hold while none arrive, and never
   * shrink while they wait. A smaller lag is the normal distance between a consumer and the head of
   * its partitions (records in flight, offsets not committed yet): nothing to learn from, so grow
   * nothing; size down to what the arrivals need at the highest rate per executor seen so far
   * ({@code floor}), never fewer executors than they really need, or hold.
   */
  private static Recommendation learning(
      Observation obs,
      int current,
      int cap,
      ScalingOptions o,
      double floor,
      Decision.Inputs inputs) {
    long backlog = obs.backlogRecords().getAsLong();
    double arrival = obs.arrivalRate().getAsDouble();
    double processing = obs.processingRate().orElse(Double.NaN);
    double throughput = Math.max(arrival, Double.isNaN(processing) ? 0 : processing);
    double drainRate = Double.isNaN(processing) ? arrival : processing;
    int ready = obs.readyExecutors().orElse(current);
    double latency = o.targetLatency().toMillis() / 1000.0;
    double excess =
        Batches.excessBacklog(
            obs.lastBatch(), backlog, arrival, latency, o.targetUtilization(), Double.NaN);
    boolean waiting = excess > Math.max(1, drainRate * Learning.SATURATION_SECONDS);
    int raw;
    String why;
    if (waiting && arrival > 0) {
      raw = Math.max(current + 1, 2 * Math.max(ready, 1));
      why = "executor rate not measured yet and backlog " + backlog + ": doubling to learn it";
    } else if (!waiting && floor > 0) {
      int enough = ceil(throughput / o.targetUtilization() / floor);
      raw = Math.min(current, enough);
      why =
          "executor rate not measured yet; executors were seen processing "
              + Numbers.fmt(floor)
              + "/s each, so "
              + Numbers.fmt(throughput)
              + "/s need at most "
              + enough;
    } else if (!waiting && throughput == 0 && backlog == 0) {
      // No executor is needed for no work, whatever an executor's rate: minExecutors decides.
      raw = 0;
      why = "executor rate not measured yet; nothing arrives and nothing waits";
    } else {
      raw = current;
      why =
          waiting
              ? "executor rate not measured yet; backlog " + backlog + " waits, nothing arrives"
              : "executor rate not measured yet and no backlog to measure it from";
    }
    int bounded = Bounds.clamp(raw, o, cap);
    if (bounded != raw) {
      why += limitNote(raw, bounded, o, cap);
    }
    return new Recommendation(
        bounded, bounded, raw, 0, Double.NaN, Reason.LEARNING, why, bounded != raw, inputs);
  }

  private static String limitNote(int raw, int bounded, ScalingOptions o, int cap) {
    if (raw < o.minExecutors()) {
      return "; raised to minExecutors " + o.minExecutors();
    }
    if (cap < o.maxExecutors() && bounded == cap) {
      return "; capped at " + cap + " executors (partitions / cores: more would idle)";
    }
    return "; capped at maxExecutors " + o.maxExecutors();
  }

  static int ceil(double v) {
    if (!(v > 0)) {
      return 0;
    }
    return (int) Math.min(Integer.MAX_VALUE, Math.ceil(v - 1e-9));
  }
}
