package io.stoker.core.policy;

import io.stoker.core.model.Observation.MicroBatch;
import io.stoker.core.policy.ScalerState.ReadCap;
import java.time.Instant;
import java.util.Optional;

/**
 * What Spark's micro-batch execution changes in the decision, from what the driver publishes per
 * batch ({@link MicroBatch}). With continuous processing (no batch) every rule reduces to the plain
 * case: rate learned from the busy fraction, no standing backlog, nothing to catch up, the whole
 * objective as slack.
 *
 * <p>Spark's {@code ProcessingTimeExecutor} starts a batch at each multiple of the trigger interval
 * I, or at once when the previous one overran; the default trigger runs batches back to back. A
 * batch reads the records queued when it starts and commits them when it ends, so a record waits up
 * to I for the next trigger and then for its batch's duration D (overhead O plus tasks).
 */
final class Batches {
  /**
   * The share of the utilisation margin that the objective's slack ({@link #slack}) gives back at
   * most: half. The rest stays, as it is also what drains a backlog a shortfall left.
   */
  static final double SLACK_RELIEF = 0.5;

  private Batches() {}

  /**
   * Rule <em>batch rate</em>: one executor's rate measured on the last batch, its records over the
   * time its task slots were busy: never the idle part of a trigger interval nor the batch's fixed
   * overhead. With the batch's summed task time ({@code executorRunTime}, slot-seconds) that is
   * {@code rows × cores / slot-seconds}, right even when executors came or went during the batch;
   * else its records over its task phase ({@code durationMs.addBatch}) on the executors that could
   * run tasks, now. NaN when the batch says neither, or read nothing.
   */
  static double executorRateSample(Optional<MicroBatch> batch, int ready, int cap, int cores) {
    if (batch.isEmpty() || batch.get().inputRows() <= 0) {
      return Double.NaN;
    }
    MicroBatch b = batch.get();
    double slotSeconds = b.taskSlotSeconds().orElse(Double.NaN);
    if (slotSeconds > 0 && cores > 0) {
      return b.inputRows() * cores / slotSeconds;
    }
    double tasks = b.taskSeconds().orElse(Double.NaN);
    if (!(tasks > 0) || ready <= 0) {
      return Double.NaN;
    }
    return b.inputRows() / (tasks * Math.min(ready, Math.max(1, cap)));
  }

  /**
   * Rule <em>standing backlog</em>: the records that wait as a matter of course, arrival × (wait
   * for the trigger + batch duration), at most one objective's worth. Until a batch commits, the
   * lag counts everything since the previous batch started: up to {@code λ·(I + D)} when batches
   * fit the interval, {@code λ·2D} back to back. D is the batch in flight's: the last batch's
   * duration, or longer when the arrivals rose since, as the batch in flight reads {@code λ·max(I,
   * D_last)} records and runs them on the ready {@code capacity} after the overhead (rule <em>batch
   * in flight</em>; NaN capacity, the executor rate not known yet: the last batch's). D counts only
   * up to the duration sizing aims at ({@link #targetBatchSeconds}): a batch slower than that has
   * fallen behind, and what it leaves waiting beyond is a backlog to drain.
   */
  static double standingBacklog(
      Optional<MicroBatch> batch,
      double arrival,
      double latency,
      double utilisation,
      double capacity) {
    if (batch.isEmpty() || !(arrival > 0)) {
      return 0;
    }
    MicroBatch b = batch.get();
    double d =
        Math.min(
            inFlightSeconds(b, arrival, capacity), targetBatchSeconds(batch, latency, utilisation));
    double period = Math.max(b.intervalSeconds(), d);
    return arrival * Math.min(period + d, latency);
  }

  /**
   * The backlog to drain: the lag beyond the {@link #standingBacklog} (the whole lag with
   * continuous processing), at least 0.
   */
  static double excessBacklog(
      Optional<MicroBatch> batch,
      long backlog,
      double arrival,
      double latency,
      double utilisation,
      double capacity) {
    return Math.max(0, backlog - standingBacklog(batch, arrival, latency, utilisation, capacity));
  }

  /**
   * Rule <em>catching up</em>: the records the last batch read, or the batch in flight reads,
   * beyond what a batch reads once the executors keep up ({@code λ·max(I, D)}, D the batch duration
   * at the target ({@link #targetBatchSeconds}) or at the ready executors' {@code capacity} ({@link
   * #steadyBatchSeconds}), whichever is shorter). A batch that overran its trigger is followed at
   * once by one that reads what arrived meanwhile, {@code λ·D} of the last: a fleet just grown to
   * catch up is not cut back while that batch runs, as the last batch's own rows (one interval's
   * worth) do not show it. Unlike the lag, which rises and falls with every commit and is sampled
   * at any point of that cycle, a batch's input rows say whether the query is still working off a
   * backlog. 0 without a batch. An interval not known yet counts as back to back: a trigger's
   * batches may then look like catching up, and scale-in waits until the interval is seen (the
   * driver plugin infers it from a few batches), on the side of capacity. 0 while nothing arrives:
   * no batch runs then, and the last one, however long ago it ran, says nothing about a backlog now
   * (the lag does).
   */
  static double catchingUp(
      Optional<MicroBatch> batch,
      double arrival,
      double latency,
      double utilisation,
      double capacity) {
    if (batch.isEmpty() || !(arrival > 0)) {
      return 0;
    }
    MicroBatch b = batch.get();
    double d =
        Math.min(
            targetBatchSeconds(batch, latency, utilisation),
            steadyBatchSeconds(b, arrival, capacity));
    double steady = Math.max(0, arrival) * Math.max(b.intervalSeconds(), d);
    // a batch that overran its trigger is followed at once by one reading what arrived meanwhile
    return Math.max(0, Math.max(b.inputRows(), inFlightRows(b, arrival)) - steady);
  }

  /**
   * Rule <em>batch in flight</em>: how long the batch in flight runs, at least as long as the last
   * one: its overhead and what it reads ({@link #inFlightRows}) on the ready {@code capacity}; the
   * last batch's duration when the capacity is not known (NaN), infinite when it is 0 (no executor
   * ready: the batch does not end).
   */
  private static double inFlightSeconds(MicroBatch b, double arrival, double capacity) {
    double last = Math.max(0, b.seconds());
    double inFlight =
        capacity >= 0 ? b.overheadSeconds() + inFlightRows(b, arrival) / capacity : last;
    if (Double.isNaN(inFlight)) {
      return last; // nothing read: nothing to run
    }
    return Math.max(last, inFlight);
  }

  /**
   * What the batch in flight reads: the arrivals since the last batch started, {@code λ·max(I,
   * D_last)} (the next trigger, or at once after an overrun).
   */
  private static double inFlightRows(MicroBatch b, double arrival) {
    return arrival * Math.max(b.intervalSeconds(), Math.max(0, b.seconds()));
  }

  /**
   * The duration of a batch once {@code capacity} keeps up with {@code arrival} ({@link
   * #duration}). Infinite when the capacity is unknown or cannot keep up.
   */
  static double steadyBatchSeconds(MicroBatch b, double arrival, double capacity) {
    if (!(capacity > arrival)) {
      return Double.POSITIVE_INFINITY;
    }
    return duration(b.overheadSeconds(), b.intervalSeconds(), capacity / arrival);
  }

  /**
   * A steady batch's duration with f times the arrivals' rate in capacity: {@code O + I / f} when
   * that ends before the next trigger (a trigger's records), else {@code O / (1 − 1 / f)}: each
   * batch reads what arrived during the previous one, back to back, as Spark starts a batch at once
   * when the previous one overran. Infinite when {@code f ≤ 1} and the batches overrun.
   */
  static double duration(double overhead, double interval, double f) {
    if (interval > 0 && overhead + interval / f <= interval) {
      return overhead + interval / f;
    }
    return f > 1 ? overhead / (1 - 1 / f) : Double.POSITIVE_INFINITY;
  }

  /**
   * Rule <em>wait counted</em>: how long a burst may age records before reinforcements arrive, for
   * burst headroom: the objective less the wait for the next trigger, which every record of the
   * burst pays first ({@code L − I}, at least 0). The batch itself is left out: it is what the
   * headroom shortens.
   */
  static double burstLatency(Optional<MicroBatch> batch, double latency) {
    return Math.max(0, latency - batch.map(MicroBatch::intervalSeconds).orElse(0.0));
  }

  /**
   * The batch duration at the capacity {@link #capacityFactor} sizes for ({@link #duration} at f),
   * {@code L / 2} back to back when f gives none. 0 without a batch.
   */
  static double targetBatchSeconds(Optional<MicroBatch> batch, double latency, double utilisation) {
    if (batch.isEmpty()) {
      return 0;
    }
    MicroBatch b = batch.get();
    double d =
        duration(
            b.overheadSeconds(), b.intervalSeconds(), capacityFactor(batch, latency, utilisation));
    return Double.isFinite(d) ? d : latency / 2;
  }

  /**
   * Rule <em>batch fit</em>: capacity per record/s of arrivals, so that batches keep every record
   * within the objective L, with the target utilisation u as a margin on capacity. With a trigger,
   * batches either end before the next trigger, within {@code T = min(I, L − I)} (a record waits up
   * to I, then for its batch), or overrun it and run back to back, as Spark then starts the next
   * batch at once, within {@code T = L / 2} (a record waits for the batch in flight, then for its
   * own; possible when {@code L / 2 ≥ I}); back to back only the latter. A batch lasting T reads
   * {@code λ·max(I, T)} records, after the overhead O, so the least capacity is
   *
   * <pre>
   * capacity / λ = max(I, T) / (T − O)        (the cheaper way with a trigger)
   * f            = max(1, that) · (1 + (1/u − 1) · (1 − s / 2))
   * </pre>
   *
   * with s the objective's {@link #slack} at {@code max(1, that) / u}: rule <em>slack</em> gives
   * back s / 2 of the margin, as a shortfall first ages records within the part of the objective
   * that the wait and the batch leave. With continuous processing it is {@code 1 + (1/u − 1) / 2}.
   * The margin is on capacity, not on the batch duration: back to back a batch lasts {@code O / (1
   * − λ / C)}, so a tenth off the duration (27 s of 30, with a 3 s overhead) was only about 1 % of
   * capacity: arrivals 1 % higher made batches of 30 s, at the objective. When neither way leaves
   * time for tasks (or the trigger alone exceeds the objective), no capacity meets the objective
   * and the rule falls back to {@code 1 / u}, the whole margin: executors cannot buy back a fixed
   * cost. A short trigger with a large overhead (5 s and 2 s) needs batches of under 5 s within the
   * interval ({@code 5 / 3}), but of up to 30 s overrunning it ({@code 30 / 28}).
   */
  static double capacityFactor(Optional<MicroBatch> batch, double latency, double utilisation) {
    double margin = 1 / utilisation - 1;
    if (batch.isEmpty()) {
      // continuous processing: nothing waits for a trigger or a batch, the slack is 1
      return 1 + margin * (1 - SLACK_RELIEF);
    }
    MicroBatch b = batch.get();
    double interval = b.intervalSeconds();
    double overhead = b.overheadSeconds();
    double least = interval <= latency / 2 ? fit(latency / 2, 0, overhead) : Double.NaN;
    if (interval > 0) {
      double withinInterval = fit(Math.min(interval, latency - interval), interval, overhead);
      least = Double.isNaN(least) || withinInterval < least ? withinInterval : least;
    }
    if (Double.isNaN(least)) {
      return 1 / utilisation;
    }
    double fit = Math.max(1, least);
    return fit * (1 + margin * (1 - SLACK_RELIEF * slack(b, latency, fit / utilisation)));
  }

  /**
   * Rule <em>slack</em>: the share of the objective L a record does not spend waiting for its
   * trigger and its batch once capacity is f times the arrivals' rate: {@code 1 − (max(I, D) + D) /
   * L}, with D the steady batch duration ({@link #duration}), at least 0; 0 when batches cannot
   * keep up. With continuous processing it is 1.
   */
  static double slack(MicroBatch b, double latency, double f) {
    double d = duration(b.overheadSeconds(), b.intervalSeconds(), f);
    if (!Double.isFinite(d)) {
      return 0;
    }
    return Math.max(0, 1 - (Math.max(b.intervalSeconds(), d) + d) / latency);
  }

  /**
   * {@code max(I, T) / (T − O)}: the capacity per record/s that runs a batch in T seconds; NaN when
   * T leaves no time for tasks.
   */
  private static double fit(double longest, double interval, double overhead) {
    return longest > overhead ? Math.max(interval, longest) / (longest - overhead) : Double.NaN;
  }

  /**
   * How far two batches' reads may differ and still count as the same read limit: Spark's Kafka
   * source splits {@code maxOffsetsPerTrigger} over the partitions and rounds each share.
   */
  static final double READ_CAP_TOLERANCE = 0.01;

  /**
   * Rule <em>read cap</em>: whether the last batch looks limited by the source's read limit
   * (Kafka's {@code maxOffsetsPerTrigger}) rather than by the executors. A batch reads every record
   * queued when it starts, unless the source caps it; so when a batch ended within its trigger
   * interval and the lag beyond the {@link #standingBacklog} still holds more than that batch read,
   * the batch left records behind that it had the time to run. Only with a trigger interval longer
   * than the batch's overhead: back to back, more executors shorten each batch and so do raise a
   * capped query's throughput.
   *
   * @param excess the lag beyond the standing backlog ({@link #excessBacklog})
   */
  static boolean looksReadCapped(Optional<MicroBatch> batch, double excess) {
    if (batch.isEmpty()) {
      return false;
    }
    MicroBatch b = batch.get();
    double interval = b.intervalSeconds();
    return b.inputRows() > 0
        && interval > b.overheadSeconds()
        && b.seconds() <= interval
        && excess >= b.inputRows();
  }

  /** The longest a read cap waits to be confirmed: a day. */
  private static final double READ_CAP_MAX_WAIT_SECONDS = 86_400;

  /**
   * The rule's memory after this observation: since when the batches have looked capped ({@link
   * #looksReadCapped}) reading the same number of records, within {@link #READ_CAP_TOLERANCE}, and
   * from when that counts as a cap ({@link #readCapped}); null when the last batch does not look
   * capped. A cap once confirmed is kept while the arrivals fall below it, until a batch reads more
   * (the limit was raised, or was never there).
   *
   * <p>One batch is not enough: a burst that starts after a batch began looks the same until the
   * next batch, which reads the burst, ends; and that batch may run long on a small fleet. So the
   * cap counts only once two periods of the batch in flight ({@link #inFlightSeconds} at this
   * arrival rate and capacity, at least the interval) have passed since the first such batch was
   * seen, the longest period any of its sightings expected: by then a batch that started after it
   * has ended and read no more.
   *
   * @param capacity the ready executors at the executor rate learned so far (NaN: unknown)
   */
  static ReadCap readCap(
      ReadCap before,
      Optional<MicroBatch> batch,
      double excess,
      double arrival,
      double capacity,
      Instant at) {
    boolean confirmed = readCapped(before, at);
    if (confirmed
        && (batch.isEmpty()
            || batch.get().inputRows() <= before.rows() * (1 + READ_CAP_TOLERANCE))) {
      return before;
    }
    if (!looksReadCapped(batch, excess)) {
      return null;
    }
    MicroBatch b = batch.get();
    double period = Math.max(b.intervalSeconds(), inFlightSeconds(b, arrival, capacity));
    long wait = Math.round(2 * Math.min(period, READ_CAP_MAX_WAIT_SECONDS));
    long rows = b.inputRows();
    if (before != null && Math.abs(rows - before.rows()) <= READ_CAP_TOLERANCE * before.rows()) {
      Instant from = before.since().plusSeconds(wait);
      return new ReadCap(
          before.rows(), before.since(), from.isAfter(before.from()) ? from : before.from());
    }
    return new ReadCap(rows, at, at.plusSeconds(wait));
  }

  /** Whether the reads are capped: {@link #readCap}'s memory says so from then on. */
  static boolean readCapped(ReadCap cap, Instant at) {
    return cap != null && !at.isBefore(cap.from());
  }

  /**
   * The executors a capped read keeps busy at the target utilisation: those that run a batch of the
   * capped {@code rows} within the trigger interval, less the batch's overhead. More would not
   * process more, as the source hands each batch no more records; the throughput is at most {@code
   * rows / I} whatever the fleet. Unbounded ({@link Integer#MAX_VALUE}) when the overhead leaves no
   * room in the interval.
   */
  static int readCapExecutors(long rows, MicroBatch b, double executorRate, double utilisation) {
    double room = b.intervalSeconds() - b.overheadSeconds();
    if (!(room > 0) || !(executorRate > 0)) {
      return Integer.MAX_VALUE;
    }
    return (int) Math.min(Integer.MAX_VALUE, Math.ceil(rows / (executorRate * utilisation * room)));
  }
}
